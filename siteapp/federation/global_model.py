"""The global model as this site knows it, round by round.

Plaintext mode: the coordinator publishes weights; the site downloads them.
Encrypted modes (CKKS, masking): the coordinator publishes only the aggregate of round
r, ``(sum of n_i x update_i, sum of n_i)``, encrypted (CKKS) or as a plain secure sum
(masking). Every site divides, then applies the plan's rule: ``w + mean`` for FedAvg and
FedProx, or one step of FedAdagrad/FedAdam/FedYogi, with the same code
(:mod:`coordinator.aggregation`) and the same float32/float64 arithmetic the coordinator
uses in plaintext mode, so every site computes the same global model and the result
matches plaintext mode up to the encryption's rounding.

The optimiser's moments live at the site, written next to each round's weights
(``<data_dir>/federation/<federation>/round-NNNN.*.safetensors``); a site that missed
rounds, or restarted, replays the published aggregates it has not applied yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
from safetensors.numpy import load, save

from coordinator.aggregation import make_server_optimiser
from coordinator.client import CoordinatorClient, RequestRefusedError
from coordinator.durable_files import write_durably
from coordinator.kits import SiteKit
from coordinator.protocol import (
    SERVER_OPTIMISER_STRATEGIES,
    ErrorCode,
    FederationPlan,
    RoundState,
    SecureMode,
)
from coordinator.round_state import RoundPhase
from siteapp.federation.errors import RoundAbortedError
from siteapp.federation.update_encoding import ckks_aggregate, masking_aggregate, plaintext_body
from siteapp.training.weights import WeightDict, WeightLayout, unflatten

WEIGHTS_SUFFIX = ".weights.safetensors"
STATE_SUFFIX = ".optimiser.safetensors"
_ROUND_FILE = re.compile(r"^round-(\d{4,})" + re.escape(WEIGHTS_SUFFIX) + "$")


def apply_mean_update(
    plan: FederationPlan,
    weights: WeightDict,
    mean_update: WeightDict,
    optimiser_state: dict[str, np.ndarray],
) -> tuple[WeightDict, dict[str, np.ndarray]]:
    """One server step at the site: the new global weights and optimiser state.

    Mirrors ``coordinator.server.round_aggregation.aggregate_plaintext``: the mean update
    is float32 (as the coordinator's weighted mean), FedAvg adds it in float64 and casts
    back, the adaptive optimisers keep float64 moments.
    """
    names = list(weights)
    current = [np.asarray(weights[n], dtype=np.float32) for n in names]
    delta = [np.asarray(mean_update[n], dtype=np.float32) for n in names]
    if plan.strategy in SERVER_OPTIMISER_STRATEGIES:
        params = plan.strategy_params
        opt = make_server_optimiser(plan.strategy.value, params.server_lr, params.beta_1, params.beta_2, params.tau)
        opt.load_state(optimiser_state)
        new = opt.step(current, delta)
        return dict(zip(names, new, strict=True)), opt.state()
    new = [(w.astype(np.float64) + d).astype(w.dtype) for w, d in zip(current, delta, strict=True)]
    return dict(zip(names, new, strict=True)), {}


def mean_from_sum(weighted_sum: np.ndarray, count: float, layout: WeightLayout) -> WeightDict:
    """``sum / count`` as float32 tensors of ``layout``."""
    if not count > 0:
        raise ValueError("the aggregate carries no examples")
    vector = np.asarray(weighted_sum, dtype=np.float64)[: layout.size] / float(count)
    return unflatten(vector.astype(np.float32), layout)


class GlobalModelHistory:
    """The global weights (and optimiser state) after each round, in the site's folder.

    Round 0 is the initial model. Files are written atomically, weights last, so a round
    is known only once both files are complete.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _weights_path(self, round_number: int) -> Path:
        return self.folder / f"round-{round_number:04d}{WEIGHTS_SUFFIX}"

    def _state_path(self, round_number: int) -> Path:
        return self.folder / f"round-{round_number:04d}{STATE_SUFFIX}"

    def rounds(self) -> list[int]:
        if not self.folder.is_dir():
            return []
        found = (_ROUND_FILE.match(p.name) for p in self.folder.iterdir())
        return sorted(int(m.group(1)) for m in found if m)

    def latest_at_most(self, round_number: int) -> int | None:
        known = [r for r in self.rounds() if r <= round_number]
        return known[-1] if known else None

    def has(self, round_number: int) -> bool:
        return self._weights_path(round_number).is_file()

    def save(self, round_number: int, weights: WeightDict, optimiser_state: dict[str, np.ndarray]) -> None:
        state = {k: np.ascontiguousarray(v, dtype=np.float64) for k, v in optimiser_state.items()}
        write_durably(self._state_path(round_number), save(state) if state else save({"empty": np.zeros(0)}))
        tensors = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in weights.items()}
        write_durably(self._weights_path(round_number), save(tensors, metadata={"round": str(round_number)}))

    def weights(self, round_number: int, layout: WeightLayout) -> WeightDict:
        """Round ``round_number``'s weights in ``layout`` order (files store them sorted)."""
        stored = load(self._weights_path(round_number).read_bytes())
        return {name: stored[name] for name in layout.names}

    def optimiser_state(self, round_number: int) -> dict[str, np.ndarray]:
        path = self._state_path(round_number)
        if not path.is_file():
            return {}
        return {k: v for k, v in load(path.read_bytes()).items() if k != "empty"}

    def replay(
        self,
        plan: FederationPlan,
        initial: Callable[[], WeightDict],
        layout: WeightLayout,
        target_round: int,
        aggregate_of: Callable[[int], tuple[np.ndarray, float] | None],
    ) -> WeightDict:
        """The global weights after ``target_round``, applying every published aggregate
        this site has not applied yet (``aggregate_of(r)`` gives round r's sum and count,
        None for a round that failed and leaves the model as it was).
        ``layout`` is the model's trainable tensors in parameter order, the order every
        site flattens its update in."""
        start = self.latest_at_most(target_round)
        state: dict[str, np.ndarray]
        if start is None:
            weights, state = initial(), {}
            self.save(0, weights, state)
            start = 0
        else:
            weights, state = self.weights(start, layout), self.optimiser_state(start)
        for number in range(start + 1, target_round + 1):
            published = aggregate_of(number)
            if published is not None:
                total, count = published
                weights, state = apply_mean_update(plan, weights, mean_from_sum(total, count, layout), state)
            self.save(number, weights, state)
        return weights


