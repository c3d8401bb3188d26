"""The federation's own task, end to end: a 3-class chest X-ray task file is provisioned
with the operator's CLI, three phantom hospitals (DX and CR rooms, MONOCHROME1 and 2)
enrol, import, label, check their data against the plan's task and join a CKKS round;
each reports per-class figures of the global model. A site whose data do not fit is
told why and spends nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness import FAST, LoopbackFederation, free_port, run_sites

from coordinator import cli as coordinator_cli
from coordinator.provisioning import load_coordinator_kit, sign_site_request
from siteapp.dicom.importer import import_paths
from siteapp.dicom.labels import import_labels
from siteapp.dicom.phantom import LABELS_FILENAME, generate_phantom_sites
from siteapp.dicom.task_fit import TaskMismatchError, task_fit_problems
from siteapp.federation.enrolment import enroll
from siteapp.federation.runner import RoundRunner
from siteapp.federation.site_keys import request_enrolment
from siteapp.privacy.ledger import PrivacyLedger

CLASSES = ["normal", "nodule", "consolidation"]
SITE_NAMES = ("north", "south", "east")
# The operator's task file, at a small grid so the suite stays fast (a real chest X-ray
# task asks for 256 px of 1.6 mm: resources/tasks/chest-xray.json).
TASK_TOML = """
name = "cxr-findings"
title = "Finding on a frontal chest radiograph"
description = "Normal, nodule or consolidation?"
modality = ["DX", "CR"]
body_part = "CHEST"
classes = ["normal", "nodule", "consolidation"]
channels = 1
default_model = "compact_cnn"

[input]
kind = "2d_image"
matrix = 32
spacing_mm = 13.0

[windowing]
percentiles = [0.5, 99.5]

