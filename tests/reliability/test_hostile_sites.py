"""One enrolled site turns hostile: its bad message never ends or poisons the federation.

Each test is one attack, made as a person would make it: an enrolled site with its real
certificate sends raw HTTPS requests (or raw bytes) to a real coordinator over mutual
TLS. Each asserts the refusal (a 4xx that changes nothing: database rows and blob files
compared before and after) or that the sender was dropped from the round, and then that
the honest sites' round completes with the correct aggregate. docs/adversarial-tests.md
has the table of attacks, with what each did before the coordinator was hardened.
"""

from __future__ import annotations

import json
import struct
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from coordinator_loopback import LAYOUT, UPDATE_LENGTH, Federation, blob, model, wait_published
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from fault_launcher import SERVER_SETTINGS
from hostile_site import (
    HostileSite,
    MaskingSites,
    nested_json,
    refused_without_change,
    signed_as,
    status_of_cut_request,
    with_field,
)
from safetensors.numpy import load_file

from coordinator import cli
from coordinator.provisioning import issue_certificate
from coordinator.round_state import MaskingStep
from coordinator.secure.ckks import encrypt_update
from coordinator.secure.ckks_contributions import contributor, open_aggregate, split_aggregate
from coordinator.secure.quantisation import masking_bounds
from coordinator.settings import MAX_WIRE_INT
from siteapp.federation.round_polling import wait_for_round

SITES = ["a", "b", "c"]
HONEST = ["a", "b"]
COUNTS = {"a": 3, "b": 5, "c": 4, "d": 6}
# Masking rounds where the hostile site ends up dropped: four sites, so that the three
# honest ones meet the default threshold (over two thirds: 3 of 4).
MASKING_SITES = ["a", "b", "c", "d"]
MASKING_HONEST = ["a", "b", "d"]
# The CKKS blob header (after the signed statement): magic 8 s, context fingerprint 16 s,
# kind u8, updates summed u32.
CKKS_KIND_OFFSET, CKKS_SUMMED_OFFSET = 24, 25


# --- plaintext helpers -----------------------------------------------------------------------
def _update(seed: int, scale: float = 0.05) -> dict[str, np.ndarray]:
    return model(seed, scale)


def _fedavg(base: dict[str, np.ndarray], updates: dict[str, tuple[dict[str, np.ndarray], int]]) -> dict[str, np.ndarray]:
    total = sum(n for _, n in updates.values())
    return {k: (base[k].astype(np.float64)
                + sum(u[k].astype(np.float64) * n for u, n in updates.values()) / total).astype(np.float32)
            for k in base}


def _published(fed: Federation, site: str, number: int, dest: Path) -> dict[str, np.ndarray]:
    client = fed.client(site)
    wait_published(client, number)
    client.download_result(number, dest)
    return load_file(str(dest))


def _assert_weights(got: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    assert sorted(got) == sorted(expected)
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-5, atol=1e-6)


def _honest_plaintext_round(fed: Federation, number: int, base: dict[str, np.ndarray], tmp: Path,
                            sites: list[str] = HONEST, seed: int = 0) -> dict[str, np.ndarray]:
    updates = {s: (_update(seed + 10 * number + i), COUNTS[s]) for i, s in enumerate(sites)}
    for s, (u, n) in updates.items():
        fed.client(s).upload_update(number, blob(u), n)
    got = _published(fed, sites[0], number, tmp / f"round-{number}.st")
    expected = _fedavg(base, updates)
    _assert_weights(got, expected)
    return expected


# --- encrypted helpers -----------------------------------------------------------------------
def _secret(fed: Federation) -> bytes:
    return fed.ckks_secret("a")


