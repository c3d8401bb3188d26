"""Where a masking round stands, in words for the operator.

A masking round is one or more masked secure sums (a secure median's probes, then for the
winsorised mean one weighted sum), each walking ``advertise -> ... -> unmask``. What is
said here: which sum, which step, which sites did the step and which it waits for. All of
it is read from what the round service already stores (each step's messages, the uploads,
the frozen survivor sets), so every worker process says the same, and the operator's page
and ``medfed-coordinator status`` say it in the same words; no value of any site is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from coordinator.round_state import MaskingStep, RoundPhase
from coordinator.secure.bisection import BisectionPlan
from coordinator.server.rounds import RoundService
from coordinator.server.store import RoundRow


def probes_words(probes: int) -> str:
    return f"{probes} probe{'' if probes == 1 else 's'}"


def secure_sum_words(bisection: BisectionPlan | None, secure_sum: int) -> str:
    """Which masked sum of the round ``secure_sum`` is: ``secure median: probe 5 of 16``."""
    if bisection is None:
        return "masked secure sum"
    rule = "secure winsorised mean" if bisection.winsorised else "secure median"
    if bisection.is_probe(secure_sum):
        return f"{rule}: probe {secure_sum + 1} of {bisection.probes}"
    return (f"{rule}: weighted sum of the winsorised updates "
            f"(masked sum {secure_sum + 1} of {bisection.sums}, after {probes_words(bisection.probes)})")


@dataclass(frozen=True)
class MaskingProgress:
    """The current masked sum of an open or aggregating round."""

    secure_sum: str  # secure_sum_words
    step: MaskingStep
    unmasking: bool  # every site is in: the coordinator is unmasking the sum
    done: list[str]
    waiting_for: list[str]
    # Sites not revoked that are out of the round: they missed an earlier step or sum.
    left_out: list[str]

    @property
    def summary(self) -> str:
        if self.unmasking:
            return f"{self.secure_sum}, all steps done; the coordinator is unmasking the sum"
        return f"{self.secure_sum}, masking step '{self.step}'"

    @property
    def waiting_line(self) -> str:
        """Who the step waits for, and who has done it (empty while unmasking)."""
        if self.unmasking:
            return ""
        done = ", ".join(self.done) or "no site yet"
        if not self.waiting_for:
            return f"Every site in the round has done the '{self.step}' step ({done})."
        return f"Waiting for {', '.join(self.waiting_for)} at the '{self.step}' step; done: {done}."

    @property
    def left_out_line(self) -> str:
        if not self.left_out:
            return ""
        return (f"Out of this round: {', '.join(self.left_out)} (missed an earlier step or "
                "sum; not waited for until the next round).")

    @property
    def details(self) -> list[str]:
        """The lines under :attr:`summary`: whom the step waits for, who is out."""
        return [line for line in (self.waiting_line, self.left_out_line) if line]


def masking_progress(service: RoundService, row: RoundRow) -> MaskingProgress | None:
    """Where round ``row`` of ``service`` stands; None outside masking mode or when the
    round is neither collecting nor aggregating."""
    masking = service.masking
    if masking is None or row.masking_step is None:
        return None
    if row.phase not in (RoundPhase.OPEN, RoundPhase.COLLECTING, RoundPhase.AGGREGATING):
        return None
    step = MaskingStep(row.masking_step)
    expected = masking.expected(row.number, step, row.secure_sum)
    done = masking.completed(row.number, step, row.secure_sum)
    return MaskingProgress(
        secure_sum=secure_sum_words(service.bisection, row.secure_sum),
        step=step,
        unmasking=row.phase == RoundPhase.AGGREGATING,
        done=sorted(done),
        waiting_for=sorted(expected - done),
        left_out=sorted(service.active_sites() - expected - done),
    )
