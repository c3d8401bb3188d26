"""Orientation letters at the image edges, checked against the standard views."""

from __future__ import annotations

from siteapp.dicom.orientation import EdgeLabels, direction_letters, edge_labels


def test_axial_slice_shows_patient_right_on_the_left_of_the_screen() -> None:
    assert edge_labels([1, 0, 0, 0, 1, 0]) == EdgeLabels(left="R", right="L", top="A", bottom="P")


def test_coronal_and_sagittal_views() -> None:
    assert edge_labels([1, 0, 0, 0, 0, -1]) == EdgeLabels(left="R", right="L", top="H", bottom="F")
    assert edge_labels([0, 1, 0, 0, 0, -1]) == EdgeLabels(left="A", right="P", top="H", bottom="F")


def test_oblique_directions_get_two_letters_strongest_first() -> None:
    assert direction_letters([0.8, 0.6, 0.0]) == "LP"
    assert direction_letters([0.1, 0.0, -0.99]) == "F"


def test_projection_images_use_patient_orientation_letters() -> None:
    assert edge_labels(None, ["A", "R"]) == EdgeLabels(left="P", right="A", top="L", bottom="R")
    assert edge_labels(None, None) is None
