"""One module per sidebar page; each page is a thin view over a ``siteapp`` layer."""
