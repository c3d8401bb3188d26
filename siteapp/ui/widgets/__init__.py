"""Reusable widgets of the site app: image viewer, charts, notices."""
