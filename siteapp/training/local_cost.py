"""What a local-only training run will cost in privacy, known before anything trains.

The GUI asks "epsilon 1.14 -> 7.94 of 8: train?" and the CLI prints the same line before
it starts, from the very numbers :func:`siteapp.training.local.train_local` then uses
(noise multiplier, sampling rate, steps): one function prices the run for all three.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from siteapp.privacy.ledger import PrivacyCapExceededError, PrivacyLedger

if TYPE_CHECKING:
    from siteapp.training.local import LocalTrainingOptions


@dataclass(frozen=True)
class PrivacyCost:
    """A run's effect on the site's cumulative epsilon, at one delta."""

    rounds: int
    epsilon_before: float
    epsilon_after: float
    cap: float
    delta: float

    def sentence(self) -> str:
        """``epsilon 1.14 -> 7.94 of 8 (delta 2.3e-03)``, as the GUI and the CLI say it."""
        return (f"epsilon {self.epsilon_before:.2f} -> {self.epsilon_after:.2f} of "
                f"{self.cap:g} (delta {self.delta:.1e})")


@dataclass(frozen=True)
class LocalRunPrice:
    """The DP parameters of a local run and what they cost."""

    noise_multiplier: float
    sample_rate: float
    steps_per_round: int
    cost: PrivacyCost


def price_local_run(
    ledger: PrivacyLedger, options: LocalTrainingOptions, train_records: int
) -> LocalRunPrice:
    """Noise multiplier (given or calibrated to the target/cap) and the resulting epsilon.

    Raises :class:`PrivacyCapExceededError` when a given noise multiplier would break the
    cap; calibration itself refuses when no noise fits.
    """
    from siteapp.training.trainer import plan_round

    sample_rate, steps = plan_round(
        train_records, options.epochs_per_round, options.expected_batch_patients
    )
    cap = ledger.cap().epsilon
    if options.noise_multiplier is not None:
        sigma = options.noise_multiplier
    else:  # calibration keeps the projection within the target and the cap
        sigma = ledger.calibrate(
            sample_rate, steps, train_records, options.rounds, options.target_epsilon
        )
    after = ledger.projected_epsilon(sigma, sample_rate, steps, train_records, options.rounds)
    if options.noise_multiplier is not None and after > cap:
        raise PrivacyCapExceededError(
            f"{options.rounds} round(s) at noise multiplier {sigma:g} would bring this site's "
            f"epsilon to {after:.2f}, above its cap of {cap:g}; nothing was trained. Use more "
            "noise or fewer rounds, or omit --noise-multiplier"
        )
    cost = PrivacyCost(
        options.rounds, ledger.epsilon_spent(), after, cap,
        ledger.reporting_delta(train_records),
    )
    return LocalRunPrice(sigma, sample_rate, steps, cost)


def local_training_cost(data_dir: Path, options: LocalTrainingOptions) -> PrivacyCost:
    """The privacy cost of ``train_local(data_dir, options)``, computed without training."""
    from siteapp.tasks import resolve_task
    from siteapp.training.datasets import site_dataset

    train = site_dataset(Path(data_dir), resolve_task(options.task, data_dir), "train")
    return price_local_run(PrivacyLedger(data_dir), options, len(train)).cost
