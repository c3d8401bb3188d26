"""The site on the hospital's DICOM network: receive, query and retrieve, send results.

``config`` (nodes and the receiver, kept in the site data folder), ``receiver`` (the
Storage SCP; every stored instance is indexed as an import indexes it), ``association``
(opening an association to a PACS node, with TLS, and saying why one failed), ``query``
(C-FIND), ``retrieve`` (C-MOVE to the receiver, or C-GET), ``send`` (C-STORE), and
``results`` (inference results as a Structured Report and a Secondary Capture, via
highdicom). Nothing here imports Qt; the GUI and the CLI call the same functions.
"""
