"""The synthetic-image generator trained by a real federation: a coordinator on loopback,
three sites, a plan whose first round trains the generator and whose second trains the
classifier on real patients plus synthetic positives.

* CKKS: the generator round runs end to end (encrypted, aggregated, decrypted at every
  site), its privacy cost is a ledger entry of its own context, composed with the
  classifier's under the site's cap.
* Plaintext (TLS only, the least disguised upload): no synthetic image, and no synthetic
  record's key, is in any byte a site sends or in its audit log.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from harness import FAST, SITES, make_federation, run_sites
from safetensors.numpy import load_file
from test_no_data_leaves_site import WireCapture, _chunks

from coordinator.protocol import GeneratorTraining
from siteapp.federation.audit import AuditLog
from siteapp.federation.settings import CONTEXT, STATE_DIRNAME
from siteapp.privacy.ledger import PrivacyLedger, RecordSet
from siteapp.privacy.randomness import seed_for
from siteapp.synthesis.plan_rounds import GENERATOR_CONTEXT_SUFFIX, split_weights, synthetic_count
from siteapp.synthesis.synthetic_data import (
    generator_update_length,
    generator_with,
    plan_generator,
    synthetic_patients,
)
from siteapp.tasks import demo_task
from siteapp.training.initial_model import initial_model, plan_update_length
from siteapp.training.weights import trainable_state

# A tiny generator: one round of a few DP steps.
GENERATOR = {"rounds": 1, "latent": 4, "width": 4, "epochs_per_round": 1, "batch_size": 4,
             "target_epsilon_per_round": 1.0}
AUGMENTATION = {"classes": ["nodule"], "images_per_class": 3}


def _plan_fields(mode: str) -> dict[str, object]:
    task = demo_task("lung-ct-nodule")
    fields: dict[str, object] = {"mode": mode, "rounds": 2, "generator": GENERATOR,
                                 "augmentation": AUGMENTATION, "task": task}
    if mode != "none":
        generator = generator_update_length(task, GeneratorTraining.model_validate(GENERATOR))
        fields["update_length"] = plan_update_length(task) + generator
    return fields


def _weights_after(data_dir: Path, federation: str, number: int) -> dict[str, np.ndarray]:
    return load_file(data_dir / STATE_DIRNAME / federation / "global" / f"round-{number:04d}.weights.safetensors")


def test_ckks_generator_round_trains_records_and_caps(site_templates: dict[str, Path], tmp_path: Path) -> None:
    fed = make_federation(tmp_path / "fed", site_templates, **_plan_fields("ckks"))
    try:
        run_sites(fed)
        reports = fed.reports
    finally:
        fed.stop()
    task = demo_task("lung-ct-nodule")
    initial = trainable_state(initial_model(task, fed.plan.model, fed.plan.init_seed))
    start = plan_generator(fed.plan, task)
    assert start is not None
    generator_zero = trainable_state(start)
    for site in SITES:
        report = reports[site]
        assert report.finished and [r.round for r in report.rounds] == [1, 2]
        ledger = PrivacyLedger(fed.data_dirs[site])
        entries = ledger.entries(RecordSet.TRAINING)
        generator_entry, classifier_entry = entries
        assert generator_entry.context == f"{CONTEXT}:loopback{GENERATOR_CONTEXT_SUFFIX}"
        assert classifier_entry.context == f"{CONTEXT}:loopback"
        assert generator_entry.status == classifier_entry.status == "completed"
        assert generator_entry.seeded and classifier_entry.seeded  # the tests' fixed seed is marked
        # the two compose: the classifier's entry reports the total after both
        assert classifier_entry.epsilon_after > generator_entry.epsilon_after > 0
        assert ledger.epsilon_spent(RecordSet.TRAINING) <= ledger.cap().epsilon
        # the classifier round sampled real and synthetic patients; the ledger counts real ones
        assert classifier_entry.records == generator_entry.records
        assert report.rounds[0].metrics["validation_report"].startswith("not reported: a generator round")

        classifier_one, generator_one = split_weights(_weights_after(fed.data_dirs[site], "loopback", 1))
        # round 1 moved the generator (decrypted aggregate) and left the classifier alone
        assert any(not np.allclose(generator_one[k], generator_zero[k]) for k in generator_zero)
        assert all(np.allclose(classifier_one[k], initial[k], atol=1e-4) for k in initial)
    # every site decrypted the same generator
    first = _weights_after(fed.data_dirs[SITES[0]], "loopback", 1)
    for site in SITES[1:]:
        other = _weights_after(fed.data_dirs[site], "loopback", 1)
        assert all(np.allclose(first[k], other[k]) for k in first)


def test_cap_refuses_generator_plan_before_anything_is_spent(site_templates: dict[str, Path], tmp_path: Path) -> None:
    """The cap is checked against generator AND classifier rounds before round 1."""
    fed = make_federation(tmp_path / "fed", site_templates, **_plan_fields("none"))
    try:
        PrivacyLedger(fed.data_dirs["a"]).set_cap(1.0)  # the generator round fits, both rounds do not
        from siteapp.federation.errors import PlanRefusedError

        with pytest.raises(PlanRefusedError, match="2 remaining round"):
            fed.runner("a").run()
    finally:
        fed.stop()
    assert PrivacyLedger(fed.data_dirs["a"]).entries() == []


def test_synthetic_images_never_leave_the_site(site_templates: dict[str, Path], tmp_path: Path) -> None:
    fed = make_federation(tmp_path / "fed", site_templates, **_plan_fields("none"))
    try:
        with WireCapture() as wire:
            run_sites(fed)
    finally:
        fed.stop()
    sent = wire.everything
    task = demo_task("lung-ct-nodule")
    assert b"synthetic-" not in sent  # no synthetic record key (weight names say synthetic_generator.)
    for site in SITES:
        data_dir = fed.data_dirs[site]
        # the synthetic patients this site trained on in round 2, drawn again from the
        # same generator weights and the tests' fixed seed
        _, generator_weights = split_weights(_weights_after(data_dir, "loopback", 1))
        generator = plan_generator(fed.plan, task)
        assert generator is not None
        synthetic = synthetic_patients(
            generator_with(generator, generator_weights), task, AUGMENTATION["classes"],
            int(AUGMENTATION["images_per_class"]),
            seed_for(FAST.insecure_fixed_dp_seed, site, 2, "synthetic"),
        )
        assert len(synthetic) == synthetic_count(fed.plan)
        assert all(r.synthetic and r.key.startswith("synthetic-") for r in synthetic.records)
        chunks = [c for i in range(len(synthetic)) for c in _chunks(synthetic.image(i, 0).numpy().tobytes())]
        assert len(chunks) >= len(synthetic), "the search has something to find"
        assert not [c for c in chunks if c in sent], f"a synthetic image of site {site} left the site"
        # nor is one in the audit log (its payload descriptions, hashes, anything stored)
        rows = AuditLog(data_dir).query()
        assert rows and not any("synthetic-" in str(vars(r)) for r in rows)
        stored = b"".join(p.read_bytes() for p in data_dir.rglob("*.sqlite*"))
        assert not [c for c in chunks if c in stored]
        # and none entered the DICOM index
        for db in data_dir.rglob("*.sqlite"):
            conn = sqlite3.connect(db)
            try:
                tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
                for table in tables:
                    dump = str(conn.execute(f'SELECT * FROM "{table}"').fetchall())
                    assert "synthetic-" not in dump, f"a synthetic record is in {db.name}:{table}"
            finally:
                conn.close()
