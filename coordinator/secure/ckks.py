"""CKKS secure sum with TenSEAL: sites encrypt, the coordinator only adds.

Sites hold the *secret context* (parameters and secret key), which one site makes and
seals to the others (:mod:`coordinator.secure.ckks_key_sharing`);
the coordinator holds the *public context* (parameters only: no secret key, no public
key, no evaluation keys, because adding ciphertexts needs none of them).

A site encrypts ``num_examples * update``, then ``num_examples`` itself, then
``CKKS_TAG_SLOTS`` secret contribution tags (:func:`contribution_tags`), packed two reals
per complex CKKS slot, with SEAL's symmetric (secret-key) encryption: a fresh
symmetric ciphertext is serialised as its first polynomial plus a 64-byte seed from which
the second is regenerated, so an upload costs about 8 bytes per parameter. The
coordinator adds uploads into one running ciphertext set (:class:`CkksSum`) and publishes
the encrypted sum; sites decrypt it (:func:`decrypt_aggregate`) and divide.

Blob layout (all integers little-endian)::

    magic "MFCKBLB1" | context fingerprint (16 B) | kind u8 | updates summed u32
    | vector length u64 | ciphertext count u32 | (length u32, SEAL ciphertext) * count
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import math
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

from coordinator.secure import settings
from coordinator.secure.errors import (
    InvalidContextError,
    InvalidUpdateError,
    UpdateOutOfRangeError,
    require_finite_update,
)
from coordinator.secure.seal_io import SealScratch

_CONTEXT_MAGIC = b"MFCKCTX1"
# magic, flags, scale bits, reserved, max sites, context id (random per federation)
_CONTEXT_HEADER = struct.Struct("<8sHHHI16s")
_FLAG_SECRET = 1
_BLOB_MAGIC = b"MFCKBLB1"
_BLOB_HEADER = struct.Struct("<8s16sBIQI")  # magic, fingerprint, kind, summed, length, count
_LENGTH = struct.Struct("<I")
_KIND_UPLOAD = 1
_KIND_AGGREGATE = 2
# SEAL/pybind report malformed input through these exception types.
_SEAL_ERRORS = (RuntimeError, ValueError, IndexError, OverflowError, MemoryError)


def _seal() -> Any:
    """Import TenSEAL's SEAL bindings lazily (a heavy native module)."""
    import tenseal.sealapi as sealapi

    return sealapi


