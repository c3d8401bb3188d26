"""A hostile site in a pairwise-masking round cannot break the round for the others.

The coordinator relays key advertisements it cannot read the secrets of, but it can check
them: an advertisement that is malformed, unsigned, or carries another site's certificate
is refused with 422 and never relayed, so the honest sites' key agreement (which refuses
the whole list if one entry is forged) goes ahead.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from coordinator_loopback import Federation
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from coordinator.client import RequestRefusedError
from coordinator.protocol import masking_round_id, masking_threshold
from coordinator.round_state import MaskingStep
from coordinator.secure.masking import MaskingParticipant
from siteapp.federation.round_polling import wait_for_round

SITES = ["a", "b", "c"]
FUZZED_ADVERTISEMENTS = 25
ADVERTISEMENT_FIELDS = ["type", "certificate", "signature", "cipher_public_key", "mask_public_key", "x"]
field_values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=40), st.lists(st.integers(), max_size=3))


def _participant(fed: Federation, site: str) -> MaskingParticipant:
    kit = fed.kit(site)
    key = serialization.load_pem_private_key(kit.key_pem, None)
    return MaskingParticipant(site, masking_round_id(fed.plan, 1), key, kit.cert_pem,  # type: ignore[arg-type]
                              kit.ca_pem, masking_threshold(fed.plan))


def _forgeries(own: dict[str, Any], other: dict[str, Any]) -> dict[str, dict[str, Any]]:
    unsigned = {k: v for k, v in own.items() if k != "signature"}
    wrong_type = {**own, "type": "not-an-advertisement"}
    stolen_cert = {**own, "certificate": other["certificate"]}
    swapped_key = {**own, "mask_public_key": other["mask_public_key"]}
    bad_base64 = {**own, "cipher_public_key": "%%%"}
    return {"unsigned": unsigned, "wrong type": wrong_type, "another site's certificate": stolen_cert,
            "tampered key": swapped_key, "bad base64": bad_base64, "bare ids": {k: own[k] for k in ("site_id", "round_id")}}


def test_forged_advertisements_are_refused_and_the_round_goes_on(make_federation) -> None:
    fed: Federation = make_federation(mode="masking", sites=SITES, min_sites=3, rounds=1)
    clients = {s: fed.client(s) for s in SITES}
    participants = {s: _participant(fed, s) for s in SITES}
    adverts = {s: p.advertise() for s, p in participants.items()}

    for why, forged in _forgeries(adverts["a"], adverts["b"]).items():
        with pytest.raises(RequestRefusedError) as refused:
            clients["a"].post_masking(1, MaskingStep.ADVERTISE, copy.deepcopy(forged))
            pytest.fail(f"a forged advertisement ({why}) was relayed")
        assert refused.value.status == 422, (why, refused.value.detail)
        assert "advertisement" in refused.value.detail, refused.value.detail

    @settings(max_examples=FUZZED_ADVERTISEMENTS, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(fields=st.dictionaries(st.sampled_from(ADVERTISEMENT_FIELDS), field_values, max_size=6),
           keep=st.sets(st.sampled_from(ADVERTISEMENT_FIELDS)))
    def fuzzed(fields: dict[str, Any], keep: set[str]) -> None:
        genuine = {k: v for k, v in adverts["c"].items() if k in keep}
        body = {**genuine, **fields, "site_id": "c", "round_id": adverts["c"]["round_id"]}
        if body == adverts["c"]:
            return
        with pytest.raises(RequestRefusedError) as refused:
            clients["c"].post_masking(1, MaskingStep.ADVERTISE, body)
        assert refused.value.status == 422, refused.value.detail

    fuzzed()
    assert clients["a"].round_state().masking_step == MaskingStep.ADVERTISE
    for s in SITES:
        clients[s].post_masking(1, MaskingStep.ADVERTISE, adverts[s])
    state = wait_for_round(clients["a"].round_state, lambda st: st.masking_step != MaskingStep.ADVERTISE,
                           timeout_s=20, poll_s=0.05)
    assert state.masking_step == MaskingStep.SHARE
    relayed = clients["b"].get_masking(1, MaskingStep.ADVERTISE)
    assert sorted(a["site_id"] for a in relayed) == SITES
    for s in SITES:
        shares = participants[s].share_keys(relayed)  # raises if any relayed entry were forged
        assert sorted(shares) == sorted(set(SITES) - {s})
