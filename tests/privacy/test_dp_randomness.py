"""Randomness DP relies on is secret: OS entropy unless the loud test/demo seed is given,
and then the ledger says so."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from siteapp.cli import main
from siteapp.privacy.ledger import PrivacyLedger
from siteapp.training import trainer
from siteapp.training.datasets import PatientDataset, PoissonPatientSampler
from siteapp.training.local import LocalTrainingOptions, train_local
from siteapp.training.weights import load_weights

LOCAL_RUN = {"rounds": 1, "epochs_per_round": 1.0, "noise_multiplier": 1.0, "device": "cpu",
             "expected_batch_patients": 3}


def _record_batches(monkeypatch: pytest.MonkeyPatch) -> list[list[list[int]]]:
    """Every run's Poisson batches, as the trainer drew them."""
    runs: list[list[list[int]]] = []

    class Recording(PoissonPatientSampler):
        def __iter__(self):  # type: ignore[no-untyped-def]
            runs.append([])
            for batch in super().__iter__():
                runs[-1].append(batch)
                yield batch

    monkeypatch.setattr(trainer, "PoissonPatientSampler", Recording)
    return runs


def _final_weights(report: object) -> dict[str, np.ndarray]:
    return load_weights(Path(report.rounds[-1]["checkpoint"]))  # type: ignore[attr-defined]


def test_two_local_runs_with_default_options_draw_different_batches_and_models(
    imported_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches = _record_batches(monkeypatch)
    # read each run's model before the next run (two runs in one second share a run id)
    a = _final_weights(train_local(imported_site, LocalTrainingOptions(**LOCAL_RUN)))
    b = _final_weights(train_local(imported_site, LocalTrainingOptions(**LOCAL_RUN)))
    assert len(batches) == 2 and batches[0] != batches[1]
    assert any(not np.array_equal(a[k], b[k]) for k in a)
    assert not any(e.seeded for e in PrivacyLedger(imported_site).entries())


def test_a_seeded_local_run_repeats_and_is_marked_nominal_in_the_ledger(
    imported_site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    batches = _record_batches(monkeypatch)
    options = LocalTrainingOptions(**LOCAL_RUN, insecure_fixed_dp_seed=5)
    a = _final_weights(train_local(imported_site, options))
    b = _final_weights(train_local(imported_site, options))
    assert batches[0] == batches[1]
    assert all(np.array_equal(a[k], b[k]) for k in a)
    ledger = PrivacyLedger(imported_site)
    assert [e.seeded for e in ledger.entries()] == [True, True]
    assert ledger.summary()["nominal"] is True
    assert main(["--data-dir", str(imported_site), "privacy"]) == 0
    out = capsys.readouterr().out
    assert "NOMINAL" in out and "[SEEDED: nominal]" in out


def _constant_images(key: str, count: int) -> tuple[str, int, list[np.ndarray]]:
    """A patient whose image i is filled with the value i, so a drawn image names itself."""
    return key, 0, [np.full((4, 4), float(i), dtype=np.float32) for i in range(count)]


def _choices(dataset: PatientDataset, passes: int) -> dict[str, list[int]]:
    """Each patient's chosen image over ``passes`` passes drawing every patient in order."""
    out: dict[str, list[int]] = {r.key: [] for r in dataset.records}
    for _ in range(passes):
        for index, record in enumerate(dataset.records):
            image, _label = dataset[index]
            out[record.key].append(int(image[0, 0, 0]))
    return out


def test_the_image_a_patient_contributes_does_not_depend_on_the_other_patients() -> None:
    patients = [_constant_images(f"p{i}", 9) for i in range(5)]
    alone = _choices(PatientDataset.from_arrays(patients, seed=3), passes=12)
    newcomer = _constant_images("new", 9)
    with_newcomer = _choices(PatientDataset.from_arrays([newcomer, *patients], seed=3), passes=12)
    for key, drawn in alone.items():
        assert with_newcomer[key] == drawn, key


def test_image_choice_without_a_seed_differs_between_runs() -> None:
    patient = [_constant_images("p", 1000)]
    first = _choices(PatientDataset.from_arrays(patient), passes=8)
    second = _choices(PatientDataset.from_arrays(patient), passes=8)
    assert first != second


def test_the_ledger_commits_with_synchronous_full(data_dir: Path) -> None:
    """FULL: an entry is on disk, not only in the OS cache, before training starts."""
    ledger = PrivacyLedger(data_dir)
    with ledger._connect() as conn:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
