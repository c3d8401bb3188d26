import sys

from siteapp.demo.cli import main

sys.exit(main())
