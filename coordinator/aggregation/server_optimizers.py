"""Adaptive server optimisers of Reddi et al. 2021, "Adaptive Federated Optimization".

The pseudo-gradient of a round is the (weighted) mean of the sites' updates, where an
update is local weights minus global weights. With ``m_0 = 0`` and ``v_0 = tau^2``::

    m_t = beta_1 m_{t-1} + (1 - beta_1) delta_t
    v_t = v_{t-1} + delta_t^2                                      (FedAdagrad)
    v_t = beta_2 v_{t-1} + (1 - beta_2) delta_t^2                  (FedAdam)
    v_t = v_{t-1} - (1 - beta_2) delta_t^2 sign(v_{t-1} - delta_t^2)  (FedYogi)
    x_{t+1} = x_t + eta m_t / (sqrt(v_t) + tau)

The state (``m``, ``v``) is plain arrays so the server can persist it between rounds and
sites in encrypted modes can run the identical step locally.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coordinator.aggregation.rules import AggregationError, NDArrays


@dataclass(frozen=True)
class OptimiserDefaults:
    server_lr: float
    beta_1: float
    beta_2: float
    tau: float


# The paper's defaults (Sect. 5 and App. D): beta_1 = 0.9, beta_2 = 0.99, tau = 1e-3;
# Yogi is usually run with a smaller server step than Adam/Adagrad.
DEFAULTS: dict[str, OptimiserDefaults] = {
    "fedadagrad": OptimiserDefaults(server_lr=0.1, beta_1=0.9, beta_2=0.99, tau=1e-3),
    "fedadam": OptimiserDefaults(server_lr=0.1, beta_1=0.9, beta_2=0.99, tau=1e-3),
    "fedyogi": OptimiserDefaults(server_lr=0.01, beta_1=0.9, beta_2=0.99, tau=1e-3),
}


@dataclass
class _AdaptiveOptimiser:
    server_lr: float | None = None
    beta_1: float | None = None
    beta_2: float | None = None
    tau: float | None = None
    m: NDArrays | None = field(default=None, repr=False)
    v: NDArrays | None = field(default=None, repr=False)
    name: str = "fedadam"

    def __post_init__(self) -> None:
        d = DEFAULTS[self.name]
        self.server_lr = d.server_lr if self.server_lr is None else self.server_lr
        self.beta_1 = d.beta_1 if self.beta_1 is None else self.beta_1
        self.beta_2 = d.beta_2 if self.beta_2 is None else self.beta_2
        self.tau = d.tau if self.tau is None else self.tau

    def _second_moment(self, v: np.ndarray, delta_sq: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def step(self, weights: NDArrays, pseudo_gradient: NDArrays) -> NDArrays:
        """Return the new global weights; updates ``m`` and ``v`` in place."""
        if len(weights) != len(pseudo_gradient):
            raise AggregationError("weights and pseudo-gradient have different lengths")
        assert self.beta_1 is not None and self.tau is not None and self.server_lr is not None
        if self.m is None or self.v is None:
            self.m = [np.zeros(w.shape, dtype=np.float64) for w in weights]
            self.v = [np.full(w.shape, self.tau**2, dtype=np.float64) for w in weights]
        new = []
        for i, (w, g) in enumerate(zip(weights, pseudo_gradient, strict=True)):
            delta = np.asarray(g, dtype=np.float64)
            self.m[i] = self.beta_1 * self.m[i] + (1.0 - self.beta_1) * delta
            self.v[i] = self._second_moment(self.v[i], delta * delta)
            step = self.server_lr * self.m[i] / (np.sqrt(self.v[i]) + self.tau)
            new.append((np.asarray(w, dtype=np.float64) + step).astype(w.dtype))
        return new

    def state(self) -> dict[str, np.ndarray]:
        """The optimiser's moments as named arrays (empty before the first step)."""
        if self.m is None or self.v is None:
            return {}
        out = {f"m.{i}": a for i, a in enumerate(self.m)}
        out.update({f"v.{i}": a for i, a in enumerate(self.v)})
        return out

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        count = sum(1 for k in state if k.startswith("m."))
        if count == 0:
            self.m = self.v = None
            return
        self.m = [state[f"m.{i}"] for i in range(count)]
        self.v = [state[f"v.{i}"] for i in range(count)]


@dataclass
class FedAdagrad(_AdaptiveOptimiser):
    name: str = "fedadagrad"

    def _second_moment(self, v: np.ndarray, delta_sq: np.ndarray) -> np.ndarray:
        return v + delta_sq


@dataclass
class FedAdam(_AdaptiveOptimiser):
    name: str = "fedadam"

    def _second_moment(self, v: np.ndarray, delta_sq: np.ndarray) -> np.ndarray:
        assert self.beta_2 is not None
        return self.beta_2 * v + (1.0 - self.beta_2) * delta_sq


@dataclass
class FedYogi(_AdaptiveOptimiser):
    name: str = "fedyogi"

    def _second_moment(self, v: np.ndarray, delta_sq: np.ndarray) -> np.ndarray:
        assert self.beta_2 is not None
        return v - (1.0 - self.beta_2) * delta_sq * np.sign(v - delta_sq)


def make_server_optimiser(
    strategy: str,
    server_lr: float | None = None,
    beta_1: float | None = None,
    beta_2: float | None = None,
    tau: float | None = None,
) -> _AdaptiveOptimiser:
    """The optimiser for a plan's strategy name; unknown names raise AggregationError."""
    classes: dict[str, type[_AdaptiveOptimiser]] = {
        "fedadagrad": FedAdagrad,
        "fedadam": FedAdam,
        "fedyogi": FedYogi,
    }
    if strategy not in classes:
        raise AggregationError(f"'{strategy}' has no server optimiser")
    return classes[strategy](server_lr=server_lr, beta_1=beta_1, beta_2=beta_2, tau=tau)