class GlobalModelFetcher:
    """Obtains the global model after a round, the same way in every mode.

    Plaintext: downloads it (uploading the initial model first when the coordinator waits
    for one). CKKS and masking: downloads the aggregates this site has not applied yet,
    decrypts or reads them, and replays the plan's server rule (:class:`GlobalModelHistory`).
    """

    def __init__(
        self,
        client: CoordinatorClient,
        plan: FederationPlan,
        kit: SiteKit,
        folder: Path,
        initial: Callable[[], WeightDict],
        layout: WeightLayout,
        ckks_secret: Callable[[str], bytes] | None = None,
    ) -> None:
        """``ckks_secret`` gives the CKKS secret context of a key fingerprint (CKKS mode)."""
        self.ckks_secret = ckks_secret
        self.client = client
        self.plan = plan
        self.kit = kit
        self.folder = Path(folder)
        self.initial = initial
        self.layout = layout
        self.history = GlobalModelHistory(self.folder / "global")

    def weights(self, after_round: int, state: RoundState | None = None) -> WeightDict:
        """The global model's trainable weights after round ``after_round`` (0: initial)."""
        if self.plan.mode is SecureMode.NONE:
            return self._plaintext(after_round, state)
        failed = {r.number for r in self.client.status().rounds if r.phase == RoundPhase.FAILED}
        return self.history.replay(self.plan, self.initial, self.layout, after_round,
                                   lambda number: None if number in failed else self._aggregate_of(number))

    def _aggregate_of(self, number: int) -> tuple[np.ndarray, float]:
        """Round ``number``'s published sum and count (a failed round published none)."""
        path = self.folder / f"result-{number:04d}.download"
        self.client.download_result(number, path)
        try:
            blob = path.read_bytes()
            if self.plan.mode is SecureMode.CKKS:
                assert self.ckks_secret is not None
                return ckks_aggregate(self.kit, self.ckks_secret, self.plan, number, blob)
            return masking_aggregate(blob)
        finally:
            path.unlink(missing_ok=True)

    def _plaintext(self, after_round: int, state: RoundState | None) -> WeightDict:
        from siteapp.training.weights import load_weights

        if self.history.has(after_round):
            return self.history.weights(after_round, self.layout)
        path = self.folder / f"global-{after_round:04d}.download"
        if after_round == 0:
            if state is not None and state.waiting_for_initial_model:
                self._offer_initial_model()
            self.client.download_initial_model(path)
        else:
            self.client.download_result(after_round, path)
        try:
            downloaded = load_weights(path)
        finally:
            path.unlink(missing_ok=True)
        if set(downloaded) != set(self.layout.names):
            raise RoundAbortedError(
                "the coordinator's global model does not have this plan's parameters; the "
                "federation runs another model than the plan says"
            )
        weights = {n: downloaded[n] for n in self.layout.names}
        self.history.save(after_round, weights, {})
        return weights

    def _offer_initial_model(self) -> None:
        try:
            self.client.upload_initial_model(plaintext_body(self.initial()))
        except RequestRefusedError as exc:
            if exc.code is not ErrorCode.INITIAL_MODEL_EXISTS:
                raise RoundAbortedError(f"the initial model was refused: {exc.detail}") from exc
