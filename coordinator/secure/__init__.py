"""Secure aggregation: the coordinator sums site updates without seeing any one of them.

- :mod:`coordinator.secure.ckks` - CKKS (TenSEAL/SEAL) encrypted sum; sites hold the
  secret context, the coordinator a public context that cannot decrypt.
- :mod:`coordinator.secure.masking` - pairwise-masking secure sum (Bonawitz et al. 2017)
  that survives sites dropping out, with :mod:`~coordinator.secure.masking_server` for
  the coordinator's side.
- :mod:`coordinator.secure.bisection` - coordinate-wise median and quantiles by bisection
  over secure sums of packed counts (one masking round per probe).
- :mod:`coordinator.secure.errors` - the exceptions both raise.

Pure libraries (numpy, tenseal, cryptography); docs/secure-aggregation.md has the
parameter choices and measured figures.
"""
