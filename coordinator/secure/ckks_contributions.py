"""CKKS uploads bound to their federation, round and site, and aggregates a site can check.

An upload is a *signed upload*: the site's statement (federation, round, site, context
fingerprint and SHA-256 of the ciphertexts), signed with its certificate key, in front
of the CKKS blob of :mod:`coordinator.secure.ckks`, whose ciphertexts also carry the
site's secret contribution tags for that federation, round and site. The coordinator
checks the statement before it acknowledges the upload (:func:`open_upload`), adds the
ciphertexts, and publishes the sum with every statement it added
(:func:`aggregate_uploads`).

Before decrypting anything into its model, a site checks the published aggregate
(:func:`open_aggregate`): every statement is signed by a distinct site of the plan for
this round and this context, there are at least ``min_sites`` of them, and the decrypted
tag slots equal exactly the sum of those sites' tags. The tags are keyed hashes under
the federation's secret key, which the coordinator never holds, so it cannot relabel one
upload as an aggregate, replay an earlier round's upload or aggregate, add a site's
ciphertext to itself, or add a trivial encryption of tags it cannot compute.

Layout (little-endian)::

    magic (8 B) | statements length u32 | statements (JSON list) | CKKS blob
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from cryptography import x509

from coordinator.secure import settings
from coordinator.secure.ckks import (
    CkksSum,
    context_fingerprint,
    contribution_tags,
    decrypt_with_tags,
    encrypt_update,
    validate_ckks_blob,
)
from coordinator.secure.errors import (
    AggregateRefusedError,
    InvalidUpdateError,
    SiteSignatureError,
)
from coordinator.secure.site_signatures import SigningKey, sign_fields, verify_site_signature

UPLOAD_MAGIC = b"MFCKSUP1"
AGGREGATE_MAGIC = b"MFCKSAG1"
_PREFIX = struct.Struct("<8sI")
_DOMAIN = "medfed-ckks-upload-v1"
# A statement with its certificate is about 1 kB; this bounds the JSON a parser accepts.
_MAX_STATEMENT_BYTES = 8 * 1024
# Decrypted tags are integers; CKKS noise on a sum of them stays far below this.
_TAG_TOLERANCE = 0.05


def contributor(federation: str, round_number: int, site: str) -> str:
    """The label a site's contribution tags are derived from."""
    return f"{federation}/round-{round_number}/{site}"


