"""Named defaults of the site's side of a federation: waiting, retrying, policy limits.

The GUI and tests pass their own values; nothing here is a literal scattered in code.
"""

from __future__ import annotations

from dataclasses import dataclass

from coordinator.settings import ClientDefaults
from siteapp.settings import NetworkDefaults

KIT_DIRNAME = "kit"
KIT_FILENAME = "enrolment.medfed-kit"
TLS_DIRNAME = "tls"
STATE_DIRNAME = "federation"
CONTEXT = "federation"


@dataclass(frozen=True)
class RunnerDefaults:
    """How patiently a site waits for the coordinator and for the other sites."""

    # Between two polls of the round state while waiting for other sites.
    poll_interval_s: float = 1.0
    # How long `join` keeps trying when the coordinator is down (the client retries with
    # backoff up to this long, see ClientDefaults.patience_s); past this it stops and
    # says how to resume.
    unreachable_patience_s: float = 1800.0
    # How long one wait for the other sites may last before `join` gives up.
    round_wait_timeout_s: float = 6 * 3600.0


@dataclass(frozen=True)
class PolicyDefaults:
    """What a plan may ask of this site unless the privacy officer changes it."""

    max_learning_rate: float = 1.0
    max_epochs_per_round: int = 20
    max_batch_size: int = 1024
    max_grad_norm_limit: float = 100.0
    # Fewer patients than this in the train split and the site does not take part:
    # DP-SGD over a handful of records gives useless updates at any sane epsilon.
    min_train_patients: int = 2


def client_defaults(network: NetworkDefaults | None = None) -> ClientDefaults:
    """The coordinator client's retry policy from the site's network settings."""
    net = network or NetworkDefaults()
    return ClientDefaults(
        connect_timeout_s=net.connect_timeout_s,
        read_timeout_s=net.read_timeout_s,
        max_retries=net.max_retries,
        backoff_base_s=net.backoff_base_s,
        backoff_max_s=net.backoff_max_s,
        https_proxy=net.https_proxy,
    )
