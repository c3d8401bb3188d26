"""A pairwise-masking round over the real server, with one site dropping out mid-round."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from coordinator_loopback import UPDATE_LENGTH, Federation, wait_published
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from safetensors.numpy import load_file

from coordinator.client import RequestRefusedError
from coordinator.protocol import masking_round_id, masking_threshold
from coordinator.round_state import MaskingStep
from coordinator.secure.masking import MaskingParticipant
from coordinator.secure.quantisation import masking_bounds
from coordinator.words import say
from siteapp.federation.round_polling import wait_for_round


def test_masking_round_survives_a_dropout_and_publishes_the_plain_sum(make_federation, tmp_path: Path) -> None:
    # Four sites, so that three survive d's dropout: a secure aggregate of fewer than three
    # sites is never published.
    sites = ["a", "b", "c", "d"]
    survivors = ["a", "b", "c"]
    fed: Federation = make_federation(mode="masking", sites=sites, rounds=1, min_sites=3,
                                      round_deadline_s=1.5, masking={"threshold_rule": "majority"})
    plan = fed.plan
    clients = {s: fed.client(s) for s in sites}
    people = {}
    for s in sites:
        kit = fed.kit(s)
        key = serialization.load_pem_private_key(kit.key_pem, None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        people[s] = MaskingParticipant(
            s, masking_round_id(plan, 1), key, kit.cert_pem, kit.ca_pem,
            masking_threshold(plan), masking_bounds(plan),
        )

    def at(step: MaskingStep) -> None:
        wait_for_round(clients["a"].round_state, lambda st: st.masking_step == step, timeout_s=10, poll_s=0.05)

    forged = people["a"].advertise()
    with pytest.raises(RequestRefusedError, match="cannot speak for 'a'") as impostor:
        clients["b"].post_masking(1, MaskingStep.ADVERTISE, forged)
    assert impostor.value.status == 403
    for s in sites:
        clients[s].post_masking(1, MaskingStep.ADVERTISE, people[s].advertise())
    at(MaskingStep.SHARE)
    adverts = clients["a"].get_masking(1, MaskingStep.ADVERTISE)
    assert sorted(a["site_id"] for a in adverts) == sites
    for s in sites:
        clients[s].post_masking(1, MaskingStep.SHARE, people[s].share_keys(adverts))
    at(MaskingStep.UPLOAD)

    rng = np.random.default_rng(4)
    vectors = {s: rng.uniform(-0.5, 0.5, size=UPDATE_LENGTH) for s in sites}
    counts = {"a": 3, "b": 9, "c": 5, "d": 4}
    for s in survivors:  # d drops out after sharing its keys
        shares = clients[s].get_masking(1, MaskingStep.SHARE)
        assert {m["recipient"] for m in shares} == {s}
        masked = people[s].masked_input(shares, vectors[s], counts[s])
        clients[s].upload_update(1, masked, None, carried=say("masked update"))
    at(MaskingStep.CONSISTENCY)  # at the deadline, with 3 >= threshold and min_sites uploads
    with pytest.raises(RequestRefusedError, match="'consistency' step") as late:
        shares = clients["d"].get_masking(1, MaskingStep.SHARE)
        clients["d"].upload_update(1, people["d"].masked_input(shares, vectors["d"], 1), None)
    assert late.value.status == 409
    shown = clients["a"].get_masking(1, MaskingStep.CONSISTENCY)
    assert shown["survivors"] == survivors == clients["b"].get_masking(1, MaskingStep.CONSISTENCY)["survivors"]
    with pytest.raises(RequestRefusedError, match="survivor signature"):
        clients["a"].post_masking(1, MaskingStep.CONSISTENCY, {**people["a"].sign_survivors(shown), "survivors": ["a"]})
    for s in survivors:
        clients[s].post_masking(1, MaskingStep.CONSISTENCY, people[s].sign_survivors(shown))
    at(MaskingStep.UNMASK)
    request = clients["a"].get_masking(1, MaskingStep.UNMASK)
    assert request["survivors"] == survivors and len(request["signatures"]) == 3
    for s in survivors:
        clients[s].post_masking(1, MaskingStep.UNMASK, people[s].unmask(request))

    state = wait_published(clients["b"], 1)
    assert state.last_published == 1
    clients["d"].download_result(1, tmp_path / "sum.st")
    result = load_file(str(tmp_path / "sum.st"))
    expected = sum(counts[s] * vectors[s] for s in survivors)
    step = 3 * 17 / masking_bounds(plan).scale  # quantisation error of three weighted vectors
    np.testing.assert_allclose(result["sum"], expected, atol=step)
    assert result["count"][0] == 17