def _honest_ckks_round(fed: Federation, number: int, tmp: Path, sites: list[str] = HONEST) -> None:
    """Honest sites upload signed updates; a site checks and decrypts the published sum."""
    secret = _secret(fed)
    rng = np.random.default_rng(number)
    vectors = {s: rng.normal(scale=0.01, size=UPDATE_LENGTH) for s in sites}
    for s in sites:
        fed.client(s).upload_update(number, fed.ckks_upload(s, number, vectors[s], COUNTS[s]), None)
    client = fed.client(sites[0])
    wait_published(client, number)
    client.download_result(number, tmp / f"round-{number}.ckks")
    ca = x509.load_pem_x509_certificate(fed.kit(sites[0]).ca_pem)
    total, count, contributors = open_aggregate(
        secret, ca, (tmp / f"round-{number}.ckks").read_bytes(), federation=fed.plan.federation,
        round_number=number, sites=fed.plan.sites, min_sites=fed.plan.min_sites,
    )
    assert contributors == sorted(sites)
    np.testing.assert_allclose(total, sum(COUNTS[s] * vectors[s] for s in sites), atol=1e-5)
    assert count == pytest.approx(sum(COUNTS[s] for s in sites), abs=1e-4)


def _masking_vectors(sites: list[str], seed: int = 4) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {s: rng.uniform(-0.5, 0.5, size=UPDATE_LENGTH) for s in sites}


def _assert_masked_sum(fed: Federation, tmp: Path, vectors: dict[str, np.ndarray], number: int = 1) -> None:
    got = _published(fed, "a", number, tmp / f"sum-{number}.st")
    expected = sum(COUNTS[s] * v for s, v in vectors.items())
    step = len(vectors) * sum(COUNTS[s] for s in vectors) / masking_bounds(fed.plan).scale
    np.testing.assert_allclose(got["sum"], expected, atol=step)
    assert got["count"][0] == sum(COUNTS[s] for s in vectors)


def _update_path(number: int) -> str:
    return f"/v1/rounds/{number}/update"


def _masking_path(number: int, step: MaskingStep) -> str:
    return f"/v1/rounds/{number}/masking/{step.value}"


