"""Key derivation and mask generation shared by masking participants and the server.

Pairwise seeds come from X25519 agreement followed by HKDF-SHA256 bound to the round and
the (sorted) pair of sites; masks are the AES-256-CTR keystream of a seed read as
little-endian uint32 words. Each derived key drives exactly one keystream, so the fixed
counter block is never reused with the same key.
"""

from __future__ import annotations

import numpy as np
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEED_BYTES = 32
_UINT32 = np.dtype("<u4")
_ZERO_BLOCK = bytes(16)


def derive_key(
    private_key: X25519PrivateKey,
    peer_public_key: X25519PublicKey,
    purpose: str,
    round_id: str,
    site_a: str,
    site_b: str,
) -> bytes:
    """A 32-byte key both sites of a pair derive identically (order of names ignored)."""
    first, second = sorted((site_a, site_b))
    info = "\x1f".join(("medfed-masking-v1", purpose, round_id, first, second)).encode()
    shared = private_key.exchange(peer_public_key)
    return HKDF(algorithm=hashes.SHA256(), length=SEED_BYTES, salt=None, info=info).derive(shared)


def mask_stream(seed: bytes, length: int) -> np.ndarray:
    """``length`` pseudo-random uint32 words from a 32-byte seed (AES-256-CTR)."""
    encryptor = Cipher(algorithms.AES(seed), modes.CTR(_ZERO_BLOCK)).encryptor()
    keystream = encryptor.update(bytes(4 * length)) + encryptor.finalize()
    return np.frombuffer(keystream, dtype=_UINT32).astype(np.uint32, copy=False)


def pairwise_sign(site: str, peer: str) -> int:
    """+1 if ``site`` adds the pair's mask, -1 if it subtracts it (so the pair cancels)."""
    return 1 if site < peer else -1


def apply_mask(total: np.ndarray, mask: np.ndarray, sign: int) -> None:
    """``total += sign * mask`` modulo 2^32, in place."""
    if sign > 0:
        np.add(total, mask, out=total)
    else:
        np.subtract(total, mask, out=total)
