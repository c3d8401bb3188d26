"""Wire format of a masked upload: a small header then uint32 words.

Layout: magic ``"MFMASK01"`` | vector length u64 | ``length + 1`` little-endian uint32
words (the masked, quantised, count-weighted update followed by the masked count). That
is 4 bytes per parameter plus 16 bytes, the plaintext float32 size.
"""

from __future__ import annotations

import struct

import numpy as np

from coordinator.secure.errors import InvalidUpdateError

_MAGIC = b"MFMASK01"
HEADER = struct.Struct("<8sQ")
WORD = np.dtype("<u4")


def pack_masked(words: np.ndarray) -> bytes:
    """Serialise ``length + 1`` masked uint32 words."""
    return HEADER.pack(_MAGIC, words.size - 1) + np.asarray(words, dtype=WORD).tobytes()


def read_header(raw: bytes) -> int:
    """Check a masked upload's header; return its vector length (without the count)."""
    if len(raw) < HEADER.size:
        raise InvalidUpdateError(
            f"The masked update is truncated ({len(raw)} bytes, header needs {HEADER.size}); "
            "the site should upload it again."
        )
    magic, length = HEADER.unpack(raw[: HEADER.size])
    if magic != _MAGIC:
        raise InvalidUpdateError(
            "This is not a MedFed masked update (wrong magic bytes); the site should upload "
            "an update made by MaskingParticipant.masked_input."
        )
    return int(length)


def validate_masked_blob(blob: bytes) -> int:
    """Check a masked upload's framing and size; return its vector length.

    The words themselves look random by design, so only the framing can be checked.
    """
    length = read_header(blob)
    expected = HEADER.size + WORD.itemsize * (length + 1)
    if len(blob) != expected:
        raise InvalidUpdateError(
            f"The masked update has {len(blob)} bytes but its header announces "
            f"{length} parameters ({expected} bytes); the site should upload it again."
        )
    return length


def unpack_masked(blob: bytes) -> np.ndarray:
    """The masked uint32 words of a validated upload (read-only view)."""
    validate_masked_blob(blob)
    return np.frombuffer(blob, dtype=WORD, offset=HEADER.size)
