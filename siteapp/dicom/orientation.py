"""Which way the patient faces on screen: the letters at the edges of a displayed image.

DICOM gives the directions of an image's rows and columns in the patient's frame
(ImageOrientationPatient: x towards the patient's Left, y Posterior, z Head), or, for
projection images such as mammograms, as letters (PatientOrientation, "A\\R"). The right
edge of the image lies in the direction of increasing column, the bottom edge in that of
increasing row; each edge is labelled with the patient direction it points to (the
dominant axis, or two letters when the image is oblique).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Letters for +x, +y, +z of the patient coordinate system and their opposites.
_AXIS_LETTERS = (("L", "R"), ("P", "A"), ("H", "F"))
_OPPOSITE = {"L": "R", "R": "L", "A": "P", "P": "A", "H": "F", "F": "H"}
#: A direction component counts when at least this fraction of the largest one (oblique).
_OBLIQUE_SHARE = 0.5


@dataclass(frozen=True)
class EdgeLabels:
    left: str
    right: str
    top: str
    bottom: str


def direction_letters(vector: Sequence[float]) -> str:
    """``"L"``, ``"AF"``...: the patient directions a unit vector points to, strongest first."""
    magnitudes = [abs(float(v)) for v in vector]
    largest = max(magnitudes)
    if largest == 0:
        return ""
    order = sorted(range(3), key=lambda axis: -magnitudes[axis])
    letters = [
        _AXIS_LETTERS[axis][0 if vector[axis] > 0 else 1]
        for axis in order
        if magnitudes[axis] >= _OBLIQUE_SHARE * largest
    ]
    return "".join(letters[:2])


def _opposite(letters: str) -> str:
    return "".join(_OPPOSITE.get(letter, letter) for letter in letters)


def edge_labels(
    image_orientation: Sequence[float] | None = None,
    patient_orientation: Sequence[str] | None = None,
) -> EdgeLabels | None:
    """Edge letters from ImageOrientationPatient, else PatientOrientation; None if unknown."""
    if image_orientation is not None and len(image_orientation) == 6:
        row_cosines, column_cosines = image_orientation[:3], image_orientation[3:]
        right, bottom = direction_letters(row_cosines), direction_letters(column_cosines)
    elif patient_orientation is not None and len(patient_orientation) == 2:
        right, bottom = (str(value).upper() for value in patient_orientation)
    else:
        return None
    if not right or not bottom:
        return None
    return EdgeLabels(left=_opposite(right), right=right, top=_opposite(bottom), bottom=bottom)
