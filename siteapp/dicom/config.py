"""Named settings of the DICOM library: table names, split policy, cache layout.

Limits of the importer itself (zip sizes, worker counts, batch size) live in
:class:`siteapp.settings.ImportLimits`; what is specific to the index, labels and splits
lives here so a test or an operator changes one name, not a literal in code.
"""

from __future__ import annotations

from typing import Final

#: Fraction of each class's patients assigned to validation.
VAL_FRACTION: Final = 0.25
#: Seed of the patient split; stored with each assignment so a change is visible.
SPLIT_SEED: Final = 0
SPLIT_TRAIN: Final = "train"
SPLIT_VAL: Final = "val"

#: Bytes of the per-site pseudonymisation secret (kept in the site store only).
PSEUDONYM_SECRET_BYTES: Final = 32
#: Hex characters of the keyed hash kept in a patient key (64 bits: collision-free at
#: hospital scale, short enough to read aloud).
PSEUDONYM_HEX_CHARS: Final = 16

#: Sub-folders of the data dir.
CACHE_DIRNAME: Final = "cache"
ARCHIVES_DIRNAME: Final = "archives"

#: Files whose names say they are not DICOM are still opened (hospital exports often
#: have no extension); these are skipped without opening because they never are.
NEVER_DICOM_SUFFIXES: Final = frozenset(
    {".txt", ".json", ".xml", ".csv", ".md", ".html", ".py", ".icc", ".jpg", ".png", ".pdf"}
)

#: The SOP Class UID of a DICOMDIR (Media Storage Directory Storage).
DICOMDIR_SOP_CLASS: Final = "1.2.840.10008.1.3.10"

#: SOP Class UID prefixes that are not images even when they carry a pixel-like payload.
NON_IMAGE_SOP_PREFIXES: Final = (
    "1.2.840.10008.5.1.4.1.1.481.",  # RT objects: plan, structure set, dose, treatment records
    "1.2.840.10008.5.1.4.1.1.88.",  # structured reports and key object selection
    "1.2.840.10008.5.1.4.1.1.9.",  # waveforms (ECG, haemodynamic, audio)
    "1.2.840.10008.5.1.4.1.1.11.",  # presentation states
    "1.2.840.10008.5.1.4.1.1.104.",  # encapsulated documents (PDF, CDA)
    "1.2.840.10008.5.1.4.1.1.66",  # raw data, spatial registration, fiducials, segmentation
)

#: Sub-folder of the data dir that holds the site's masks (DICOM SEG files).
MASKS_DIRNAME: Final = "masks"
#: Where a stored mask came from (the ``masks.source`` column).
SOURCE_PHANTOM: Final = "phantom"
SOURCE_IMPORTED_SEG: Final = "imported-seg"
SOURCE_IMPORTED_RTSTRUCT: Final = "imported-rtstruct"
SOURCE_DRAWN: Final = "drawn"
MASK_SOURCES: Final = (SOURCE_PHANTOM, SOURCE_IMPORTED_SEG, SOURCE_IMPORTED_RTSTRUCT, SOURCE_DRAWN)
# A model's prediction, exported as SEG; never stored as a mask (it is not ground truth).
SOURCE_PREDICTED: Final = "predicted"
#: Manufacturer and series number of the SEG objects MedFed writes.
SEG_MANUFACTURER: Final = "MedFed"
SEG_SERIES_NUMBER: Final = 9101
#: SOP classes the importer reads as masks of the images they reference.
SEGMENTATION_SOP_CLASS: Final = "1.2.840.10008.5.1.4.1.1.66.4"
RTSTRUCT_SOP_CLASS: Final = "1.2.840.10008.5.1.4.1.1.481.3"
MASK_SOP_CLASSES: Final = frozenset({SEGMENTATION_SOP_CLASS, RTSTRUCT_SOP_CLASS})