[series_filter]
exclude_series_description = ["LAT"]
"""
LOCAL = {"epochs_per_round": 1, "batch_size": 6, "learning_rate": 0.05,
         "target_epsilon_per_round": 4.0, "target_delta": 1e-3}


def _provision(root: Path, mode: str = "ckks") -> LoopbackFederation:
    task_file = root / "cxr-findings.toml"
    task_file.write_text(TASK_TOML, encoding="utf-8")
    plan_file = root / "plan.json"
    from coordinator.task_definition import read_task_file
    from siteapp.training.initial_model import plan_update_length

    fields = {"local": LOCAL, "round_deadline_s": 90.0,
              "update_length": plan_update_length(read_task_file(task_file))}
    plan_file.write_text(json.dumps(fields), encoding="utf-8")
    port = free_port()
    out = root / "prov"
    code = coordinator_cli.main([
        "provision", "--federation", "cxr", "--sites", ",".join(SITE_NAMES), "--mode", mode,
        "--rounds", "1", "--min-sites", "3", "--task-file", str(task_file),
        "--plan", str(plan_file), "--out", str(out), "--address", f"https://127.0.0.1:{port}",
    ])
    assert code == 0
    kit = load_coordinator_kit(out / "coordinator")
    data_dirs = {site: root / f"{site}-data" for site in SITE_NAMES}
    # Each site makes its own key and asks; the operator signs (CSR enrolment).
    kits = {site: sign_site_request(out, request_enrolment(data_dirs[site], site)).path
            for site in SITE_NAMES}
    return LoopbackFederation(root, kit.plan, port, out / "coordinator", kits, data_dirs)


def _enrolled_north(root: Path) -> tuple[LoopbackFederation, Path]:
    """A plaintext federation with site 'north' enrolled (nothing imported yet)."""
    fed = _provision(root, mode="none")
    enroll(fed.data_dirs["north"], fed.site_kits["north"])
    return fed, fed.data_dirs["north"]


@pytest.fixture(scope="module")
def cxr_phantom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cxr-phantom")
    generate_phantom_sites(root, 3, 20, seed=3, task="chest-xray")
    return root


@pytest.fixture(scope="module")
def cxr_federation(
    tmp_path_factory: pytest.TempPathFactory, cxr_phantom: Path
) -> LoopbackFederation:
    fed = _provision(tmp_path_factory.mktemp("cxr-federation"))
    for index, site in enumerate(SITE_NAMES, start=1):
        source = cxr_phantom / f"site-{index}"
        enroll(fed.data_dirs[site], fed.site_kits[site])  # keeps the plan's task at the site
        import_paths(fed.data_dirs[site], [source])
        import_labels(fed.data_dirs[site], source / LABELS_FILENAME, "cxr-findings")
        assert task_fit_problems(fed.data_dirs[site], fed.plan.task) == []
    fed.start()
    try:
        run_sites(fed, SITE_NAMES, max_rounds=1)
    finally:
        fed.stop()
    return fed


def test_the_plan_carries_the_operators_task_file(cxr_federation: LoopbackFederation) -> None:
    task = cxr_federation.plan.task
    assert task.name == "cxr-findings" and list(task.classes) == CLASSES
    assert task.modality == ("DX", "CR") and task.matrix == 32
    assert cxr_federation.plan.mode.value == "ckks"


def test_three_sites_join_a_ckks_round_and_report_per_class_figures(
    cxr_federation: LoopbackFederation,
) -> None:
    for site in SITE_NAMES:
        report = cxr_federation.reports[site]
        assert report.finished and len(report.rounds) == 1
        metrics = report.rounds[0].metrics
        assert metrics["classes"] == CLASSES
        confusion = metrics["confusion_matrix"]
        assert len(confusion) == 3 and all(len(row) == 3 for row in confusion)
        assert sum(map(sum, confusion)) == metrics["count"] > 0
        for name in CLASSES:
            assert 0.0 <= metrics[f"sensitivity:{name}"] <= 1.0
            assert f"auc:{name}" in metrics and f"specificity:{name}" in metrics
        assert metrics["auc"] is not None  # the macro average of the one-vs-rest AUCs


def test_the_lateral_views_are_left_out_by_the_series_filter(
    cxr_federation: LoopbackFederation,
) -> None:
    from siteapp.dicom.dataset_source import labelled_patients

    data_dir = cxr_federation.data_dirs["north"]
    task = cxr_federation.plan.task
    every = labelled_patients(data_dir)
    used = labelled_patients(data_dir, modality=task.modality, series=task.series_filter.accepts)
    assert sum(len(p.paths) for p in every) > sum(len(p.paths) for p in used)
    assert all(p.name == "XR-PA.dcm" for patient in used for p in patient.paths)


def test_a_mammography_site_is_told_why_and_spends_nothing(
    tmp_path: Path, phantom_mammo: Path
) -> None:
    fed, data_dir = _enrolled_north(tmp_path)
    import_paths(data_dir, [phantom_mammo])
    import_labels(data_dir, phantom_mammo / LABELS_FILENAME, "mammo-mass")
    fed.start()
    try:
        with pytest.raises(TaskMismatchError) as caught:
            RoundRunner(data_dir, options=FAST).run(max_rounds=1)
    finally:
        fed.stop()
    message = str(caught.value)
    assert "MG" in message and "DX/CR images of the chest" in message
    assert "no privacy budget was spent" in message
    assert PrivacyLedger(data_dir).epsilon_spent() == 0.0


@pytest.fixture
def phantom_mammo(tmp_path: Path) -> Path:
    (site,) = generate_phantom_sites(tmp_path / "mg", 1, 6, seed=1, task="mammo-mass", slices=1)
    return site


def test_labels_the_task_does_not_know_and_missing_classes_are_each_named(
    tmp_path: Path, cxr_phantom: Path
) -> None:
    fed, data_dir = _enrolled_north(tmp_path)
    source = cxr_phantom / "site-1"
    import_paths(data_dir, [source])
    rows = (source / LABELS_FILENAME).read_text().splitlines()
    # every consolidation labelled with another task's class
    relabelled = [r.replace(",consolidation", ",mass") for r in rows]
    (tmp_path / "labels.csv").write_text("\n".join(relabelled) + "\n")
    import_labels(data_dir, tmp_path / "labels.csv")
    problems = task_fit_problems(data_dir, fed.plan.task)
    assert any("carry labels the task does not know: mass" in p for p in problems)
    assert any("'train' split" in p and "consolidation" in p for p in problems)
    assert any("'val' split" in p and "consolidation" in p for p in problems)


def test_the_sites_data_checks_run_before_the_coordinator_is_needed(
    tmp_path: Path, cxr_phantom: Path
) -> None:
    """Nothing imported yet: the first sentence sends the user to import, not to label."""
    fed, data_dir = _enrolled_north(tmp_path)
    (problem,) = task_fit_problems(data_dir, fed.plan.task)
    assert problem.startswith("no studies are imported")
    with pytest.raises(TaskMismatchError):  # the coordinator is not even running
        RoundRunner(data_dir, options=FAST).run(max_rounds=1)


def test_no_exact_per_class_rate_reaches_the_operator(
    cxr_federation: LoopbackFederation, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exact rates would give away the sites' confusion matrices: per-class figures stay at
    each site (its checkpoints hold them); a task without a positive class sends none."""
    code = coordinator_cli.main(["status", "--kit", str(cxr_federation.kit_dir),
                                 "--state", str(cxr_federation.root / "state")])
    out = capsys.readouterr().out
    assert code == 0
    for name in CLASSES:
        assert f"sensitivity:{name}=" not in out and f"auc:{name}=" not in out
