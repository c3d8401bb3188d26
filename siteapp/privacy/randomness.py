"""Where the randomness differential privacy relies on comes from.

Poisson sampling, the image a drawn patient contributes and the Gaussian noise are what
make DP-SGD private: the accountant assumes nobody can predict them. So every draw is
seeded from the operating system's entropy (:mod:`secrets`) unless a caller passes the
one explicit, loudly named option :data:`FIXED_SEED_OPTION`, for tests and the demo only.
A run given that option is marked ``seeded`` in the privacy ledger and its epsilon is
shown as nominal: whoever knows the seed can replay the sampling and remove the noise.
"""

from __future__ import annotations

import hashlib
import secrets

#: The name of the option (CLI flag ``--insecure-fixed-dp-seed``, field
#: ``insecure_fixed_dp_seed``) that replaces OS entropy by a seed.
FIXED_SEED_OPTION = "insecure_fixed_dp_seed"
NOMINAL_WARNING = (
    "DP randomness was seeded (tests/demo option insecure_fixed_dp_seed): whoever knows "
    "the seed can replay the sampling and subtract the noise, so the epsilon of those "
    "rounds is nominal, not a guarantee"
)
_SEED_BITS = 63


def secret_seed() -> int:
    """A fresh seed from the operating system's entropy."""
    return secrets.randbits(_SEED_BITS)


def derived_seed(fixed_seed: int, *purpose: object) -> int:
    """Tests and the demo only: a seed of its own per purpose (site, round, use) from the
    one fixed seed. Sites given the same seed must still draw independent DP noise:
    identical noise would not average out across sites, and a site could subtract its own
    noise from what it learns of another's update."""
    text = ":".join(["medfed", str(fixed_seed), *map(str, purpose)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


def seed_for(fixed_seed: int | None, *purpose: object) -> int | None:
    """None (the consumer draws from OS entropy) unless the tests' and demo's fixed seed
    was given, then the seed derived from it for ``purpose``."""
    return None if fixed_seed is None else derived_seed(fixed_seed, *purpose)


def patient_stream_key(key: str) -> int:
    """A patient's pseudonymous key as a number, to key that patient's own image stream."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