# --- 1-3: CKKS uploads -----------------------------------------------------------------------
def test_1_a_ckks_upload_claiming_to_be_an_aggregate_is_refused(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(mode="ckks", rounds=1)
    mallory = HostileSite(fed, "c")
    genuine = bytearray(encrypt_update(_secret(fed), np.full(UPDATE_LENGTH, 0.01), 4,
                                       contributor(fed.plan.federation, 1, "c")))
    as_hundred = bytearray(genuine)
    as_hundred[CKKS_SUMMED_OFFSET:CKKS_SUMMED_OFFSET + 4] = struct.pack("<I", 100)
    as_aggregate = bytearray(as_hundred)
    as_aggregate[CKKS_KIND_OFFSET] = 2
    for forged in (as_hundred, as_aggregate):  # signed by c itself: only the header lies
        body = signed_as(fed, "c", 1, bytes(forged))
        refused_without_change(fed, lambda b=body: mallory.request("PUT", _update_path(1), data=b), 422)
    _honest_ckks_round(fed, 1, tmp_path, SITES)


def test_2_a_replayed_published_aggregate_is_refused(make_federation, tmp_path: Path) -> None:
    # Four sites: a secure aggregate needs three honest contributors besides mallory.
    fed: Federation = make_federation(mode="ckks", rounds=2, round_deadline_s=1.0, sites=MASKING_SITES)
    _honest_ckks_round(fed, 1, tmp_path, MASKING_HONEST)
    mallory = HostileSite(fed, "c")
    published = mallory.request("GET", "/v1/rounds/1/result").content
    refused_without_change(fed, lambda: mallory.request("PUT", _update_path(2), data=published), 422)
    resigned = signed_as(fed, "c", 2, split_aggregate(published)[1])  # the sum, signed by c
    response = refused_without_change(fed, lambda: mallory.request("PUT", _update_path(2), data=resigned), 422)
    assert "aggregate of 3 updates" in response.json()["detail"]
    _honest_ckks_round(fed, 2, tmp_path, MASKING_HONEST)


@pytest.mark.parametrize("mode", ["ckks", "masking"])
def test_3_a_first_upload_of_the_wrong_length_fixes_nothing(make_federation, tmp_path: Path, mode: str) -> None:
    fed: Federation = make_federation(mode=mode, rounds=1, round_deadline_s=2.0,
                                      sites=MASKING_SITES if mode == "masking" else SITES)
    mallory = HostileSite(fed, "c")
    if mode == "ckks":
        short = fed.ckks_upload("c", 1, np.full(UPDATE_LENGTH - 7, 0.01), 4)
        refused_without_change(fed, lambda: mallory.request("PUT", _update_path(1), data=short), 422)
        _honest_ckks_round(fed, 1, tmp_path, SITES)
        return
    sites = MaskingSites(fed, MASKING_SITES)
    sites.advertise(MASKING_SITES)
    sites.share(MASKING_SITES)
    sites.wait_step(MaskingStep.UPLOAD)
    shares = sites.clients["c"].get_masking(1, MaskingStep.SHARE)
    short = sites.people["c"].masked_input(shares, np.full(UPDATE_LENGTH - 7, 0.01), 4)
    refused_without_change(fed, lambda: mallory.request("PUT", _update_path(1), data=short), 422)
    vectors = _masking_vectors(MASKING_HONEST)
    sites.upload(vectors, COUNTS)
    sites.unmask(MASKING_HONEST)  # c (refused) counts as a dropout: its masks are removed
    _assert_masked_sum(fed, tmp_path, vectors)


# --- 4-7: masking messages -------------------------------------------------------------------
def test_4_an_advertisement_with_an_extra_nan_field_is_refused(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(mode="masking", rounds=1)
    mallory = HostileSite(fed, "c")
    sites = MaskingSites(fed, SITES)
    own = sites.people["c"].advertise()
    path = _masking_path(1, MaskingStep.ADVERTISE)
    for raw in ("NaN", "Infinity", '"unsigned"', '{"nested": [1, 2]}'):
        refused_without_change(fed, lambda r=raw: mallory.post_json_text(path, with_field(own, "x", r)), 422)
    sites.advertise(SITES)
    sites.share(SITES)
    for s in SITES:  # every site can read the relayed list (it was a 500 for everyone)
        assert len(sites.clients[s].get_masking(1, MaskingStep.ADVERTISE)) == 3
    vectors = _masking_vectors(SITES)
    sites.upload(vectors, COUNTS)
    sites.unmask(SITES)
    _assert_masked_sum(fed, tmp_path, vectors)


def test_5_shares_sent_to_only_some_peers_are_refused(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(mode="masking", rounds=1, round_deadline_s=1.5, sites=MASKING_SITES)
    mallory = HostileSite(fed, "c")
    sites = MaskingSites(fed, MASKING_SITES)
    sites.advertise(MASKING_SITES)
    sites.wait_step(MaskingStep.SHARE)
    adverts = sites.clients["c"].get_masking(1, MaskingStep.ADVERTISE)
    shares = sites.people["c"].share_keys(adverts)
    partial = {"a": shares["a"], "d": shares["d"]}  # b is left without c's share
    refused_without_change(fed, lambda: mallory.request("POST", _masking_path(1, MaskingStep.SHARE), json=partial), 422)
    sites.share(MASKING_HONEST)  # then c drops out; a, b, d are exactly the threshold (3 of 4)
    vectors = _masking_vectors(MASKING_HONEST)
    sites.upload(vectors, COUNTS)
    sites.unmask(MASKING_HONEST)
    _assert_masked_sum(fed, tmp_path, vectors)


def test_6_a_malformed_unmask_response_is_refused(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(mode="masking", rounds=1)
    mallory = HostileSite(fed, "c")
    sites = MaskingSites(fed, SITES)
    sites.advertise(SITES)
    sites.share(SITES)
    vectors = _masking_vectors(SITES)
    sites.upload(vectors, COUNTS)
    request = sites.unmask_request(SITES)
    answer = sites.people["c"].unmask(request)
    path = _masking_path(1, MaskingStep.UNMASK)
    forged: list[dict[str, Any]] = [
        {**answer, "x": answer["x"] % 3 + 1},                                 # another site's position
        {**answer, "seed_shares": {k: v for k, v in answer["seed_shares"].items() if k != "a"}},
        {**answer, "key_shares": {"a": "ff"}},                                # a survivor's key
        {**answer, "seed_shares": {**answer["seed_shares"], "a": "not hex"}},
        {**answer, "x": 1.5},
    ]
    for body in forged:
        refused_without_change(fed, lambda b=body: mallory.request("POST", path, json=b), 422)
    sites.unmask(SITES)
    _assert_masked_sum(fed, tmp_path, vectors)


def test_7_nested_oversized_and_cut_bodies_get_4xx_not_500(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(mode="masking", rounds=1, limits={"max_message_bytes": 64 * 1024})
    mallory = HostileSite(fed, "c")
    path = _masking_path(1, MaskingStep.ADVERTISE)
    refused_without_change(fed, lambda: mallory.post_json_text(path, nested_json(20_000)), 422)

    def chunked() -> Any:
        for _ in range(20):  # 20 x 4 KiB, no Content-Length: past the 64 KiB limit as it streams
            yield b" " * 4096

    refused_without_change(fed, lambda: mallory.request("POST", path, data=chunked()), 413)
    for target in (path, _update_path(1)):
        sock = mallory.start_body("POST" if target == path else "PUT", target, 50_000, b'{"type": "mas')
        sock.close()  # the client disconnects mid-body
    time.sleep(0.5)
    assert not list(fed.state_dir.rglob(".incoming-*"))
    sites = MaskingSites(fed, SITES)
    sites.advertise(SITES)
    sites.share(SITES)
    vectors = _masking_vectors(SITES)
    sites.upload(vectors, COUNTS)
    sites.unmask(SITES)
    _assert_masked_sum(fed, tmp_path, vectors)
    fed.stop()
    assert fed.process is not None and fed.process.stderr is not None
    log = fed.process.stderr.read().decode()
    assert "Traceback" not in log and "Exception in ASGI application" not in log, log[-2000:]


# --- 8: revocation ---------------------------------------------------------------------------
def test_8_a_revoked_sites_upload_is_dropped_and_not_waited_for(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(rounds=1, round_deadline_s=3600)
    initial = model(0)
    fed.client("a").upload_initial_model(blob(initial))
    mallory = HostileSite(fed, "c")
    poisoned = {k: np.full(v.shape, 0.5, np.float32) for k, v in initial.items()}
    assert mallory.request("PUT", _update_path(1), data=blob(poisoned), params={"num_examples": 9}).status_code == 200
    assert cli.main(["revoke", "--kit", str(fed.kit_dir), "--state", str(fed.state_dir), "c"]) == 0
    started = time.monotonic()
    _honest_plaintext_round(fed, 1, initial, tmp_path)  # FedAvg of a and b only
    assert time.monotonic() - started < 30  # closed when a and b were in, not at the deadline
    assert mallory.request("GET", "/v1/round").status_code == 403


# --- 9-11: plaintext poisoning ---------------------------------------------------------------
def test_9_a_non_finite_initial_model_is_refused(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(rounds=1)
    mallory = HostileSite(fed, "c")
    for bad in (np.nan, np.inf):
        poisoned = model(0)
        poisoned["fc.bias"][1] = bad
        refused_without_change(fed, lambda p=poisoned: mallory.request("PUT", "/v1/initial-model", data=blob(p)), 422)
    initial = model(0)
    fed.client("a").upload_initial_model(blob(initial))
    got = _honest_plaintext_round(fed, 1, initial, tmp_path, SITES)
    assert all(np.isfinite(v).all() for v in got.values())


def test_10_trimmed_mean_trims_a_site_even_when_beta_times_n_is_below_one(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(rounds=1, min_sites=3, strategy="trimmed_mean",
                                      strategy_params={"beta": 0.1}, local={"update_clip_norm": None})
    initial = model(0)
    fed.client("a").upload_initial_model(blob(initial))
    mallory = HostileSite(fed, "c")
    huge = {k: np.full(v.shape, 1e30, np.float32) for k, v in initial.items()}
    assert mallory.request("PUT", _update_path(1), data=blob(huge), params={"num_examples": 4}).status_code == 200
    honest = {s: _update(20 + i) for i, s in enumerate(HONEST)}
    for s, u in honest.items():
        fed.client(s).upload_update(1, blob(u), COUNTS[s])
    got = _published(fed, "a", 1, tmp_path / "r1.st")
    # One value cut from each end of three: the middle one, never 1e30.
    expected = {k: (initial[k] + np.minimum(np.maximum(honest["a"][k], honest["b"][k]), huge[k])) for k in initial}
    _assert_weights(got, expected)


def test_11_fedavg_clips_by_default_and_caps_the_example_count(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(rounds=2, round_deadline_s=1.0)
    assert fed.plan.local.update_clip_norm is not None
    initial = model(0)
    fed.client("a").upload_initial_model(blob(initial))
    mallory = HostileSite(fed, "c")
    huge = {k: np.full(v.shape, 3.4e38, np.float32) for k, v in initial.items()}
    small = _update(99)
    refused_without_change(fed, lambda: mallory.request(
        "PUT", _update_path(1), data=blob(huge), params={"num_examples": 4}), 422)
    refused_without_change(fed, lambda: mallory.request(
        "PUT", _update_path(1), data=blob(small), params={"num_examples": MAX_WIRE_INT}), 422)
    after_1 = _honest_plaintext_round(fed, 1, initial, tmp_path)
    _honest_plaintext_round(fed, 2, after_1, tmp_path)


def test_11_an_aggregate_that_overflows_is_not_published_and_the_next_round_opens(
    make_federation, tmp_path: Path
) -> None:
    """With clipping turned off by the plan, a site can still overflow float32; the
    coordinator checks the aggregate, fails that round only, and opens the next."""
    fed: Federation = make_federation(rounds=2, min_sites=2, local={"update_clip_norm": None})
    initial = {k: np.full(v, 3.0e38, np.float32) for k, v in LAYOUT.items()}
    fed.client("a").upload_initial_model(blob(initial))
    mallory = HostileSite(fed, "c")
    huge = {k: np.full(v, 3.0e38, np.float32) for k, v in LAYOUT.items()}
    assert mallory.request("PUT", _update_path(1), data=blob(huge), params={"num_examples": 10_000}).status_code == 200
    fed.client("a").upload_update(1, blob(_update(1)), 3)
    fed.client("b").upload_update(1, blob(_update(2)), 5)
    state = wait_for_round(fed.client("a").round_state, lambda s: s.number == 2, timeout_s=20, poll_s=0.05)
    assert state.last_published == 0 and not state.finished
    failure = fed.client("a").status().rounds[0].failure or ""
    assert "not finite" in failure
    assert mallory.request("GET", "/v1/rounds/1/result").status_code == 404


# --- also: slow bodies and connection caps ---------------------------------------------------
def test_slow_and_unfinished_uploads_hit_a_total_deadline_and_per_site_caps(
    faulty_federation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(SERVER_SETTINGS, json.dumps({
        "upload_idle_timeout_s": 30.0, "upload_total_timeout_s": 1.5, "max_requests_per_site": 2,
    }))
    fed: Federation = faulty_federation(rounds=1, round_deadline_s=1.0)
    initial = model(0)
    fed.client("a").upload_initial_model(blob(initial))
    mallory = HostileSite(fed, "c")
    trickle = mallory.start_body("PUT", _update_path(1), 10_000, b"x")
    held = mallory.start_body("PUT", _update_path(1), 10_000, b"x")
    time.sleep(0.3)
    third = mallory.request("GET", "/v1/round")
    assert third.status_code == 429 and "requests in progress" in third.json()["detail"]
    assert fed.client("a").round_state().number == 1  # other sites are served meanwhile
    for _ in range(3):  # one byte every 0.4 s: never idle, but past the total deadline
        time.sleep(0.4)
        trickle.sendall(b"x")
    assert status_of_cut_request(trickle, 5) == 408
    assert status_of_cut_request(held, 5) == 408
    assert not list(fed.state_dir.rglob(".incoming-*"))
    assert mallory.request("GET", "/v1/round").status_code == 200  # its slots are free again
    _honest_plaintext_round(fed, 1, initial, tmp_path)


# --- also: metrics, schema, failed rounds ----------------------------------------------------
def test_metrics_only_for_published_rounds_and_within_bounds(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(rounds=1, round_deadline_s=1.0)
    bins = fed.plan.validation.score_bins
    initial = model(0)
    fed.client("a").upload_initial_model(blob(initial))
    mallory = HostileSite(fed, "c")
    path = "/v1/rounds/1/metrics"
    histogram = [[1.5] * bins, [0.5] * bins]
    refused_without_change(fed, lambda: mallory.request("POST", path, json={"noisy_counts": histogram}), 409)
    _honest_plaintext_round(fed, 1, initial, tmp_path)
    for text in ('{"noisy_counts": [[Infinity, 1, 1, 1], [1, 1, 1, 1]]}',
                 '{"noisy_counts": [[1e300, 1, 1, 1], [1, 1, 1, 1]]}',
                 json.dumps({"noisy_counts": [[1.0] * 100, [1.0] * 100]}),
                 json.dumps({"noisy_counts": histogram, "metrics": {"auc": 0.9}}),
                 json.dumps({"noisy_counts": [[1.0] * bins]})):
        refused_without_change(fed, lambda t=text: mallory.post_json_text(path, t), 422)
    assert mallory.request("POST", path, json={"noisy_counts": histogram}).status_code == 204
    summary = fed.client("a").status().rounds[0]
    assert set(summary.metrics) <= {"auc", "accuracy", "sensitivity", "specificity"}


def _stranger(fed: Federation, folder: Path) -> tuple[str, str]:
    """A certificate the federation CA signed for a name the plan does not enrol."""
    ca_dir = fed.root / "prov" / "ca"
    ca_key = serialization.load_pem_private_key((ca_dir / "ca.key").read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate((ca_dir / "ca.pem").read_bytes())
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = issue_certificate("mallory", key, ca_cert, ca_key, 30, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    folder.mkdir(parents=True)
    (folder / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "c.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(folder / "c.pem"), str(folder / "c.key")


def test_the_api_schema_answers_enrolled_sites_only(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(rounds=1)
    honest, revoked = HostileSite(fed, "a"), HostileSite(fed, "c")
    assert "/v1/plan" in honest.request("GET", "/openapi.json").json()["paths"]
    for path in ("/docs", "/redoc"):
        assert honest.request("GET", path).status_code == 404
    assert cli.main(["revoke", "--kit", str(fed.kit_dir), "--state", str(fed.state_dir), "c"]) == 0
    assert revoked.request("GET", "/openapi.json").status_code == 403
    stranger = HostileSite(fed, "b")
    stranger.cert = _stranger(fed, tmp_path / "stranger")
    assert stranger.request("GET", "/openapi.json").status_code == 403


def test_a_failed_round_does_not_end_the_federation(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(rounds=1, round_deadline_s=1.0, on_deadline="fail", max_failed_rounds=1)
    initial = model(0)
    fed.client("a").upload_initial_model(blob(initial))
    fed.client("a").upload_update(1, blob(_update(1)), 3)  # alone: round 1 fails at its deadline
    state = wait_for_round(fed.client("a").round_state, lambda s: s.number == 2, timeout_s=20, poll_s=0.05)
    assert not state.finished and fed.client("a").status().rounds[0].phase == "failed"
    fed.client("a").upload_update(2, blob(_update(2)), 3)  # round 2 fails too: the budget is spent
    ended = wait_for_round(fed.client("a").round_state, lambda s: s.finished, timeout_s=20, poll_s=0.05)
    assert (ended.number, ended.phase) == (2, "failed")
    assert cli.main(["resume", "--kit", str(fed.kit_dir), "--state", str(fed.state_dir)]) == 0
    state = wait_for_round(fed.client("a").round_state, lambda s: s.number == 3, timeout_s=20, poll_s=0.05)
    assert not state.finished
    _honest_plaintext_round(fed, 3, initial, tmp_path)  # from the initial model: 1 and 2 published nothing
