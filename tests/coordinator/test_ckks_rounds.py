"""A CKKS round over the real server: the coordinator adds ciphertexts it cannot read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from coordinator_loopback import SITES, UPDATE_LENGTH, Federation, wait_published
from cryptography import x509

from coordinator.client import RequestRefusedError
from coordinator.secure.ckks import context_has_secret_key
from coordinator.secure.ckks_contributions import open_aggregate


def test_ckks_round_publishes_the_encrypted_weighted_sum(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(mode="ckks", rounds=1, strategy="fedadam")
    kits = {s: fed.kit(s) for s in SITES}
    # Site a made the key and sealed it to b and c: all three hold the same secret.
    secret = fed.ckks_secret("a")
    assert context_has_secret_key(secret) and all(fed.ckks_secret(s) == secret for s in SITES)
    clients = {s: fed.client(s) for s in SITES}
    rng = np.random.default_rng(3)
    updates = {s: rng.normal(scale=0.01, size=UPDATE_LENGTH) for s in SITES}
    counts = {"a": 5, "b": 7, "c": 11}

    with pytest.raises(RequestRefusedError, match="malformed") as bad:
        clients["a"].upload_update(1, b"\x00" * 64, None)
    assert bad.value.status == 422
    clients["a"].upload_update(1, fed.ckks_upload("a", 1, updates["a"], counts["a"]), None)
    with pytest.raises(RequestRefusedError, match=f"holds {UPDATE_LENGTH - 1} values") as short:
        clients["b"].upload_update(1, fed.ckks_upload("b", 1, updates["b"][:-1], counts["b"]), None)
    assert short.value.status == 422
    with pytest.raises(RequestRefusedError, match="replayed or relabelled") as relabelled:
        clients["b"].upload_update(1, fed.ckks_upload("c", 1, updates["b"], counts["b"]), None)
    assert relabelled.value.status == 422
    for s in ("b", "c"):
        clients[s].upload_update(1, fed.ckks_upload(s, 1, updates[s], counts[s]), None)

    wait_published(clients["a"], 1)
    clients["b"].download_result(1, tmp_path / "sum.ckks")
    total, count, contributors = open_aggregate(
        secret, x509.load_pem_x509_certificate(kits["b"].ca_pem), (tmp_path / "sum.ckks").read_bytes(),
        federation="test", round_number=1, sites=SITES, min_sites=2,
    )
    assert contributors == SITES
    expected = sum(counts[s] * updates[s] for s in SITES)
    np.testing.assert_allclose(total, expected, atol=1e-5)
    assert count == pytest.approx(23, abs=1e-5)

    from coordinator import cli

    assert cli.main(["export", "--kit", str(fed.kit_dir), *fed.store_args(),
                     "--round", "1", "--out", str(tmp_path / "x")]) == 1
