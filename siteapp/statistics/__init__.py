"""Federated statistics: intensity histograms and class counts, the percentile windows
that harmonise scanners, kept per task at the site (``docs/federated-statistics.md``)."""
