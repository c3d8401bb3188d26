"""The study index read API and the preprocessing cache."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from siteapp.cli import main
from siteapp.dicom import cache as cache_module
from siteapp.dicom.cache import PreprocessCache
from siteapp.dicom.dataset_source import labelled_patients
from siteapp.dicom.index import StudyIndex, UnknownRecordError
from siteapp.dicom.pixels import preprocess
from siteapp.tasks import demo_task


def test_index_browses_patients_studies_series_instances(imported_site: Path) -> None:
    with StudyIndex(imported_site) as index:
        patients = index.patients()
        assert len(patients) == 12
        first = patients[0]
        assert first.patient_id == "S1-0001" and first.display_name.startswith("Phantom^")
        assert first.label in {"nodule", "no_nodule"} and first.split in {"train", "val"}
        assert (first.studies, first.series, first.instances) == (1, 1, 4)
        (study,) = index.studies(first.patient_key)
        assert study.modality == "CT" and study.instances == 4
        (series,) = index.series(study.study_uid)
        assert series.manufacturer == "SIEMENS"
        instances = index.instances(series.series_uid)
        positions = [i.slice_position or 0.0 for i in instances]
        assert positions == sorted(positions) and all(i.file_path.is_file() for i in instances)
        assert instances[0].pixel_spacing_mm == (2.6, 2.6) and instances[0].rows == 128
        counts = index.counts()
        assert counts["patients"] == 12 and counts["instances"] == 48
        assert counts["labelled_patients"] == 12


def test_set_label_updates_and_rejects_unknown_patients(imported_site: Path) -> None:
    with StudyIndex(imported_site) as index:
        key = index.patients()[0].patient_key
        index.set_label(key, None)
        assert index.patients()[0].label is None
        index.set_label(key, "nodule")
        assert index.patients()[0].label == "nodule"
        with pytest.raises(UnknownRecordError):
            index.set_label("P-0000", "nodule")


def test_studies_command_lists_json(imported_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(imported_site), "studies", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["counts"]["patients"] == 12 and len(out["patients"]) == 12


def test_second_epoch_reads_no_dicom(
    imported_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = demo_task("lung-ct-nodule")
    patient = labelled_patients(imported_site)[0]
    cache = PreprocessCache(imported_site)
    first = [cache.load(u, p, task) for u, p in zip(patient.instance_uids, patient.paths,
                                                    strict=True)]
    assert cache.misses == 4
    assert np.array_equal(first[0], preprocess(patient.paths[0], task))

    def no_dicom(*_: object, **__: object) -> np.ndarray:
        raise AssertionError("the cache read a DICOM file")

    monkeypatch.setattr(cache_module, "preprocess", no_dicom)
    again = [PreprocessCache(imported_site).load(u, p, task)
             for u, p in zip(patient.instance_uids, patient.paths, strict=True)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))


def test_cache_is_keyed_by_task_settings(imported_site: Path) -> None:
    task = demo_task("lung-ct-nodule")
    bigger = task.model_copy(update={"input": task.input.model_copy(update={"matrix": 32})})
    cache = PreprocessCache(imported_site)
    assert cache.entry_path("1.2.3", task) != cache.entry_path("1.2.3", bigger)
    patient = labelled_patients(imported_site)[0]
    assert cache.load(patient.instance_uids[0], patient.paths[0], bigger).shape == (32, 32)


def test_cache_is_safe_from_several_threads(imported_site: Path) -> None:
    task = demo_task("lung-ct-nodule")
    patient = labelled_patients(imported_site)[1]
    cache = PreprocessCache(imported_site)
    results: list[np.ndarray] = []
    lock = threading.Lock()

    def work() -> None:
        for uid, path in zip(patient.instance_uids, patient.paths, strict=True):
            image = cache.load(uid, path, task)
            with lock:
                results.append(image)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 16
    assert not list(cache.root.rglob("*.tmp"))
    expected = preprocess(patient.paths[0], task)
    assert sum(np.array_equal(r, expected) for r in results) == 4