@dataclass(frozen=True)
class UploadStatement:
    """What a site signs about one upload."""

    federation: str
    round: int
    site: str
    context: str  # hex fingerprint of the CKKS context the upload is encrypted under
    sha256: str  # of the CKKS blob that follows the statement
    certificate: str
    signature: str

    def fields(self) -> dict[str, Any]:
        return {
            "federation": self.federation, "round": self.round, "site": self.site,
            "context": self.context, "sha256": self.sha256,
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.fields(), "certificate": self.certificate, "signature": self.signature}

    @classmethod
    def from_json(cls, raw: Any) -> UploadStatement:
        try:
            statement = cls(
                federation=str(raw["federation"]), round=int(raw["round"]), site=str(raw["site"]),
                context=str(raw["context"]), sha256=str(raw["sha256"]),
                certificate=str(raw["certificate"]), signature=str(raw["signature"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidUpdateError(f"An upload statement is malformed ({error}).") from error
        if isinstance(raw["round"], bool) or not isinstance(raw["round"], int):
            raise InvalidUpdateError("An upload statement's round is not an integer.")
        return statement

    def verify(self, ca_certificate: x509.Certificate) -> None:
        verify_site_signature(
            _DOMAIN, self.fields(), self.signature, self.certificate, ca_certificate, self.site
        )


def _pack(magic: bytes, statements: list[UploadStatement], blob: bytes) -> bytes:
    head = json.dumps([s.to_json() for s in statements], separators=(",", ":")).encode()
    return _PREFIX.pack(magic, len(head)) + head + blob


def _read_statements(stream: BinaryIO, magic: bytes, limit: int) -> list[UploadStatement]:
    raw = stream.read(_PREFIX.size)
    if len(raw) != _PREFIX.size:
        raise InvalidUpdateError("The encrypted update is truncated before its signed statement.")
    found, length = _PREFIX.unpack(raw)
    if found != magic:
        kind = "a signed upload" if magic == UPLOAD_MAGIC else "a published aggregate"
        raise InvalidUpdateError(
            f"This is not {kind} of MedFed's CKKS mode (wrong magic bytes); an upload must be "
            "one site's own update, signed by it for this round."
        )
    if length > limit * _MAX_STATEMENT_BYTES:
        raise InvalidUpdateError(f"The signed statements take {length} bytes, more than allowed.")
    try:
        items = json.loads(stream.read(length))
    except ValueError as error:
        raise InvalidUpdateError(f"The signed statements are not valid JSON ({error}).") from error
    if not isinstance(items, list) or not 1 <= len(items) <= limit:
        raise InvalidUpdateError(f"Expected 1 to {limit} signed statements.")
    return [UploadStatement.from_json(item) for item in items]


def sign_upload(
    secret_context: bytes,
    vector: np.ndarray,
    num_examples: int,
    *,
    federation: str,
    round_number: int,
    site: str,
    signing_key: SigningKey,
    certificate_pem: bytes | str,
) -> bytes:
    """Encrypt ``num_examples * vector`` with this site's tags and sign it for the round."""
    blob = encrypt_update(
        secret_context, vector, num_examples, contributor(federation, round_number, site)
    )
    certificate = certificate_pem.decode() if isinstance(certificate_pem, bytes) else certificate_pem
    unsigned = UploadStatement(
        federation, round_number, site, context_fingerprint(secret_context),
        hashlib.sha256(blob).hexdigest(), certificate, signature="",
    )
    statement = dataclasses.replace(
        unsigned, signature=sign_fields(_DOMAIN, unsigned.fields(), signing_key)
    )
    return _pack(UPLOAD_MAGIC, [statement], blob)


def open_upload(
    public_context: bytes,
    ca_certificate: x509.Certificate,
    data: bytes,
    *,
    federation: str,
    round_number: int,
    site: str,
) -> int:
    """The coordinator's check of a signed upload before it is acknowledged; returns the
    vector length. Refuses one not signed by ``site`` for this federation and round
    (a replay or a relabelled blob), or whose ciphertexts are not one site's update."""
    statement, blob = split_upload(data)
    wanted = (federation, round_number, site, context_fingerprint(public_context))
    found = (statement.federation, statement.round, statement.site, statement.context)
    if found != wanted:
        raise InvalidUpdateError(
            f"The upload is signed for federation {found[0]!r}, round {found[1]}, site "
            f"{found[2]!r} and context {found[3][:8]}, not {wanted[0]!r}, round {wanted[1]}, "
            f"site {wanted[2]!r} and context {wanted[3][:8]}: a replayed or relabelled upload."
        )
    if hashlib.sha256(blob).hexdigest() != statement.sha256:
        raise InvalidUpdateError("The ciphertexts are not the ones the site signed.")
    try:
        statement.verify(ca_certificate)
    except SiteSignatureError as error:
        raise InvalidUpdateError(str(error)) from error
    return validate_ckks_blob(public_context, blob)


def split_upload(data: bytes) -> tuple[UploadStatement, bytes]:
    """A signed upload's statement and its CKKS blob (unchecked)."""
    stream = io.BytesIO(data)
    statement = _read_statements(stream, UPLOAD_MAGIC, 1)[0]
    return statement, stream.read()


def split_aggregate(data: bytes) -> tuple[list[UploadStatement], bytes]:
    """A published aggregate's statements and its CKKS blob (unchecked)."""
    stream = io.BytesIO(data)
    statements = _read_statements(stream, AGGREGATE_MAGIC, settings.CKKS_DEFAULT_MAX_SITES)
    return statements, stream.read()


def aggregate_context(data: bytes) -> str:
    """The fingerprint of the CKKS key a published aggregate says it is encrypted under
    (which key a site opens it with; :func:`open_aggregate` checks it)."""
    statements, _ = split_aggregate(data)
    return statements[0].context


def pack_aggregate(statements: list[UploadStatement], blob: bytes) -> bytes:
    """A published aggregate: the statements of the uploads summed, then the sum."""
    return _pack(AGGREGATE_MAGIC, statements, blob)


def aggregate_uploads(public_context: bytes, uploads: Iterable[Path]) -> bytes:
    """The coordinator's sum of signed uploads on disk, with every statement it added."""
    total = CkksSum(public_context)
    statements = []
    for path in uploads:
        with open(path, "rb") as stream:
            statements.append(_read_statements(stream, UPLOAD_MAGIC, 1)[0])
            total.add_stream(stream)
    return pack_aggregate(statements, total.result())


def open_aggregate(
    secret_context: bytes,
    ca_certificate: x509.Certificate,
    data: bytes,
    *,
    federation: str,
    round_number: int,
    sites: Iterable[str],
    min_sites: int,
) -> tuple[np.ndarray, float, list[str]]:
    """Check a published aggregate, then return ``(sum of n_i x update_i, sum of n_i,
    contributing sites)``; run at a site before anything decrypted is used.

    Raises :class:`AggregateRefusedError` saying what the coordinator got wrong.
    """
    enrolled = set(sites)
    stream = io.BytesIO(data)
    try:
        statements = _read_statements(stream, AGGREGATE_MAGIC, max(len(enrolled), 1))
    except InvalidUpdateError as error:
        raise AggregateRefusedError(
            f"The published result of round {round_number} is not an aggregate: {error}"
        ) from error
    fingerprint = context_fingerprint(secret_context)
    contributors: list[str] = []
    for statement in statements:
        if (statement.federation, statement.round) != (federation, round_number):
            raise AggregateRefusedError(
                f"The aggregate of round {round_number} holds an upload signed for "
                f"{statement.federation!r} round {statement.round} (a replay)."
            )
        if statement.site not in enrolled or statement.site in contributors:
            raise AggregateRefusedError(
                f"The aggregate of round {round_number} lists site {statement.site!r} twice "
                "or a site that is not enrolled."
            )
        if statement.context != fingerprint:
            raise AggregateRefusedError(
                f"The upload of {statement.site!r} in round {round_number} was made with "
                "another CKKS key than this site's."
            )
        try:
            statement.verify(ca_certificate)
        except SiteSignatureError as error:
            raise AggregateRefusedError(f"Round {round_number}'s aggregate: {error}") from error
        contributors.append(statement.site)
    if len(contributors) < min_sites:
        raise AggregateRefusedError(
            f"The aggregate of round {round_number} holds {len(contributors)} sites' uploads, "
            f"fewer than the plan's minimum of {min_sites}: it could reveal one site's update."
        )
    try:
        total, count, tags = decrypt_with_tags(secret_context, stream.read())
    except InvalidUpdateError as error:
        raise AggregateRefusedError(f"Round {round_number}'s aggregate is damaged: {error}") from error
    expected = contribution_tags(
        secret_context, [contributor(federation, round_number, s) for s in contributors]
    )
    if tags.size != settings.CKKS_TAG_SLOTS or not np.all(np.abs(tags - expected) < _TAG_TOLERANCE):
        raise AggregateRefusedError(
            f"The aggregate of round {round_number} does not hold exactly one upload of this "
            f"round from each of {', '.join(contributors)}: the coordinator relabelled, "
            "replayed or repeated an upload. Its content was not used."
        )
    return total, count, contributors
