"""Encrypted rounds give the plaintext result: three real sites (threads running
RoundRunner with seeded DP training) against a real coordinator over HTTPS + mTLS.

Every federation below trains the same round-1 updates (same data, initial model and
seeds), which the tests check bit for bit before comparing the global models.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from harness import (
    LOCAL,
    SITES,
    LoopbackFederation,
    SimulatedCrashError,
    crash_at,
    global_weights,
    join_sites,
    make_federation,
    run_sites,
    site_state,
    start_sites,
    uploaded_update,
)
from safetensors.numpy import load_file

from coordinator.round_state import SiteStep
from coordinator.secure.ckks import context_has_secret_key, decrypt_aggregate
from coordinator.secure.ckks_contributions import split_aggregate, split_upload
from coordinator.secure.ckks_key_sharing import SealedKey, SealedKeyError, open_sealed_key
from coordinator.secure.errors import InvalidContextError
from coordinator.secure.quantisation import masking_bounds
from coordinator.server.model_codec import read_layout
from coordinator.server.round_aggregation import aggregate_plaintext
from siteapp.federation.ckks_keys import key_folder
from siteapp.federation.update_encoding import plaintext_body
from siteapp.privacy.ledger import PrivacyLedger, RecordSet
from siteapp.training.weights import WeightLayout, unflatten

# Relative error per parameter, with the floor of docs/secure-aggregation.md: below 1e-4
# a parameter is compared absolutely at 1e-9 (half a float32 step of a 2^-6 weight).
REL_FLOOR = 1e-4
REL_TOLERANCE = 1e-5


def relative_error(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> float:
    worst = 0.0
    for name, reference in want.items():
        ref = np.asarray(reference, dtype=np.float64)
        err = np.abs(np.asarray(got[name], dtype=np.float64) - ref) / np.maximum(np.abs(ref), REL_FLOOR)
        worst = max(worst, float(err.max()))
    return worst


def model_error(got: dict[str, np.ndarray], want: dict[str, np.ndarray], before: dict[str, np.ndarray]) -> float:
    """Worst per-parameter difference of two float32 global models in units of the
    tolerance: 1e-5 relative (floor 1e-4) plus the float32 rounding both sides apply to
    the mean update and to the new weights (one rounding of a value 1e-10 away from a
    float32 tie lands one step apart; the encryption's noise is that large)."""
    worst = 0.0
    for name, reference in want.items():
        ref = reference.astype(np.float64)
        change = np.abs(ref - before[name]).astype(np.float32)
        rounding = 4 * np.spacing(np.abs(reference)).astype(np.float64) + 4 * np.spacing(change).astype(np.float64)
        tolerance = REL_TOLERANCE * np.maximum(np.abs(ref), REL_FLOOR) + rounding
        worst = max(worst, float((np.abs(got[name].astype(np.float64) - ref) / tolerance).max()))
    return worst


@pytest.fixture(scope="module")
def fedavg_runs(tmp_path_factory: pytest.TempPathFactory, site_templates: dict[str, Path]) -> Iterator[dict[str, LoopbackFederation]]:
    """One FedAvg round in each mode, same seeds, same data."""
    root = tmp_path_factory.mktemp("fedavg")
    runs: dict[str, LoopbackFederation] = {}
    try:
        for mode in ("none", "ckks", "masking"):
            runs[mode] = make_federation(root / mode, site_templates, mode=mode, rounds=1)
            run_sites(runs[mode])
            runs[mode].stop()
        yield runs
    finally:
        for fed in runs.values():
            fed.stop()


def test_all_modes_upload_the_same_updates(fedavg_runs: dict[str, LoopbackFederation]) -> None:
    for site in SITES:
        plain = uploaded_update(fedavg_runs["none"], site, 1)
        assert np.linalg.norm(plain) > 0
        for mode in ("ckks", "masking"):
            np.testing.assert_array_equal(uploaded_update(fedavg_runs[mode], site, 1), plain)


def test_ckks_fedavg_equals_plaintext_fedavg(fedavg_runs: dict[str, LoopbackFederation]) -> None:
    plain, ckks = fedavg_runs["none"], fedavg_runs["ckks"]
    # The aggregate: the decrypted CKKS mean vs the FedAvg of the same updates (float64).
    counts = {s: plain.reports[s].rounds[0].num_examples for s in SITES}
    fedavg = sum(counts[s] * uploaded_update(plain, s, 1).astype(np.float64) for s in SITES) / sum(counts.values())
    [secret] = ckks.ckks_secrets("c")
    published = next((ckks.root / "state" / "blobs" / "results").glob("round-1*")).read_bytes()
    weighted_sum, count = decrypt_aggregate(secret, split_aggregate(published)[1])
    assert count == pytest.approx(sum(counts.values()))
    assert relative_error({"mean": weighted_sum / count}, {"mean": fedavg}) <= REL_TOLERANCE
    # The global model each site computed vs the one the plaintext coordinator published.
    initial = global_weights(plain, "a", 0)
    published_model = global_weights(plain, "a", 1)
    for site in SITES:
        assert model_error(global_weights(ckks, site, 1), published_model, initial) <= 1.0
    assert relative_error(published_model, initial) > 1e-3  # the round really moved the model


def test_masking_fedavg_equals_plaintext_within_the_quantisation_bound(fedavg_runs: dict[str, LoopbackFederation]) -> None:
    fed = fedavg_runs["masking"]
    bound = masking_bounds(fed.plan).mean_error_bound
    initial = global_weights(fedavg_runs["none"], "a", 0)
    plain = global_weights(fedavg_runs["none"], "a", 1)
    for site in SITES:
        masked = global_weights(fed, site, 1)
        for name in plain:
            mean_plain = plain[name].astype(np.float64) - initial[name]
            mean_masked = masked[name].astype(np.float64) - initial[name]
            # quantisation bound plus the float32 rounding of adding the mean to the model
            slack = bound + 2 * np.spacing(np.abs(plain[name]).astype(np.float32)).astype(np.float64)
            assert np.all(np.abs(mean_masked - mean_plain) <= slack), name


def test_nothing_the_operator_or_coordinator_holds_decrypts_an_upload(
    fedavg_runs: dict[str, LoopbackFederation],
) -> None:
    """Site a made the CKKS key and sealed it to b and c through the coordinator: the
    operator's folder (CA, kits, operator and coordinator credentials) and the
    coordinator's state (store, blobs) hold no copy of it, and every CKKS context and
    private key found there fails to decrypt an upload or open a sealed copy."""
    fed = fedavg_runs["ckks"]
    secrets = {site: fed.ckks_secrets(site) for site in SITES}
    [secret] = secrets["a"]
    assert context_has_secret_key(secret) and secrets["b"] == secrets["c"] == [secret]
    for site in SITES:  # at rest: the site's data folder only, owner-only
        folder = key_folder(fed.data_dirs[site])
        assert all(p.stat().st_mode & 0o077 == 0 for p in (folder, *folder.iterdir()))
    # Slices of the secret key's serialisation: a store splits a long value over pages.
    key_slices = [secret[i : i + 64] for i in range(len(secret) // 2, len(secret) - 64, 1024)]
    blobs = fed.root / "state" / "blobs"
    one_upload = split_upload(next(p for p in (blobs / "uploads").rglob("a-*")).read_bytes())[1]
    aggregate = split_aggregate(next((blobs / "results").glob("round-1*")).read_bytes())[1]
    operator_side = [p for p in (*(fed.root / "prov").rglob("*"), *(fed.root / "state").rglob("*")) if p.is_file()]
    private_keys = []
    for path in operator_side:
        data = path.read_bytes()
        assert not any(piece in data for piece in key_slices), f"{path} holds the CKKS secret key"
        if b"PRIVATE KEY" in data:
            private_keys.append(data)
    assert len(private_keys) == 3  # the CA's, the coordinator's and the operator's
    store = fed.root / "state" / "coordinator.sqlite"
    contexts = [bytes(r[0]) for r in sqlite3.connect(store).execute(
        "SELECT public_context FROM ckks_key_generations")]
    assert contexts and not any(context_has_secret_key(c) for c in contexts)
    for context in contexts:
        for blob in (aggregate, one_upload):
            with pytest.raises(InvalidContextError, match="no secret key"):
                decrypt_aggregate(context, blob)
    sealed = [json.loads(r[0]) for r in sqlite3.connect(store).execute("SELECT body FROM ckks_sealed_keys")]
    assert {s["recipient"] for s in sealed} == {"b", "c"}
    kit = fed.kit("b")
    for pem in private_keys:
        key = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        for box in sealed:
            with pytest.raises(SealedKeyError):
                open_sealed_key(
                    SealedKey.from_json(box), federation=kit.federation, generation=1, sites=list(SITES),
                    site=box["recipient"], certificate_pem=fed.kit(box["recipient"]).cert_pem,
                    private_key=key, ca_certificate=x509.load_pem_x509_certificate(kit.ca_pem),
                )
    # the site's secret context reads the upload: n x update and n
    weighted, count = decrypt_aggregate(secret, one_upload)
    expected = uploaded_update(fed, "a", 1).astype(np.float64)
    np.testing.assert_allclose(weighted / count, expected, atol=1e-7)


def test_fedadam_under_ckks_equals_fedadam_in_plaintext(tmp_path: Path, site_templates: dict[str, Path]) -> None:
    runs = {}
    try:
        for mode in ("none", "ckks"):
            runs[mode] = make_federation(tmp_path / mode, site_templates, mode=mode, rounds=2, strategy="fedadam")
            run_sites(runs[mode])
    finally:
        for fed in runs.values():
            fed.stop()
    plain, ckks = runs["none"], runs["ckks"]
    blobs = plain.root / "state" / "blobs"
    layout = read_layout(next((blobs / "results").glob("round-1.*")), "model")
    coordinator_moments = load_file(str(next((blobs / "state").glob("round-1.*"))))
    for site in SITES:
        # Round 1: the same updates; FedAdam at the coordinator vs FedAdam at each site.
        np.testing.assert_array_equal(uploaded_update(ckks, site, 1), uploaded_update(plain, site, 1))
        before = global_weights(plain, "b", 0)
        assert model_error(global_weights(ckks, site, 1), global_weights(plain, "b", 1), before) <= 1.0
        # ... and the same moments, which the site keeps for the next round.
        model_order = list(WeightLayout.of(global_weights(ckks, site, 1)).names)
        site_moments = load_file(str(site_state(ckks, site) / "global" / "round-0001.optimiser.safetensors"))
        for j, spec in enumerate(layout):
            i = model_order.index(spec.name)
            for moment in ("m", "v"):
                ours = {spec.name: site_moments[f"{moment}.{i}"]}
                assert relative_error(ours, {spec.name: coordinator_moments[f"{moment}.{j}"]}) <= REL_TOLERANCE
    # Round 2 trains from the two (equal within 1e-9) round-1 models, so its updates differ
    # in the last bits. Give the coordinator's own FedAdam the CKKS sites' round-2 updates,
    # a site's round-1 model and the coordinator's round-1 moments: it must land where the
    # sites landed on their own.
    uploads = []
    for site in SITES:
        model_order_layout = WeightLayout.of(global_weights(ckks, site, 1))
        path = tmp_path / f"{site}-round2.safetensors"
        path.write_bytes(plaintext_body(unflatten(uploaded_update(ckks, site, 2), model_order_layout)))
        uploads.append((path, ckks.reports[site].rounds[1].num_examples))
    start_model = tmp_path / "round1-model.safetensors"
    start_model.write_bytes(plaintext_body(global_weights(ckks, "a", 1)))
    outcome = aggregate_plaintext(plain.plan, layout, start_model, uploads, coordinator_moments)
    expected = {t.name: w for t, w in zip(layout, outcome.weights, strict=True)}
    for site in SITES:
        assert model_error(global_weights(ckks, site, 2), expected, global_weights(ckks, "a", 1)) <= 1.0, site
    # the optimiser's moments live at the sites, not at the coordinator
    assert (site_state(ckks, "c") / "global" / "round-0002.optimiser.safetensors").is_file()
    assert not (ckks.root / "state" / "blobs" / "state").exists()


def test_masking_round_completes_with_a_site_dropped_after_key_sharing(tmp_path: Path, site_templates: dict[str, Path]) -> None:
    # client-level clipping of the whole update (the plan asks for it); below the ~0.5 norm
    # of a head-only update on the frozen public backbone, so it really clips
    clip = 0.1
    # Four sites (d holds a copy of c's patients), so that three survive d's dropout: a
    # secure aggregate of fewer than three sites is never published.
    sites = (*SITES, "d")
    survivors = SITES
    templates = {**site_templates, "d": site_templates["c"]}
    # The deadline closes the upload step without d; it must also leave every site time to
    # advertise its keys on a loaded test machine.
    fed = make_federation(tmp_path, templates, mode="masking", rounds=1, round_deadline_s=8.0,
                          sites=list(sites), local={**LOCAL, "update_clip_norm": clip},
                          masking={"threshold_rule": "majority"})
    try:
        # d advertises and shares its keys, then dies as it starts training
        threads = start_sites(fed, sites, on_progress={"d": crash_at(SiteStep.TRAINING)})
        join_sites(threads)
    finally:
        fed.stop()
    assert set(fed.errors) == {"d"}, fed.errors
    assert set(fed.reports) == set(survivors)
    for site in survivors:
        assert [o.round for o in fed.reports[site].rounds] == [1]
        assert fed.reports[site].finished
    # the published secure sum is exactly the mean of the survivors' updates
    n = {s: fed.reports[s].rounds[0].num_examples for s in survivors}
    mean = sum(n[s] * uploaded_update(fed, s, 1).astype(np.float64) for s in n) / sum(n.values())
    initial = global_weights(fed, "a", 0)
    got = global_weights(fed, "a", 1)
    bound = masking_bounds(fed.plan).mean_error_bound
    offset = 0
    for name, w0 in initial.items():
        size = w0.size
        delta = got[name].astype(np.float64) - w0
        slack = bound + 2 * np.spacing(np.abs(got[name])).astype(np.float64)
        assert np.all(np.abs(delta.ravel() - mean[offset:offset + size]) <= slack.ravel()), name
        offset += size
    for site in survivors:
        assert fed.reports[site].rounds[0].update_norm > clip  # DP noise alone is larger
        assert np.linalg.norm(uploaded_update(fed, site, 1)) <= clip * (1 + 1e-6)
    # d's privacy cost stays recorded although it never uploaded
    assert len(PrivacyLedger(fed.data_dirs["d"]).entries()) == 1


def test_a_site_refuses_a_relabelled_ckks_aggregate_and_says_why(fedavg_runs: dict[str, LoopbackFederation]) -> None:
    """The coordinator publishes site a's upload as round 1's aggregate (with every
    site's statement): a site that has not applied round 1 yet refuses it, uses nothing."""
    import hashlib
    import shutil
    import sqlite3

    from coordinator.secure.ckks_contributions import pack_aggregate
    from siteapp.federation.update_encoding import AggregateRejectedError

    fed = fedavg_runs["ckks"]
    blobs = fed.root / "state" / "blobs"
    result = next((blobs / "results").glob("round-1*"))
    honest = result.read_bytes()
    statements = split_aggregate(honest)[0]
    upload_a = split_upload(next((blobs / "uploads").rglob("a-*")).read_bytes())[1]
    forged = pack_aggregate(statements, upload_a)
    database = sqlite3.connect(fed.root / "state" / "coordinator.sqlite")
    history = site_state(fed, "b") / "global"
    shutil.move(history, history.with_name("global.kept"))
    try:
        result.write_bytes(forged)
        with database:
            database.execute("UPDATE rounds SET result_sha256 = ? WHERE number = 1",
                             (hashlib.sha256(forged).hexdigest(),))
        fed.start()
        runner = fed.runner("b")
        with pytest.raises(AggregateRejectedError, match=r"refused round 1's aggregate.*exactly one upload"):
            runner.global_weights(fed.plan, 1)
        runner.close()
        assert not (history.exists() and any(history.glob("round-0001*")))
    finally:
        fed.stop()
        result.write_bytes(honest)
        with database:
            database.execute("UPDATE rounds SET result_sha256 = ? WHERE number = 1",
                             (hashlib.sha256(honest).hexdigest(),))
        database.close()
        shutil.rmtree(history, ignore_errors=True)
        shutil.move(history.with_name("global.kept"), history)


def test_a_secure_median_round_survives_a_site_that_restarts_between_probes(tmp_path: Path, site_templates: dict[str, Path]) -> None:
    """fedmedian in masking mode through RoundRunner: d crashes after uploading its counts
    of probe 2 of 8, the others finish the probes without it; restarted, d does not train
    again, waits for the published median and takes the same global model."""
    probes = 8
    sites = (*SITES, "d")
    templates = {**site_templates, "d": site_templates["c"]}
    # The step deadline also bounds the training between the first probe's key sharing and
    # its upload (four sites on a loaded machine), and it is how long d is waited for.
    fed = make_federation(tmp_path, templates, mode="masking", strategy="fedmedian", rounds=1,
                          round_deadline_s=20.0, sites=list(sites),
                          masking={"threshold_rule": "majority", "probes": probes})

    def crash_after_probe_two(progress: Any) -> None:
        if progress.step == SiteStep.WAITING_FOR_OTHERS and "consistency step of secure sum 2" in progress.message:
            raise SimulatedCrashError("power cut between probes")

    try:
        join_sites(start_sites(fed, sites, on_progress={"d": crash_after_probe_two}))
        assert set(fed.errors) == {"d"}, fed.errors
        restarted = fed.runner("d").run(max_rounds=1)
        rounds = [(r.number, r.phase.value, r.failure) for r in fed.runner("a").client.status().rounds]
    finally:
        fed.stop()
    assert rounds == [(1, "published", None)], rounds
    assert [o.round for o in restarted.rounds] == [1] and restarted.rounds[0].resumed
    assert len([e for e in PrivacyLedger(fed.data_dirs["d"]).entries() if e.record_set == RecordSet.TRAINING]) == 1
    initial, got = global_weights(fed, "a", 0), global_weights(fed, "a", 1)
    held_by_d = global_weights(fed, "d", 1)
    updates = np.stack([uploaded_update(fed, s, 1) for s in SITES])
    low, high = np.clip(updates, -1, 1).min(axis=0), np.clip(updates, -1, 1).max(axis=0)
    offset, tolerance = 0, 2 / 2**probes
    for name, w0 in initial.items():
        np.testing.assert_array_equal(held_by_d[name], got[name])
        delta = (got[name].astype(np.float64) - w0).ravel()
        part = slice(offset, offset + w0.size)
        slack = tolerance + 2 * np.spacing(np.abs(got[name])).astype(np.float64).ravel()
        assert np.all(delta >= low[part] - slack) and np.all(delta <= high[part] + slack), name
        offset += w0.size
