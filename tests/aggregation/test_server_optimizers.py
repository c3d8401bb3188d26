"""FedAdagrad / FedAdam / FedYogi steps against Reddi et al.'s update, computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coordinator.aggregation import DEFAULTS, FedAdagrad, FedAdam, FedYogi, make_server_optimiser


def _w() -> list[np.ndarray]:
    return [np.array([1.0], dtype=np.float64)]


def _g(value: float = 0.5) -> list[np.ndarray]:
    return [np.array([value])]


def test_defaults_are_the_papers() -> None:
    opt = FedAdam()
    assert (opt.server_lr, opt.beta_1, opt.beta_2, opt.tau) == (0.1, 0.9, 0.99, 1e-3)
    assert DEFAULTS["fedyogi"].server_lr == 0.01


def test_fedadagrad_step() -> None:
    # m = 0.1 * 0.5 = 0.05; v = tau^2 + 0.25
    new = FedAdagrad().step(_w(), _g())
    assert new[0][0] == pytest.approx(1.0 + 0.1 * 0.05 / (math.sqrt(1e-6 + 0.25) + 1e-3))


def test_fedadam_two_steps_with_persisted_state() -> None:
    opt = FedAdam()
    w1 = opt.step(_w(), _g())
    # m1 = 0.05; v1 = 0.99 * 1e-6 + 0.01 * 0.25
    v1 = 0.99e-6 + 0.0025
    assert w1[0][0] == pytest.approx(1.0 + 0.1 * 0.05 / (math.sqrt(v1) + 1e-3))
    restored = FedAdam()
    restored.load_state({k: v.copy() for k, v in opt.state().items()})
    w2 = restored.step(w1, _g(-0.2))
    m2 = 0.9 * 0.05 + 0.1 * -0.2
    v2 = 0.99 * v1 + 0.01 * 0.04
    assert w2[0][0] == pytest.approx(w1[0][0] + 0.1 * m2 / (math.sqrt(v2) + 1e-3))


def test_fedyogi_step_uses_sign_rule() -> None:
    """Yogi's v moves by (1 - beta_2) * g^2 towards g^2 in either direction; Adam's by
    (1 - beta_2) * (g^2 - v). Both sign branches run, and the second step (v > g^2, where
    the two rules differ by ~1 %) tells Yogi from Adam."""
    opt = FedYogi()
    w1 = opt.step(_w(), _g())
    # v0 = tau^2 = 1e-6 < g^2 = 0.25, sign -1: v grows by 0.01 * 0.25
    v1 = 1e-6 + 0.01 * 0.25
    assert opt.state()["v.0"][0] == pytest.approx(v1, rel=1e-12)
    assert w1[0][0] == pytest.approx(1.0 + 0.01 * 0.05 / (math.sqrt(v1) + 1e-3), rel=1e-12)
    w2 = opt.step(w1, _g(0.01))
    # v1 > g^2 = 1e-4, sign +1: v shrinks by 0.01 * 1e-4 only (Adam: by 0.01 * (v1 - 1e-4))
    v2 = v1 - 0.01 * 1e-4
    adam_v2 = 0.99 * v1 + 0.01 * 1e-4
    assert opt.state()["v.0"][0] == pytest.approx(v2, rel=1e-12)
    assert abs(v2 - adam_v2) / v2 > 5e-3
    m2 = 0.9 * 0.05 + 0.1 * 0.01
    assert w2[0][0] == pytest.approx(w1[0][0] + 0.01 * m2 / (math.sqrt(v2) + 1e-3), rel=1e-12)


def test_plan_parameters_override_defaults() -> None:
    opt = make_server_optimiser("fedadam", server_lr=1.0, beta_1=0.0, beta_2=0.0, tau=1.0)
    # m = g, v = g^2: step = 1 * 0.5 / (0.5 + 1)
    assert opt.step(_w(), _g())[0][0] == pytest.approx(1.0 + 0.5 / 1.5)
