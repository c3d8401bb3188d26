"""CKKS secure sum: sites encrypt, the coordinator adds with the public context only.

Relative error is measured per parameter as |decrypted - plaintext| / max(|plaintext|,
1e-4) on the FedAvg weighted mean; docs/secure-aggregation.md justifies the floor.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordinator.secure import ckks
from coordinator.secure.errors import (
    InvalidContextError,
    InvalidUpdateError,
    UpdateOutOfRangeError,
)

RELATIVE_FLOOR = 1e-4
LENGTH = 10_000


@pytest.fixture(scope="module")
def contexts() -> tuple[bytes, bytes]:
    return ckks.create_context()


@pytest.fixture(scope="module")
def upload(contexts: tuple[bytes, bytes]) -> bytes:
    secret, _ = contexts
    return ckks.encrypt_update(secret, np.random.default_rng(0).normal(0, 0.01, LENGTH), 12)


def _relative_error(estimate: np.ndarray, truth: np.ndarray) -> float:
    return float(np.max(np.abs(estimate - truth) / np.maximum(np.abs(truth), RELATIVE_FLOOR)))


def test_fedavg_of_encrypted_updates_matches_plaintext(contexts: tuple[bytes, bytes]) -> None:
    secret, public = contexts
    rng = np.random.default_rng(1)
    updates = [(rng.normal(0, 0.01, LENGTH), int(n)) for n in rng.integers(1, 200, 5)]
    updates[0][0][:4] = [0.5, -0.5, 1e-7, 0.0]
    summed = ckks.CkksSum(public)
    for vector, examples in updates:
        summed.add(ckks.encrypt_update(secret, vector, examples))
    total, count = ckks.decrypt_aggregate(secret, summed.result())
    plain_count = sum(n for _, n in updates)
    plain_mean = np.sum([n * x for x, n in updates], axis=0) / plain_count
    assert count == pytest.approx(plain_count, abs=1e-6)
    assert total.shape == (LENGTH,)
    assert _relative_error(total / count, plain_mean) < 1e-6


def test_hundred_sites_at_the_per_site_bound_sum_without_overflow(
    contexts: tuple[bytes, bytes],
) -> None:
    secret, public = contexts
    examples = 2000  # close to the per-site bound 2**18 / 100
    peak = 2**18 / 100 / examples
    vector = np.array([peak, -peak, peak / 3, 0.0, 1e-4])
    summed = ckks.CkksSum(public)
    for _ in range(100):
        summed.add(ckks.encrypt_update(secret, vector, examples))
    total, count = ckks.decrypt_aggregate(secret, summed.result())
    assert count == pytest.approx(100 * examples, abs=1e-4)
    assert _relative_error(total / count, vector) < 1e-6


def test_public_context_has_no_secret_key_and_cannot_decrypt(
    contexts: tuple[bytes, bytes], upload: bytes
) -> None:
    secret, public = contexts
    secret_key_bytes = ckks._load_context(secret, need_secret=True).secret_key_bytes
    assert secret_key_bytes and secret_key_bytes not in public
    assert ckks.context_has_secret_key(secret) and not ckks.context_has_secret_key(public)
    with pytest.raises(InvalidContextError, match="no secret key"):
        ckks.decrypt_aggregate(public, upload)
    with pytest.raises(InvalidContextError):
        ckks.encrypt_update(public, np.zeros(3), 1)

    # What a curious coordinator could try with TenSEAL: SEAL refuses a keyless
    # decryptor, and a key it generates itself for the same parameters yields noise.
    import tenseal.sealapi as seal

    ctx = ckks._load_context(public, need_secret=False)
    with pytest.raises(ValueError):
        seal.Decryptor(ctx.seal_context, seal.SecretKey())
    own_key = seal.KeyGenerator(ctx.seal_context).secret_key()
    decryptor = seal.Decryptor(ctx.seal_context, own_key)
    stream = io.BytesIO(upload)
    header = ckks._read_header(ctx, stream)
    with ckks.SealScratch() as scratch:
        first = next(ckks._read_ciphertexts(ctx, stream, header, scratch))
        plain = seal.Plaintext()
        decryptor.decrypt(first, plain)
    garbage = np.abs(np.asarray(ctx.encoder.decode_complex(plain)))
    assert np.median(garbage) > 1e3  # the true values are about 0.1


def test_validate_accepts_upload_and_reports_length(
    contexts: tuple[bytes, bytes], upload: bytes
) -> None:
    _, public = contexts
    assert ckks.validate_ckks_blob(public, upload) == LENGTH
    assert len(upload) / LENGTH < 10  # about 8 bytes per parameter at this size


@settings(max_examples=15, deadline=None)
@given(cut=st.floats(min_value=0.0, max_value=0.999))
def test_truncated_upload_is_refused(
    contexts: tuple[bytes, bytes], upload: bytes, cut: float
) -> None:
    _, public = contexts
    with pytest.raises(InvalidUpdateError):
        ckks.validate_ckks_blob(public, upload[: int(len(upload) * cut)])


def test_garbage_and_foreign_uploads_are_refused(
    contexts: tuple[bytes, bytes], upload: bytes
) -> None:
    _, public = contexts
    with pytest.raises(InvalidUpdateError, match="magic"):
        ckks.validate_ckks_blob(public, b"\x00" * 5000)
    with pytest.raises(InvalidUpdateError):
        ckks.validate_ckks_blob(public, upload[:60] + bytes(len(upload) - 60))
    with pytest.raises(InvalidUpdateError, match="after its last"):
        ckks.validate_ckks_blob(public, upload + b"x")
    other_secret, other_public = ckks.create_context()
    foreign = ckks.encrypt_update(other_secret, np.zeros(LENGTH), 1)
    with pytest.raises(InvalidUpdateError, match="different CKKS context"):
        ckks.validate_ckks_blob(public, foreign)
    with pytest.raises(InvalidUpdateError, match="different CKKS context"):
        ckks.CkksSum(other_public).add(upload)


def test_corrupt_upload_leaves_the_running_sum_untouched(
    contexts: tuple[bytes, bytes], upload: bytes
) -> None:
    secret, public = contexts
    summed = ckks.CkksSum(public)
    summed.add(upload)
    before = ckks.decrypt_aggregate(secret, summed.result())
    with pytest.raises(InvalidUpdateError):
        summed.add(upload[: len(upload) * 2 // 3])  # fails after adding some ciphertexts
    after = ckks.decrypt_aggregate(secret, summed.result())
    assert summed.updates == 1
    assert np.max(np.abs(after[0] - before[0])) < 1e-9 and after[1] == pytest.approx(before[1])


def test_sum_refuses_mismatched_lengths_and_more_sites_than_sized_for() -> None:
    secret, public = ckks.create_context(max_sites=2)
    summed = ckks.CkksSum(public)
    summed.add(ckks.encrypt_update(secret, np.zeros(10), 1))
    with pytest.raises(InvalidUpdateError, match="parameters"):
        summed.add(ckks.encrypt_update(secret, np.zeros(11), 1))
    summed.add(ckks.encrypt_update(secret, np.zeros(10), 1))
    with pytest.raises(UpdateOutOfRangeError, match="at most 2"):
        summed.add(ckks.encrypt_update(secret, np.zeros(10), 1))


def test_encrypt_refuses_values_that_could_overflow_the_sum(
    contexts: tuple[bytes, bytes],
) -> None:
    secret, _ = contexts
    with pytest.raises(UpdateOutOfRangeError, match="clip"):
        ckks.encrypt_update(secret, np.array([3000.0]), 1)
    with pytest.raises(UpdateOutOfRangeError, match="num_examples"):
        ckks.encrypt_update(secret, np.zeros(3), 5000)
    with pytest.raises(UpdateOutOfRangeError, match="NaN"):
        ckks.encrypt_update(secret, np.array([np.inf]), 1)
    with pytest.raises(UpdateOutOfRangeError):
        ckks.encrypt_update(secret, np.zeros(3), 0)


def test_result_without_uploads_and_damaged_context_are_refused(
    contexts: tuple[bytes, bytes],
) -> None:
    secret, public = contexts
    with pytest.raises(InvalidUpdateError, match="No encrypted update"):
        ckks.CkksSum(public).result()
    with pytest.raises(InvalidContextError):
        ckks.CkksSum(public[:-5])
    with pytest.raises(InvalidContextError):
        ckks.decrypt_aggregate(b"not a context", b"")
    with pytest.raises(InvalidContextError):
        ckks.decrypt_aggregate(secret[:100], b"")


def test_keys_pass_through_memory_only_and_never_a_temporary_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The secret key goes through an in-memory file; a system without one (macOS,
    Windows) is refused instead of given a temporary file, as the old fallback did."""
    import tempfile

    from coordinator.secure import seal_io

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    secret, _ = ckks.create_context()
    vector = np.linspace(-0.1, 0.1, 5000)
    total, count = ckks.decrypt_aggregate(secret, ckks.encrypt_update(secret, vector, 3))
    np.testing.assert_allclose(total / count, vector, atol=1e-7)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(seal_io, "_memfd_available", lambda: False)
    with pytest.raises(InvalidContextError, match="needs Linux"):
        ckks.create_context()
    with pytest.raises(InvalidContextError, match="needs Linux"):
        ckks.decrypt_aggregate(secret, b"")
    assert list(tmp_path.iterdir()) == []
