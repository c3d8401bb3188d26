"""Noise calibration: a plan of R rounds lands within 5% below the target epsilon."""

from __future__ import annotations

import pytest

from siteapp.privacy.accountant import MechanismRun
from siteapp.privacy.calibration import (
    CalibrationError,
    calibrate_noise_multiplier,
    projected_epsilon,
)


@pytest.mark.parametrize(
    ("target", "delta", "rate", "steps", "rounds"),
    [(8.0, 1e-3, 0.1, 20, 5), (1.0, 1e-5, 0.02, 100, 10), (3.0, 1e-4, 0.25, 8, 3)],
)
def test_calibration_hits_target_within_five_percent(
    target: float, delta: float, rate: float, steps: int, rounds: int
) -> None:
    sigma = calibrate_noise_multiplier(target, delta, rate, steps, rounds)
    reached = projected_epsilon([], MechanismRun(sigma, rate, steps), rounds, delta)
    assert 0.95 * target <= reached <= target


def test_calibration_counts_budget_already_spent() -> None:
    spent = [MechanismRun(1.0, 0.1, 40)]
    sigma = calibrate_noise_multiplier(8.0, 1e-3, 0.1, 20, 5, spent=spent)
    reached = projected_epsilon(spent, MechanismRun(sigma, 0.1, 20), 5, 1e-3)
    assert 0.95 * 8.0 <= reached <= 8.0
    assert sigma > calibrate_noise_multiplier(8.0, 1e-3, 0.1, 20, 5)


def test_calibration_refuses_when_budget_is_gone() -> None:
    with pytest.raises(CalibrationError, match="already spent"):
        calibrate_noise_multiplier(0.5, 1e-3, 0.5, 20, 5, spent=[MechanismRun(0.5, 0.5, 200)])
