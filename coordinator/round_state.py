"""The words for a round's state, one set shared by the coordinator, the site's runner,
the CLI and the GUI.

Three kinds of word, each used for one thing only:

- **phase**: where the coordinator's round is (:class:`RoundPhase`). Only the coordinator
  moves it; every site and the operator page read it from ``RoundState``.
- **step**: what a party is doing right now inside the round: the coordinator's
  :class:`MaskingStep` while a masking round collects, and the site's :class:`SiteStep`,
  which the runner reports as progress and the GUI's timeline, the CLI and the demo show.
- **status**: the state of a stored record: :class:`SiteRoundStatus` (how far this site
  got in one round, persisted so a restart resumes) and, in the privacy ledger,
  ``siteapp.privacy.ledger.EntryStatus``.

The string values are stored (databases) and sent (wire, demo events) as they are; never
rename a value, only add one.
"""

from __future__ import annotations

from enum import StrEnum


class RoundPhase(StrEnum):
    """open -> collecting -> aggregating -> published, or ``failed``: the next round then
    opens (up to the plan's ``max_failed_rounds``)."""

    OPEN = "open"
    COLLECTING = "collecting"
    AGGREGATING = "aggregating"
    PUBLISHED = "published"
    FAILED = "failed"


class MaskingStep(StrEnum):
    """Steps of a pairwise-masking round, in order (Bonawitz et al. 2017)."""

    ADVERTISE = "advertise"
    SHARE = "share"
    UPLOAD = "upload"
    CONSISTENCY = "consistency"
    UNMASK = "unmask"


class SiteStep(StrEnum):
    """What this site's runner is doing now, in the order a round goes through them
    (the GUI's timeline shows them in this order)."""

    WAITING = "waiting"
    SHARING_KEYS = "sharing keys"
    TRAINING = "training"
    ENCRYPTING = "encrypting"
    UPLOADING = "uploading"
    WAITING_FOR_OTHERS = "waiting for others"
    AGGREGATED = "aggregated"


class SiteRoundStatus(StrEnum):
    """How far this site got in one round, in order: ``recorded`` (privacy cost in the
    ledger, training may have started), ``trained`` (the clipped update is on disk),
    ``uploaded`` (the coordinator acknowledged it), ``reported`` (the new global model was
    evaluated and its metrics sent); ``missed`` marks a round the site could not finish."""

    RECORDED = "recorded"
    TRAINED = "trained"
    UPLOADED = "uploaded"
    REPORTED = "reported"
    MISSED = "missed"
