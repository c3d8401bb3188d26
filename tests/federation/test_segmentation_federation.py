"""A segmentation federation end to end: three phantom hospitals with lesion masks (DICOM
SEG beside the CT images) import them, check their masks against the plan's
segmentation task, and train MONAI's U-Net with patient-level DP-SGD through CKKS
rounds; each site records the rounds in its ledger, keeps its exact Dice and HD95, and
sends them only as a noised histogram, from which the coordinator reads the
federation's Dice and HD95."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import SITES, LoopbackFederation, make_federation, run_sites

from coordinator.client import CoordinatorClient
from siteapp.dicom.importer import import_paths
from siteapp.dicom.task_fit import task_fit_problems
from siteapp.privacy.ledger import PrivacyLedger
from siteapp.tasks import demo_task
from siteapp.training.checkpoints import list_checkpoints

TASK = demo_task("lung-ct-nodule-seg")
ROUNDS = 2
LOCAL = {"epochs_per_round": 2, "batch_size": 4, "optimizer": "adam", "learning_rate": 0.01,
         "target_epsilon_per_round": 3.0, "target_delta": 1e-3}


@pytest.fixture(scope="module")
def masked_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from siteapp.dicom.phantom import generate_phantom_sites

    root = tmp_path_factory.mktemp("seg-phantom")
    generate_phantom_sites(root, 3, 12, seed=5, task="lung-ct-nodule", slices=2, masks=True)
    templates = {}
    for index, site in enumerate(SITES, start=1):
        templates[site] = root / f"{site}-template"
        import_paths(templates[site], [root / f"site-{index}"])
    return templates


@pytest.fixture(scope="module")
def seg_federation(
    tmp_path_factory: pytest.TempPathFactory, masked_templates: dict[str, Path]
) -> LoopbackFederation:
    fed = make_federation(tmp_path_factory.mktemp("seg-federation"), masked_templates,
                          mode="ckks", task=TASK, model="unet_small", rounds=ROUNDS, local=LOCAL)
    try:
        for site in SITES:
            assert task_fit_problems(fed.data_dirs[site], TASK) == []
        run_sites(fed, SITES)
    finally:
        fed.stop()
    return fed


def test_three_sites_train_a_unet_through_ckks_rounds(seg_federation: LoopbackFederation) -> None:
    assert seg_federation.plan.mode.value == "ckks" and seg_federation.plan.task.is_segmentation
    for site in SITES:
        report = seg_federation.reports[site]
        assert report.finished and len(report.rounds) == ROUNDS
        for outcome in report.rounds:
            metrics = outcome.metrics
            assert 0.0 <= metrics["dice"] <= 1.0 and metrics["hd95_mm"] >= 0.0
            assert "dice:nodule" in metrics and metrics["patients"] > 0
            assert str(metrics["validation_report"]).startswith("reported with Gaussian noise")
        checkpoints = list_checkpoints(seg_federation.data_dirs[site], source="federated")
        assert [c.metrics["dice"] for c in checkpoints][-1] == report.rounds[-1].metrics["dice"]


def test_the_ledger_records_segmentation_training_like_any_training(
    seg_federation: LoopbackFederation,
) -> None:
    for site in SITES:
        ledger = PrivacyLedger(seg_federation.data_dirs[site])
        training = ledger.entries("training")
        validation = ledger.entries("validation")
        assert len(training) == ROUNDS and all(e.status == "completed" for e in training)
        assert all(e.noise_multiplier > 0 and e.records > 0 for e in training)
        assert len(validation) == ROUNDS  # the noised Dice/HD95 histogram, one per round
        assert ledger.epsilon_spent() > 0


def test_the_coordinator_reads_dice_and_hd95_from_the_noised_histograms(
    seg_federation: LoopbackFederation,
) -> None:
    fed = seg_federation
    fed.start()
    try:
        status = CoordinatorClient(fed.kit("a")).status()
    finally:
        fed.stop()
    published = [r for r in status.rounds if r.metrics]
    assert len(published) == ROUNDS
    for summary in published:
        assert set(summary.metrics) == {"dice", "hd95_mm"}
        assert sorted(summary.metrics_sites) == sorted(SITES)


@pytest.mark.parametrize("mode", ["masking", "none"])
def test_masking_and_tls_only_rounds_train_the_unet_too(
    mode: str, tmp_path: Path, masked_templates: dict[str, Path]
) -> None:
    fed = make_federation(tmp_path, masked_templates, mode=mode, task=TASK, model="unet_small",
                          rounds=1, local=LOCAL)
    try:
        run_sites(fed, SITES)
    finally:
        fed.stop()
    for site in SITES:
        (outcome,) = fed.reports[site].rounds
        assert outcome.mode == mode and 0.0 <= outcome.metrics["dice"] <= 1.0
