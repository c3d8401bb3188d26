"""Fixtures of the coordinator tests (helpers live in ``coordinator_loopback``)."""

from coordinator_loopback import make_federation

__all__ = ["make_federation"]
