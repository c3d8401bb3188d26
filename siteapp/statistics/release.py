"""The statistics a site sends, made differentially private before they leave.

The vector of :mod:`siteapp.statistics.histograms` moves by at most
``PATIENT_SENSITIVITY`` (sqrt 2) in L2 norm when one training patient is added or
removed; Gaussian noise of std ``noise_multiplier x sqrt(2)`` on every cell makes the
release one Gaussian mechanism of that multiplier over the training patients, recorded in
the ledger's training line (round 0 of the federation's statistics) before anything is
sent, and bounded by the site's cap like every round.
"""

from __future__ import annotations

import numpy as np

from siteapp.privacy.accountant import MechanismRun
from siteapp.privacy.ledger import LedgerEntry, PrivacyLedger, RecordSet
from siteapp.statistics.histograms import PATIENT_SENSITIVITY

#: The ledger's round number of a statistics release (training rounds count from 1).
STATISTICS_ROUND = 0


def statistics_context(federation: str) -> str:
    return f"statistics:{federation}"


def release_mechanism(noise_multiplier: float) -> MechanismRun:
    """One release as the accountant sees it: a Gaussian mechanism over every training
    patient (no subsampling, one step)."""
    return MechanismRun(noise_multiplier, 1.0, 1)


def record_release(
    ledger: PrivacyLedger, federation: str, noise_multiplier: float, patients: int, seeded: bool
) -> LedgerEntry:
    """Record the release's cost in the training line BEFORE it is sent, or refuse
    (:class:`siteapp.privacy.ledger.PrivacyCapExceededError`, nothing recorded)."""
    run = release_mechanism(noise_multiplier)
    return ledger.record_planned_round(
        STATISTICS_ROUND, run.noise_multiplier, run.sample_rate, run.steps, patients,
        context=statistics_context(federation), seeded=seeded, record_set=RecordSet.TRAINING,
    )


def noised_statistics(vector: np.ndarray, noise_multiplier: float, seed: int | None) -> np.ndarray:
    """``vector`` plus Gaussian noise of std ``noise_multiplier x sqrt(2)`` per cell.

    ``seed`` None (every real release) draws from the operating system's entropy; a seed
    is the tests' and demo's ``insecure_fixed_dp_seed`` only, and the ledger marks it."""
    if noise_multiplier <= 0:
        raise ValueError("statistics without noise would reveal exact counts")
    rng = np.random.default_rng(seed)
    std = noise_multiplier * PATIENT_SENSITIVITY
    return np.asarray(vector, dtype=np.float64) + rng.normal(0.0, std, np.shape(vector))


def projected_cost(ledger: PrivacyLedger, noise_multiplier: float, patients: int) -> tuple[float, float]:
    """The training patients' epsilon now and after one release (said before sending)."""
    run = release_mechanism(noise_multiplier)
    return (
        ledger.epsilon_spent(RecordSet.TRAINING),
        ledger.projected_epsilon(run.noise_multiplier, run.sample_rate, run.steps, patients),
    )
