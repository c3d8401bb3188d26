"""Named defaults of secure aggregation; docs/secure-aggregation.md explains each choice.

CKKS: ring 4096 with one 60-bit prime is the smallest ring whose 128-bit security bound
(109 bits of modulus, HE standard) holds a prime wide enough for 40 bits of scale plus 18
bits of headroom for the sum; ring 2048 (54 bits) would cost 64x in precision. Additions
need no multiplicative depth, so no further primes (each would add 8 bytes per
parameter) and no evaluation keys.
"""

from __future__ import annotations

# --- CKKS (TenSEAL / SEAL) -------------------------------------------------------------
CKKS_POLY_MODULUS_DEGREE = 4096
CKKS_COEFF_MODULUS_BITS: tuple[int, ...] = (60,)
# The HE standard's largest total modulus with 128-bit classical security, per ring size.
HE_STANDARD_MAX_LOG_Q_128 = {1024: 27, 2048: 54, 4096: 109, 8192: 218, 16384: 438, 32768: 881}
CKKS_SCALE_BITS = 40
# Largest |value| any slot of a sum may reach: scale * sqrt(2) * bound stays below q / 2.
CKKS_MAX_ABS_SUM = float(2**18)
# How many site updates one sum is sized for; a site's bound is MAX_ABS_SUM / max_sites.
CKKS_DEFAULT_MAX_SITES = 100
# Contribution tags: slots after the count that hold, per upload, secret integers derived
# from the federation's secret key, the round and the site (see ckks.contribution_tags).
# A site checks that an aggregate's tags are exactly the sum of the listed sites' tags,
# so the coordinator (which cannot compute them) cannot relabel, replay or double an
# upload. 8 slots of 11 bits each: a blind forgery succeeds with probability 2^-88.
CKKS_TAG_SLOTS = 8
CKKS_TAG_BITS = 11
# Refuse a single serialised ciphertext larger than this (guards the parser against a
# blob that claims an absurd length).
CKKS_MAX_CIPHERTEXT_BYTES = 1 << 20

# --- Pairwise masking (Bonawitz et al. 2017) -------------------------------------------
MASKING_MODULUS_BITS = 32
MASKING_DEFAULT_CLIP = 1.0
MASKING_DEFAULT_MAX_SITES = 100
MASKING_DEFAULT_MAX_EXAMPLES_PER_SITE = 1000
# Mersenne prime 2^521 - 1: a field larger than every 256-bit secret we share.
SHAMIR_PRIME = 2**521 - 1