@dataclass
class _Context:
    """A loaded context: SEAL objects plus the federation's scale and site bound."""

    seal_context: Any
    encoder: Any
    params_bytes: bytes
    scale_bits: int
    max_sites: int
    context_id: bytes
    secret_key: Any | None
    secret_key_bytes: bytes | None

    @property
    def scale(self) -> float:
        return float(2**self.scale_bits)

    @property
    def reals_per_ciphertext(self) -> int:
        return 2 * int(self.encoder.slot_count())

    @property
    def fingerprint(self) -> bytes:
        """Identifies the federation's context, so an update made with another is refused."""
        digest = hashlib.sha256(self.params_bytes)
        digest.update(struct.pack("<HI", self.scale_bits, self.max_sites))
        digest.update(self.context_id)
        return digest.digest()[:16]

    @property
    def per_site_bound(self) -> float:
        """Largest |num_examples * value| (and num_examples) one site may contribute."""
        return settings.CKKS_MAX_ABS_SUM / self.max_sites

    def ciphertext_count(self, length: int) -> int:
        return math.ceil((length + 1 + settings.CKKS_TAG_SLOTS) / self.reals_per_ciphertext)

    @property
    def tag_limit(self) -> int:
        """Largest tag value: 2^TAG_BITS, or less where the per-site bound is smaller."""
        return int(min(2**settings.CKKS_TAG_BITS, self.per_site_bound // 2))


def create_context(max_sites: int = settings.CKKS_DEFAULT_MAX_SITES) -> tuple[bytes, bytes]:
    """Make a fresh federation context: ``(secret context, public context)`` as bytes.

    Run by the federation's key-holder site: the secret context (parameters and secret
    key) is sealed to every other site; the public context (parameters only) is all the
    coordinator ever holds. ``max_sites``
    sizes the sum: each site may contribute values up to ``2**18 / max_sites``.
    """
    if max_sites < 1:
        raise ValueError("max_sites must be at least 1")
    seal = _seal()
    params = seal.EncryptionParameters(seal.SCHEME_TYPE.CKKS)
    params.set_poly_modulus_degree(settings.CKKS_POLY_MODULUS_DEGREE)
    params.set_coeff_modulus(
        seal.CoeffModulus.Create(
            settings.CKKS_POLY_MODULUS_DEGREE, list(settings.CKKS_COEFF_MODULUS_BITS)
        )
    )
    seal_context = seal.SEALContext(params, True, seal.SEC_LEVEL_TYPE.TC128)
    if not seal_context.parameters_set():
        raise InvalidContextError(
            "SEAL refused the CKKS parameters: "
            f"{seal_context.parameters_error_message()}; check coordinator.secure.settings."
        )
    secret_key = seal.KeyGenerator(seal_context).secret_key()
    with SealScratch() as scratch:
        params_bytes = scratch.dump(params.save)
        key_bytes = scratch.dump(secret_key.save)
    context_id = os.urandom(16)
    public = _pack_context(params_bytes, max_sites, context_id, None)
    secret = _pack_context(params_bytes, max_sites, context_id, key_bytes)
    return secret, public


def _pack_context(
    params_bytes: bytes, max_sites: int, context_id: bytes, key_bytes: bytes | None
) -> bytes:
    flags = _FLAG_SECRET if key_bytes is not None else 0
    parts = [
        _CONTEXT_HEADER.pack(
            _CONTEXT_MAGIC, flags, settings.CKKS_SCALE_BITS, 0, max_sites, context_id
        ),
        _LENGTH.pack(len(params_bytes)),
        params_bytes,
    ]
    if key_bytes is not None:
        parts += [_LENGTH.pack(len(key_bytes)), key_bytes]
    return b"".join(parts)


def public_context_of(secret_context: bytes) -> bytes:
    """The public context (parameters, no key) of a secret context: what the site that
    made the key gives the coordinator."""
    ctx = _load_context(secret_context, need_secret=True)
    return _pack_context(ctx.params_bytes, ctx.max_sites, ctx.context_id, None)


def context_has_secret_key(context: bytes) -> bool:
    """True if ``context`` carries a secret key (a site's copy), False for the public one."""
    return _load_context(context, need_secret=False).secret_key is not None


def _load_context(context: bytes, *, need_secret: bool) -> _Context:
    """Parse and check a context; SEAL re-checks the parameters' 128-bit security."""
    seal = _seal()
    stream = io.BytesIO(context)
    try:
        magic, flags, scale_bits, _, max_sites, context_id = _CONTEXT_HEADER.unpack(
            stream.read(_CONTEXT_HEADER.size)
        )
        if magic != _CONTEXT_MAGIC:
            raise InvalidContextError(
                "This is not a MedFed CKKS context (wrong magic bytes); "
                "the site should fetch the federation's key again."
            )
        params_bytes = _read_chunk(stream, settings.CKKS_MAX_CIPHERTEXT_BYTES)
        key_bytes = (
            _read_chunk(stream, settings.CKKS_MAX_CIPHERTEXT_BYTES)
            if flags & _FLAG_SECRET
            else None
        )
        if stream.read(1):
            raise ValueError("trailing bytes")
    except (struct.error, ValueError) as error:
        raise InvalidContextError(
            f"The CKKS context is truncated or damaged ({error}); "
            "the site should fetch the federation's key again."
        ) from error
    if need_secret and key_bytes is None:
        raise InvalidContextError(
            "This CKKS context has no secret key (it is the coordinator's public context) "
            "and cannot decrypt; sites decrypt with the secret context they share."
        )
    with SealScratch() as scratch:
        try:
            params = seal.EncryptionParameters(seal.SCHEME_TYPE.CKKS)
            scratch.parse(params_bytes, params.load)
            seal_context = seal.SEALContext(params, True, seal.SEC_LEVEL_TYPE.TC128)
            if not seal_context.parameters_set():
                raise InvalidContextError(
                    "The CKKS context's parameters are not 128-bit secure or not valid "
                    f"({seal_context.parameters_error_message()}); re-provision the federation."
                )
            secret_key = None
            if key_bytes is not None:
                secret_key = seal.SecretKey()
                scratch.parse(key_bytes, functools.partial(secret_key.load, seal_context))
        except _SEAL_ERRORS as error:
            raise InvalidContextError(
                f"SEAL could not read the CKKS context ({error}); "
                "the site should fetch the federation's key again."
            ) from error
    return _Context(
        seal_context=seal_context,
        encoder=seal.CKKSEncoder(seal_context),
        params_bytes=params_bytes,
        scale_bits=scale_bits,
        max_sites=max_sites,
        context_id=context_id,
        secret_key=secret_key,
        secret_key_bytes=key_bytes,
    )


def _read_chunk(stream: BinaryIO, limit: int) -> bytes:
    """Read one length-prefixed chunk, refusing lengths over ``limit``."""
    header = stream.read(_LENGTH.size)
    if len(header) != _LENGTH.size:
        raise ValueError("missing length prefix")
    (length,) = _LENGTH.unpack(header)
    if length > limit:
        raise ValueError(f"chunk of {length} bytes exceeds the limit of {limit}")
    data = stream.read(length)
    if len(data) != length:
        raise ValueError(f"chunk truncated at {len(data)} of {length} bytes")
    return data


def _tags(ctx: _Context, contributor: str) -> np.ndarray:
    assert ctx.secret_key_bytes is not None
    key = hashlib.sha256(b"medfed-ckks-contribution-tags-v1\n" + ctx.secret_key_bytes).digest()
    digest = hmac.new(key, contributor.encode(), hashlib.sha256).digest()
    words = np.frombuffer(digest[: 2 * settings.CKKS_TAG_SLOTS], dtype="<u2").astype(np.int64)
    return 1 + words % ctx.tag_limit


def contribution_tags(secret_context: bytes, contributors: list[str]) -> np.ndarray:
    """The summed contribution tags of ``contributors`` (e.g. ``federation/round-3/site-a``).

    Each tag is a keyed hash of the contributor under the federation's secret key, so
    only sites can compute it; an honest aggregate of these contributors' uploads
    decrypts to exactly this sum in its tag slots, anything else almost surely not.
    """
    ctx = _load_context(secret_context, need_secret=True)
    total = np.zeros(settings.CKKS_TAG_SLOTS, dtype=np.int64)
    for contributor in contributors:
        total += _tags(ctx, contributor)
    return total


def _pack_values(
    vector: np.ndarray, num_examples: int, tags: np.ndarray, reals: int
) -> np.ndarray:
    """``[n * vector..., n, tags...]`` padded with zeros to whole ciphertexts, one row each."""
    used = vector.size + 1 + tags.size
    values = np.zeros(math.ceil(used / reals) * reals, dtype=np.float64)
    np.multiply(vector, float(num_examples), out=values[: vector.size])
    values[vector.size] = float(num_examples)
    values[vector.size + 1 : used] = tags
    return values.reshape(-1, reals)


def encrypt_update(
    secret_context: bytes, vector: np.ndarray, num_examples: int, contributor: str = ""
) -> bytes:
    """Encrypt one site's update for the CKKS secure sum (run at the site).

    Encrypts ``num_examples * vector``, ``num_examples`` and the contribution tags of
    ``contributor`` (federation, round and site; see :func:`contribution_tags`); the
    coordinator's sum of
    these, once decrypted, divides into the FedAvg weighted mean. Raises
    :class:`UpdateOutOfRangeError` if a value is not finite or exceeds the per-site bound
    (``2**18 / max_sites``) that keeps the sum of ``max_sites`` updates exact.
    """
    ctx = _load_context(secret_context, need_secret=True)
    flat = np.asarray(vector, dtype=np.float64).ravel()
    if num_examples < 1:
        raise UpdateOutOfRangeError(
            f"num_examples is {num_examples}; a site must train on at least one example."
        )
    bound = ctx.per_site_bound
    if num_examples > bound:
        raise UpdateOutOfRangeError(
            f"num_examples {num_examples} exceeds the CKKS per-site bound {bound:.0f} for a "
            f"federation of up to {ctx.max_sites} sites; provision the context with fewer "
            "max_sites or cap the examples counted per round."
        )
    require_finite_update(flat)
    peak = float(np.max(np.abs(flat))) * num_examples if flat.size else 0.0
    if peak > bound:
        raise UpdateOutOfRangeError(
            f"num_examples * |update| reaches {peak:.3g}, above the CKKS per-site bound "
            f"{bound:.3g}; clip the update (client-level clipping) before encrypting."
        )
    seal = _seal()
    encryptor = seal.Encryptor(ctx.seal_context, ctx.secret_key)
    rows = _pack_values(flat, num_examples, _tags(ctx, contributor), ctx.reals_per_ciphertext)
    half = ctx.reals_per_ciphertext // 2
    out = io.BytesIO()
    out.write(
        _BLOB_HEADER.pack(_BLOB_MAGIC, ctx.fingerprint, _KIND_UPLOAD, 1, flat.size, len(rows))
    )
    with SealScratch() as scratch:
        for row in rows:
            plain = seal.Plaintext()
            ctx.encoder.encode((row[:half] + 1j * row[half:]).tolist(), ctx.scale, plain)
            data = scratch.dump(encryptor.encrypt_symmetric(plain).save)
            out.write(_LENGTH.pack(len(data)))
            out.write(data)
    return out.getvalue()


@dataclass(frozen=True)
class _BlobHeader:
    kind: int
    summed: int
    length: int
    count: int


def _read_header(ctx: _Context, stream: BinaryIO) -> _BlobHeader:
    raw = stream.read(_BLOB_HEADER.size)
    if len(raw) != _BLOB_HEADER.size:
        raise InvalidUpdateError(
            f"The encrypted update is truncated ({len(raw)} header bytes of "
            f"{_BLOB_HEADER.size}); the site should upload it again."
        )
    magic, fingerprint, kind, summed, length, count = _BLOB_HEADER.unpack(raw)
    if magic != _BLOB_MAGIC:
        raise InvalidUpdateError(
            "This is not a MedFed CKKS update (wrong magic bytes); "
            "the site should upload an update made by encrypt_update."
        )
    if fingerprint != ctx.fingerprint:
        raise InvalidUpdateError(
            "The encrypted update was made with a different CKKS context than this "
            "federation's current one (another federation's, or a key replaced after a "
            "revocation); the site must fetch the current key and upload again."
        )
    if kind not in (_KIND_UPLOAD, _KIND_AGGREGATE) or summed < 1:
        raise InvalidUpdateError(
            f"The encrypted update has an unknown kind {kind} or sums {summed} updates; "
            "the site should upload it again."
        )
    if count != ctx.ciphertext_count(length):
        raise InvalidUpdateError(
            f"The encrypted update declares {count} ciphertexts for {length} parameters "
            f"(expected {ctx.ciphertext_count(length)}); the site should upload it again."
        )
    return _BlobHeader(kind, summed, length, count)


def _read_ciphertexts(
    ctx: _Context, stream: BinaryIO, header: _BlobHeader, scratch: SealScratch
) -> Iterator[Any]:
    """Yield the blob's ciphertexts one at a time, each checked against the context."""
    seal = _seal()
    first_parms = list(ctx.seal_context.first_parms_id())
    for index in range(header.count):
        try:
            data = _read_chunk(stream, settings.CKKS_MAX_CIPHERTEXT_BYTES)
            ciphertext = seal.Ciphertext()
            scratch.parse(data, functools.partial(ciphertext.load, ctx.seal_context))
        except (ValueError, *_SEAL_ERRORS) as error:
            raise InvalidUpdateError(
                f"Ciphertext {index + 1} of {header.count} in the encrypted update is "
                f"truncated or corrupt ({error}); the site should upload it again."
            ) from error
        if (
            ciphertext.size() != 2
            or list(ciphertext.parms_id()) != first_parms
            or not ciphertext.is_ntt_form()
            or ciphertext.scale != ctx.scale
        ):
            raise InvalidUpdateError(
                f"Ciphertext {index + 1} of the encrypted update has the wrong size, level "
                "or scale for this federation; the site should upload it again."
            )
        yield ciphertext
    if stream.read(1):
        raise InvalidUpdateError(
            "The encrypted update has bytes after its last ciphertext; "
            "the site should upload it again."
        )


def validate_ckks_blob(public_context: bytes, blob: bytes) -> int:
    """Check an uploaded blob fully (every ciphertext is parsed) and return its length.

    Run by the coordinator before acknowledging an upload. Raises
    :class:`InvalidUpdateError` for truncated, garbage or wrong-parameter blobs, and for
    anything but one site's upload (an aggregate, or a header claiming several updates).
    """
    ctx = _load_context(public_context, need_secret=False)
    stream = io.BytesIO(blob)
    header = _read_header(ctx, stream)
    if header.kind != _KIND_UPLOAD or header.summed != 1:
        what = "an aggregate" if header.kind == _KIND_AGGREGATE else "a sum"
        raise InvalidUpdateError(
            f"The encrypted update claims to be {what} of {header.summed} updates; a site "
            "uploads exactly one update of its own."
        )
    with SealScratch() as scratch:
        for _ in _read_ciphertexts(ctx, stream, header, scratch):
            pass
    return header.length


class CkksSum:
    """The coordinator's running encrypted sum of uploads (additions only).

    Holds one ciphertext set: each added blob is read one ciphertext at a time and added
    in place. A blob that turns out to be corrupt half-way is rolled back, so the sum is
    never left half-updated.
    """

    def __init__(self, public_context: bytes) -> None:
        self._ctx = _load_context(public_context, need_secret=False)
        self._evaluator = _seal().Evaluator(self._ctx.seal_context)
        self._scratch = SealScratch()
        self._sum: list[Any] | None = None
        self._length: int | None = None
        self.updates = 0

    def add(self, blob: bytes) -> None:
        """Add one site's encrypted update (bytes) to the sum."""
        self.add_stream(io.BytesIO(blob))

    def add_stream(self, stream: BinaryIO) -> None:
        """Add one encrypted update read from a binary stream (e.g. a file on disk)."""
        header = _read_header(self._ctx, stream)
        if self._length is not None and header.length != self._length:
            raise InvalidUpdateError(
                f"The encrypted update has {header.length} parameters but the round's sum "
                f"has {self._length}; the site trained a different model and must re-join."
            )
        if self.updates + header.summed > self._ctx.max_sites:
            raise UpdateOutOfRangeError(
                f"The CKKS context is sized for sums of at most {self._ctx.max_sites} "
                "updates; adding more could overflow. Re-provision with a larger max_sites."
            )
        if self._sum is None:
            self._sum = list(_read_ciphertexts(self._ctx, stream, header, self._scratch))
        else:
            self._add_in_place(stream, header)
        self._length = header.length
        self.updates += header.summed

    def _add_in_place(self, stream: BinaryIO, header: _BlobHeader) -> None:
        assert self._sum is not None
        added: list[Any] = []
        try:
            for index, ciphertext in enumerate(
                _read_ciphertexts(self._ctx, stream, header, self._scratch)
            ):
                self._evaluator.add_inplace(self._sum[index], ciphertext)
                added.append(ciphertext)
        except InvalidUpdateError:
            for index, ciphertext in enumerate(added):
                self._evaluator.sub_inplace(self._sum[index], ciphertext)
            raise

    def result(self) -> bytes:
        """Serialise the encrypted sum (weighted updates and total count) for the sites."""
        if self._sum is None or self._length is None:
            raise InvalidUpdateError(
                "No encrypted update has been added to this sum yet; wait for uploads."
            )
        out = io.BytesIO()
        out.write(
            _BLOB_HEADER.pack(
                _BLOB_MAGIC,
                self._ctx.fingerprint,
                _KIND_AGGREGATE,
                self.updates,
                self._length,
                len(self._sum),
            )
        )
        for ciphertext in self._sum:
            data = self._scratch.dump(ciphertext.save)
            out.write(_LENGTH.pack(len(data)))
            out.write(data)
        return out.getvalue()


def decrypt_aggregate(secret_context: bytes, blob: bytes) -> tuple[np.ndarray, float]:
    """Decrypt a sum (or one upload) at a site: ``(sum of n_i * update_i, sum of n_i)``.

    The caller divides the first by the second to get the FedAvg weighted mean. Raises
    :class:`InvalidContextError` when given a context without the secret key. Checks
    nothing about who contributed: sites use
    :func:`coordinator.secure.ckks_contributions.open_aggregate`, which does.
    """
    total, count, _ = decrypt_with_tags(secret_context, blob)
    return total, count


def decrypt_with_tags(secret_context: bytes, blob: bytes) -> tuple[np.ndarray, float, np.ndarray]:
    """:func:`decrypt_aggregate` plus the decrypted (summed) contribution tags."""
    ctx = _load_context(secret_context, need_secret=True)
    seal = _seal()
    decryptor = seal.Decryptor(ctx.seal_context, ctx.secret_key)
    stream = io.BytesIO(blob)
    header = _read_header(ctx, stream)
    rows: list[np.ndarray] = []  # grown as ciphertexts parse: a lying header costs nothing
    with SealScratch() as scratch:
        for ciphertext in _read_ciphertexts(ctx, stream, header, scratch):
            plain = seal.Plaintext()
            decryptor.decrypt(ciphertext, plain)
            slots = np.asarray(ctx.encoder.decode_complex(plain), dtype=np.complex128)
            rows.append(np.concatenate([slots.real, slots.imag]))
    flat = np.concatenate(rows)
    tags = flat[header.length + 1 : header.length + 1 + settings.CKKS_TAG_SLOTS].copy()
    return flat[: header.length].copy(), float(flat[header.length]), tags


def context_fingerprint(context: bytes) -> str:
    """The hex fingerprint of a (secret or public) context, as uploads carry it."""
    return _load_context(context, need_secret=False).fingerprint.hex()
