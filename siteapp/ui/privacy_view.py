"""What the Privacy page shows, computed from the privacy ledger (no Qt).

A plain function so the page, the screenshots and the tests read the same figures, and
the GUI never invents one: every number comes from :class:`PrivacyLedger`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from siteapp.privacy.ledger import LedgerEntry, PrivacyLedger, RecordSet


@dataclass(frozen=True)
class PrivacyPicture:
    cap_epsilon: float
    cap_delta: float | None
    spent: float
    delta: float
    entries: list[LedgerEntry]  # training rounds
    projected: float | None
    remaining_rounds: int
    # The validation patients' own line (noised validation reports), composed apart.
    validation_entries: list[LedgerEntry] = field(default_factory=list)
    validation_spent: float = 0.0
    # Some entry was seeded (tests/demo option): every epsilon shown is nominal.
    nominal: bool = False

    @property
    def fraction_of_cap(self) -> float:
        return self.spent / self.cap_epsilon if self.cap_epsilon > 0 else 1.0

    def per_round_increase(self) -> list[float]:
        """Epsilon added by each ledger entry (cumulative minus the one before)."""
        out, before = [], 0.0
        for entry in self.entries:
            out.append(max(0.0, entry.epsilon_after - before))
            before = entry.epsilon_after
        return out


def privacy_picture(data_dir: Path, remaining_rounds: int) -> PrivacyPicture:
    """Spent epsilon, cap and, when there is a round to extrapolate from, the projection
    of joining ``remaining_rounds`` more rounds shaped like the last one."""
    ledger = PrivacyLedger(data_dir)
    everything = ledger.entries()
    entries = [e for e in everything if e.record_set is RecordSet.TRAINING]
    validation = [e for e in everything if e.record_set is RecordSet.VALIDATION]
    cap = ledger.cap()
    spent = ledger.epsilon_spent()
    delta = ledger.reporting_delta() if everything else ledger.delta_for(1)
    projected = None
    if entries and remaining_rounds > 0:
        last = entries[-1]
        projected = ledger.projected_epsilon(
            last.noise_multiplier, last.sample_rate, last.steps, last.records, remaining_rounds
        )
    return PrivacyPicture(
        cap.epsilon, cap.delta, spent, delta, entries, projected, remaining_rounds,
        validation_entries=validation, validation_spent=ledger.epsilon_spent(RecordSet.VALIDATION),
        nominal=any(e.seeded for e in everything),
    )


def odds_factor(epsilon: float) -> float:
    """e^epsilon: the most that one patient's data can change the odds of any outcome."""
    return math.exp(min(epsilon, 50.0))


def remaining_plan_rounds(data_dir: Path) -> int | None:
    """Rounds of the enrolled federation's plan this site has not reported yet; None
    when the site is not enrolled (the page then asks the user)."""
    from coordinator.round_state import SiteRoundStatus
    from siteapp.federation.enrolment import current_enrolment, load_enrolled_kit
    from siteapp.federation.round_records import SiteRounds

    enrolment = current_enrolment(data_dir)
    if enrolment is None:
        return None
    _enrolment, kit = load_enrolled_kit(data_dir)
    done = sum(1 for r in SiteRounds(data_dir, enrolment.federation).all()
               if r.status in (SiteRoundStatus.REPORTED, SiteRoundStatus.MISSED))
    return max(0, kit.plan.rounds - done)
