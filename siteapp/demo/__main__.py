import sys

from siteapp.demo.cli import main

if __name__ == "__main__":  # importing the module (the layering test walks every one) runs nothing
    sys.exit(main())
