"""`medfed-site train --local` on an imported phantom site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from siteapp.cli import main
from siteapp.privacy.ledger import PrivacyLedger
from siteapp.training import local
from siteapp.training.checkpoints import list_checkpoints


def test_local_training_records_ledger_metrics_and_checkpoints(
    imported_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "--data-dir",
            str(imported_site),
            "train",
            "--local",
            "--rounds",
            "2",
            "--epochs-per-round",
            "1",
            "--target-epsilon",
            "6",
            "--device",
            "cpu",
            "--batch-patients",
            "4",
            "--json",
        ]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["device"] == "cpu" and doc["model"] == "compact_cnn"
    assert doc["patients_train"] > 0 and doc["patients_val"] > 0
    assert [r["round"] for r in doc["rounds"]] == [1, 2]
    eps = [r["epsilon_after"] for r in doc["rounds"]]
    assert 0 < eps[0] < eps[1] <= 6.0 and eps[1] >= 0.95 * 6.0
    metrics = doc["rounds"][1]["metrics"]
    assert metrics["count"] == doc["patients_val"] and len(metrics["confusion_matrix"]) == 2
    assert [c.round for c in list_checkpoints(imported_site, "local")] == [1, 2]
    ledger = PrivacyLedger(imported_site)
    assert [e.status for e in ledger.entries()] == ["completed", "completed"]
    assert ledger.epsilon_spent() == pytest.approx(doc["epsilon_spent"])


def test_cap_refusal_happens_before_any_training(
    imported_site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    trained: list[object] = []
    monkeypatch.setattr(local, "train_round", lambda *a, **k: trained.append(a))
    assert main(["--data-dir", str(imported_site), "privacy", "set-cap", "--epsilon", "1"]) == 0
    code = main(
        [
            "--data-dir",
            str(imported_site),
            "train",
            "--local",
            "--rounds",
            "3",
            "--noise-multiplier",
            "0.5",
            "--device",
            "cpu",
        ]
    )
    assert code == 3
    assert "above its cap" in capsys.readouterr().err
    assert trained == []
    assert PrivacyLedger(imported_site).entries() == []
    assert list_checkpoints(imported_site) == []
