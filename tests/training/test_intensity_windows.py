"""Percentile windows from histograms, and how a task picks an image's window."""

from __future__ import annotations

import numpy as np
import pytest

from coordinator.protocol import FederationPlan
from coordinator.statistics import (
    StatisticsLayout,
    StatisticsUnavailableError,
    scanner_key,
    statistics_plan,
)
from coordinator.task_definition import TaskFileError, Windowing, builtin_task, parse_task
from siteapp.dicom.pixels import MissingWindowError, Scanner, task_window
from siteapp.statistics.release import noised_statistics
from siteapp.statistics.windows import histogram_percentiles


def test_histogram_percentiles_interpolate_inside_a_bin_and_ignore_negative_noise() -> None:
    edges = np.linspace(0.0, 100.0, 11)
    weights = np.zeros(10)
    weights[2] = 4.0  # all weight in [20, 30)
    weights[7] = -3.0  # noise below zero counts as none
    assert histogram_percentiles(weights, edges, (0.0, 25.0, 50.0, 100.0)) == pytest.approx([20.0, 22.5, 25.0, 30.0])
    samples = np.random.default_rng(0).normal(50, 10, 200_000)
    counts, fine = np.histogram(samples, bins=np.linspace(0, 100, 201))
    low, high = histogram_percentiles(counts, fine, (1.0, 99.0))
    assert low == pytest.approx(np.percentile(samples, 1), abs=0.1)
    assert high == pytest.approx(np.percentile(samples, 99), abs=0.1)


def test_a_scanner_gets_its_own_window_else_its_modality_else_a_reason() -> None:
    task = builtin_task("mammo-mass").model_copy(
        update={"windowing": Windowing(percentiles=(1.0, 99.0), scope="federation")})
    known = Scanner("MG", "GE", "Senographe")
    with pytest.raises(MissingWindowError, match="medfed-site statistics"):
        task_window(task, known)
    windowed = task.with_intensity_windows({known.key: (100.0, 300.0), "MG": (0.0, 1000.0)})
    assert task_window(windowed, known) == (200.0, 200.0)
    assert task_window(windowed, Scanner("MG", "Other", "X")) == (500.0, 1000.0)
    with pytest.raises(MissingWindowError, match="no intensities of CT"):
        task_window(windowed, Scanner("CT", "GE", "Y"))
    # the cache keys on the resolved windows: other windows, other cached pixels
    assert windowed.pixel_settings != task.pixel_settings


def test_scope_applies_to_percentiles_only() -> None:
    raw = builtin_task("lung-ct-nodule").model_dump(mode="json")
    raw["windowing"] = {"preset": "lung", "scope": "federation"}
    with pytest.raises(TaskFileError, match="scope applies to percentiles only"):
        parse_task(raw)


def test_slots_are_stable_and_the_statistics_plan_needs_three_sites() -> None:
    plan = FederationPlan.model_validate({"federation": "f", "sites": ["a", "b", "c"], "task": "mammo-mass"})
    layout = StatisticsLayout.of(plan)
    key = scanner_key("MG", "GE MEDICAL SYSTEMS", "Revolution CT")
    assert key == "MG|GE MEDICAL SYSTEMS|Revolution CT" and layout.slot(key) == StatisticsLayout.of(plan).slot(key)
    derived = statistics_plan(plan)
    assert derived.update_length == layout.length == 1 * 8 * 64 + 2
    assert derived.mode == "masking" and derived.rounds == 1 and derived.federation == "f.stats"
    with pytest.raises(StatisticsUnavailableError, match="at least 3 sites"):
        statistics_plan(plan.model_copy(update={"sites": ["a", "b"]}))


def test_statistics_noise_is_calibrated_to_the_patient_sensitivity() -> None:
    noised = noised_statistics(np.zeros(200_000), 3.0, seed=1)
    assert noised.std() == pytest.approx(3.0 * np.sqrt(2.0), rel=0.01)
    with pytest.raises(ValueError, match="without noise"):
        noised_statistics(np.zeros(3), 0.0, seed=1)


def test_site_scope_windows_from_the_cli_and_in_training_without_sending_anything(
    imported_site, capsys
) -> None:
    from siteapp.cli import main
    from siteapp.federation.audit import AuditLog
    from siteapp.statistics.windows import load_task_statistics, task_with_windows
    from siteapp.training.datasets import site_dataset

    assert main(["--data-dir", str(imported_site), "statistics", "--local", "--task", "lung-ct-nodule"]) == 0
    printed = capsys.readouterr().out
    kept = load_task_statistics(imported_site, "lung-ct-nodule")
    assert kept is not None and kept.federation is None and kept.site_patients > 0
    assert "this site     CT:" in printed and "federation" not in printed
    low, high = kept.site_windows["CT"]
    assert -1024 <= low < high <= 3072
    task = builtin_task("lung-ct-nodule").at_demo_resolution().model_copy(
        update={"windowing": Windowing(percentiles=(1.0, 99.0), scope="site")})
    assert task_with_windows(task, imported_site).intensity_windows == kept.site_windows
    image = site_dataset(imported_site, task, "train", seed=0)[0][0].numpy()
    assert image.shape[-2:] == (task.matrix, task.matrix) and 0.0 <= image.min() < image.max() <= 1.0
    assert AuditLog(imported_site).bytes_sent() == 0
