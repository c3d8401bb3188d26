"""The site app's DICOM network: the receiver's switch and node list in Settings, the
Query PACS dialog, and the export of results as DICOM. Thin over :mod:`siteapp.pacs`."""
