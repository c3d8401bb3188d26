"""MedFed site app: everything that runs at a hospital."""
