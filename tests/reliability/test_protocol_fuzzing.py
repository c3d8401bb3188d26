"""Every endpoint of the coordinator's published OpenAPI schema, fuzzed with hypothesis.

Malformed JSON, wrong types, huge numbers, wrong rounds, replayed uploads, truncated,
oversized, NaN/Inf and wrong-shape updates: each answer is a 4xx with a one-line
``detail`` a person can read, a refusal leaves the database and the blob folder exactly
as they were, and the server never answers 5xx. Example counts are bounded and the
generation derandomised, so the run is fast and repeatable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import numpy as np
import pytest
import requests
from coordinator_loopback import LAYOUT, Federation, blob, enrol_sites, model
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from reliability_support import snapshot

from coordinator.round_state import MaskingStep

EXAMPLES_PER_OPERATION = 30
LIMITS = {"max_update_bytes": 4096, "max_model_bytes": 4096, "max_message_bytes": 2048}
FUZZ = settings(
    max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
    phases=[Phase.explicit, Phase.generate], report_multiple_bugs=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
EXPECTED_OPERATIONS = {
    ("get", "/v1/plan"), ("get", "/v1/round"), ("get", "/v1/status"),
    ("get", "/v1/initial-model"), ("put", "/v1/initial-model"), ("get", "/v1/pretrained-weights"),
    ("get", "/v1/rounds/{round_number}/result"), ("put", "/v1/rounds/{round_number}/update"),
    ("post", "/v1/rounds/{round_number}/metrics"),
    ("get", "/v1/rounds/{round_number}/masking/{step}"),
    ("post", "/v1/rounds/{round_number}/masking/{step}"),
    ("get", "/v1/rounds/{round_number}/probes/{probe}"),
    # The federation's statistics: secure sums of their own, under this prefix.
    ("get", "/statistics/v1/plan"), ("get", "/statistics/v1/round"), ("get", "/statistics/v1/status"),
    ("get", "/statistics/v1/rounds/{round_number}/result"),
    ("put", "/statistics/v1/rounds/{round_number}/update"),
    ("get", "/statistics/v1/rounds/{round_number}/masking/{step}"),
    ("post", "/statistics/v1/rounds/{round_number}/masking/{step}"),
    ("get", "/statistics/v1/rounds/{round_number}/probes/{probe}"),
    # The CKKS key's relay (this plaintext federation refuses each with a 4xx too).
    ("get", "/v1/ckks/key"), ("put", "/v1/ckks/key/request"), ("get", "/v1/ckks/key/requests"),
    ("put", "/v1/ckks/key/{generation}/context"),
    ("get", "/v1/ckks/key/{generation}/sealed/{site}"), ("put", "/v1/ckks/key/{generation}/sealed/{site}"),
}

huge_ints = st.one_of(
    st.integers(-(2**70), 2**70), st.sampled_from([0, 1, 2, -1, 2**31, 2**63, 2**64, 10**30])
)
junk_text = st.text(st.characters(codec="utf-8", exclude_characters="/?#%"), min_size=1, max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | huge_ints | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Federation, bytes]]:
    """A plaintext federation in round 1 (open, 'a' submitted), never closing during the run."""
    from coordinator_loopback import free_port

    from coordinator.protocol import FederationPlan
    from coordinator.provisioning import provision

    root = tmp_path_factory.mktemp("fuzz")
    port = free_port()
    plan = FederationPlan.model_validate({
        "federation": "fuzz", "sites": ["a", "b", "c"], "min_sites": 3, "rounds": 2,
        "round_deadline_s": 86400, "limits": LIMITS,
    })
    prov = provision(plan, root / "prov", f"https://127.0.0.1:{port}")
    kits, keys = enrol_sites(root / "prov", plan.sites)
    fed = Federation(root, plan, port, prov.coordinator_dir, kits, root / "state", keys)
    fed.start()
    try:
        a = fed.client("a")
        a.upload_initial_model(blob(model(0)))
        upload = blob(model(1, 0.1))
        a.upload_update(1, upload, 5)
        yield fed, upload
    finally:
        fed.stop()


def _session(fed: Federation, site: str) -> requests.Session:
    """A raw mTLS session as ``site`` (``verify`` is passed per request: a session-level
    value would lose to REQUESTS_CA_BUNDLE)."""
    tls = fed.root / "tls" / site
    fed.client(site)  # writes the site's TLS files
    session = requests.Session()
    session.cert = (str(tls / "site.pem"), str(tls / "site.key"))
    return session


def _update_bodies(replay: bytes) -> st.SearchStrategy[bytes]:
    def nan_update(seed: int, value: float) -> bytes:
        arrays = model(seed, 0.1)
        arrays["fc.bias"][seed % 3] = value
        return blob(arrays)

    def wrong_shape(rows: int, cols: int) -> bytes:
        return blob({"conv.weight": np.zeros((rows, cols), np.float32), "fc.bias": np.zeros(3, np.float32)})

    valid = blob(model(7, 0.1))
    return st.one_of(
        st.binary(max_size=512),
        st.integers(0, len(valid) - 1).map(lambda n: valid[:n]),
        st.builds(nan_update, st.integers(0, 99), st.sampled_from([np.nan, np.inf, -np.inf])),
        st.builds(wrong_shape, st.integers(1, 6), st.integers(1, 6)).filter(lambda b: b != wrong_shape(4, 3)),
        st.just(blob({"conv.weight": np.zeros(LAYOUT["conv.weight"], np.int32),
                      "fc.bias": np.zeros(3, np.float32)})),
        st.just(b"\0" * (LIMITS["max_update_bytes"] + 1)),
        st.just(replay),
    )


def _json_bodies() -> st.SearchStrategy[bytes]:
    metric = st.floats(allow_nan=True, allow_infinity=True) | json_values
    report = st.fixed_dictionaries({"num_examples": huge_ints | json_values,
                                    "metrics": st.dictionaries(st.text(max_size=8), metric, max_size=3)})
    return st.one_of(
        json_values.map(lambda v: json.dumps(v).encode()),
        report.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=64),
        st.just(b'{"num_examples": 1, "metrics": {"auc": NaN}}'),
        st.just(b'{"num_examples": 1, "metrics": {"auc": 1e999}}'),
        st.just(b'{"num_examples": 1'),
        st.just(b'{"num_examples": 1, "metrics": {}, "site": "c"}'),
        st.just(json.dumps({"m": "x" * (LIMITS["max_message_bytes"] + 1)}).encode()),
    )


def _path_values(name: str) -> st.SearchStrategy[str]:
    if name == "step":
        return st.sampled_from([s.value for s in MaskingStep]) | junk_text
    return huge_ints.map(str) | junk_text


def _request_strategy(path: str, method: str, replay: bytes) -> st.SearchStrategy[dict[str, Any]]:
    names = [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]
    params = st.fixed_dictionaries({n: _path_values(n) for n in names})
    body: st.SearchStrategy[bytes | None] = st.none()
    if method == "put":
        body = _update_bodies(replay)
    elif method == "post":
        body = _json_bodies()
    query = st.none() | st.fixed_dictionaries({"num_examples": huge_ints.map(str) | junk_text})
    return st.fixed_dictionaries({"path": params, "body": body, "query": query,
                                  "site": st.sampled_from(["a", "b"])})


def _is_legitimate_upload(path: str, method: str, req: dict[str, Any], replay: bytes) -> bool:
    """A request the coordinator must accept: never generated, but guard the oracle."""
    return method == "put" and req["body"] == replay and req["site"] == "b"


def test_every_endpoint_refuses_bad_input_cleanly(fuzzed: tuple[Federation, bytes]) -> None:
    fed, replay = fuzzed
    sessions = {s: _session(fed, s) for s in ("a", "b")}
    base = f"https://127.0.0.1:{fed.port}"
    ca = str(fed.root / "tls" / "a" / "ca.pem")
    schema = sessions["a"].get(f"{base}/openapi.json", verify=ca, timeout=10).json()
    operations = {(m, p) for p, item in schema["paths"].items() for m in item}
    assert operations == EXPECTED_OPERATIONS
    answered: dict[int, int] = {}

    def check(path: str, method: str) -> Callable[..., None]:
        @FUZZ
        @given(req=_request_strategy(path, method, replay))
        def run(req: dict[str, Any]) -> None:
            if _is_legitimate_upload(path, method, req, replay):
                return
            url = base + path.format(**{k: quote(v, safe="") for k, v in req["path"].items()})
            before = snapshot(fed.state_dir)
            headers = {"Content-Type": "application/json"} if method == "post" else {}
            response = sessions[req["site"]].request(
                method.upper(), url, data=req["body"], params=req["query"], headers=headers, verify=ca, timeout=10
            )
            answered[response.status_code] = answered.get(response.status_code, 0) + 1
            assert response.status_code < 500, (method, url, response.status_code, response.text[:300])
            if response.status_code >= 400:
                detail = response.json()["detail"]
                assert isinstance(detail, str) and len(detail) > 10, detail
                assert snapshot(fed.state_dir) == before, (method, url, response.status_code)

        return run

    for method, path in sorted(EXPECTED_OPERATIONS, key=lambda op: (op[1], op[0])):
        check(path, method)()
    print("answers by status:", dict(sorted(answered.items())))
    assert {409, 413, 422} <= set(answered) and max(answered) < 500
    for session in sessions.values():
        session.close()
    state = fed.client("c").round_state()
    assert (state.number, state.phase, state.submitted) == (1, "collecting", ["a"])
    assert fed.process is not None and fed.process.poll() is None


CKKS_MUTANTS = 60


def test_mutated_ckks_ciphertexts_are_refused_or_harmless_to_the_sum() -> None:
    """The checks the coordinator runs on an encrypted upload, against seeded mutants:
    each is refused with a reason, or is a well-formed ciphertext that the homomorphic
    sum takes without error (CKKS has no integrity check: such a ciphertext is just a
    poisoned update, which no encrypted mode can detect; see docs/reliability.md)."""
    import io

    from coordinator.secure.ckks import CkksSum, create_context, encrypt_update, validate_ckks_blob
    from coordinator.secure.errors import SecureAggregationError

    secret, public = create_context()
    valid = encrypt_update(secret, np.linspace(-0.1, 0.1, 50), 4)
    rng = np.random.default_rng(0)
    outcomes = {"refused": 0, "summed": 0}
    for i in range(CKKS_MUTANTS):
        data = bytearray(valid)
        if i % 3 == 0:
            data = data[: int(rng.integers(1, len(data)))]
        else:
            for _ in range(int(rng.integers(1, 8))):
                data[int(rng.integers(len(data)))] ^= 1 << int(rng.integers(8))
        try:
            assert validate_ckks_blob(public, bytes(data)) == 50
        except SecureAggregationError as exc:
            assert str(exc)
            outcomes["refused"] += 1
            continue
        total = CkksSum(public)
        total.add_stream(io.BytesIO(valid))
        total.add_stream(io.BytesIO(bytes(data)))
        assert total.result()
        outcomes["summed"] += 1
    assert outcomes["refused"] >= CKKS_MUTANTS // 3
