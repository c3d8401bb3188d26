"""The wire schemas of the federation, shared by the coordinator and the site app.

Everything a site and the coordinator exchange as JSON is one of these pydantic models;
binary bodies (updates, global models, encrypted aggregates) travel as raw streamed
bodies whose metadata rides in query parameters and headers named here.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from coordinator.round_state import MaskingStep, RoundPhase
from coordinator.secure.settings import SHAMIR_PRIME
from coordinator.settings import API_PREFIX, MAX_WIRE_INT
from coordinator.task_definition import TaskDefinition, TaskFileError, builtin_task
from coordinator.words import Words, say


class Strategy(StrEnum):
    FEDAVG = "fedavg"
    FEDPROX = "fedprox"
    FEDMEDIAN = "fedmedian"
    TRIMMED_MEAN = "trimmed_mean"
    KRUM = "krum"
    FEDADAGRAD = "fedadagrad"
    FEDADAM = "fedadam"
    FEDYOGI = "fedyogi"
    WINSORISED_MEAN = "winsorised_mean"


class SecureMode(StrEnum):
    NONE = "none"
    CKKS = "ckks"
    MASKING = "masking"


# Client clip norm of a plan that does not choose one (the demo's, for its head updates).
DEFAULT_UPDATE_CLIP_NORM = 4.0
# Trimmed mean cuts max(1, floor(beta * n)) values from each end: it needs a middle.
TRIMMED_MEAN_MIN_SITES = 3

# Strategies that look at every site's update separately: impossible under encryption.
INDIVIDUAL_UPDATE_STRATEGIES = frozenset(
    {Strategy.FEDMEDIAN, Strategy.TRIMMED_MEAN, Strategy.KRUM, Strategy.WINSORISED_MEAN}
)
# Order statistics found by bisection over masked sums of counts (coordinator.secure.
# bisection): these run in masking mode as a round of several secure sums.
BISECTION_STRATEGIES = frozenset({Strategy.FEDMEDIAN, Strategy.WINSORISED_MEAN})


def hidden_updates_conflict(strategy: Strategy, mode: SecureMode) -> str | None:
    """Why ``strategy`` cannot run in ``mode`` (it needs the updates that the mode hides
    from the coordinator), or None when it can."""
    if mode is SecureMode.NONE or strategy not in INDIVIDUAL_UPDATE_STRATEGIES:
        return None
    if mode is SecureMode.MASKING and strategy in BISECTION_STRATEGIES:
        return None
    if strategy in BISECTION_STRATEGIES:
        return (
            f"strategy '{strategy}' needs every site's individual update, which '{mode}' mode "
            "hides from the coordinator; with --mode masking it runs as a secure bisection "
            "over masked counts (CKKS would need the sites to decrypt every probe's counts); "
            "use --mode masking, or add --mode none (TLS only)"
        )
    return (
        f"strategy '{strategy}' needs every site's individual update, which '{mode}' mode "
        "hides from the coordinator; choose fedavg, fedprox, fedadagrad, fedadam, fedyogi, "
        "or fedmedian or winsorised_mean with --mode masking, or add --mode none (TLS only)"
    )


def uses_secure_bisection(plan: FederationPlan) -> bool:
    """Whether a round of ``plan`` is a bisection over several masked sums."""
    return plan.mode is SecureMode.MASKING and plan.strategy in BISECTION_STRATEGIES


SERVER_OPTIMISER_STRATEGIES = frozenset(
    {Strategy.FEDADAGRAD, Strategy.FEDADAM, Strategy.FEDYOGI}
)


class StrategyParams(BaseModel):
    """Parameters of the aggregation rule; ``None`` means the published default.

    Server optimiser defaults follow Reddi et al. 2021 (see
    ``coordinator.aggregation.server_optimizers``).
    """

    model_config = ConfigDict(extra="forbid")

    proximal_mu: float = Field(default=0.01, ge=0.0)
    beta: float = Field(default=0.1, ge=0.0, lt=0.5)
    num_malicious: int = Field(default=0, ge=0)
    server_lr: float | None = Field(default=None, gt=0.0)
    beta_1: float | None = Field(default=None, ge=0.0, lt=1.0)
    beta_2: float | None = Field(default=None, ge=0.0, lt=1.0)
    tau: float | None = Field(default=None, gt=0.0)
    # winsorised_mean: each coordinate is clipped to the sites' [q, 1 - q] quantiles
    # (order statistics cut + 1 and n - cut, cut = max(1, floor(q n))) before the
    # weighted mean.
    winsor_quantile: float = Field(default=0.2, ge=0.0, lt=0.5)


class LocalTraining(BaseModel):
    """What each site does locally in one round (the site checks it against its policy)."""

    model_config = ConfigDict(extra="forbid")

    epochs_per_round: int = Field(default=1, ge=1)
    # The sites' local optimiser; learning_rate is its step (SGD ~0.05, Adam ~2e-3).
    optimizer: Literal["sgd", "adam"] = "sgd"
    learning_rate: float = Field(default=0.05, gt=0.0)
    # "cosine" anneals the step to 0 within each round (siteapp.training.trainer).
    learning_rate_schedule: Literal["constant", "cosine"] = "constant"
    batch_size: int = Field(default=16, ge=1)
    max_grad_norm: float = Field(default=1.0, gt=0.0)
    target_epsilon_per_round: float = Field(default=1.0, gt=0.0)
    target_delta: float = Field(default=1e-5, gt=0.0, lt=1.0)
    # Client-level clipping, on by default: the L2 bound on one site's update. In
    # plaintext mode the coordinator refuses an update above it; None turns it off.
    update_clip_norm: float | None = Field(default=DEFAULT_UPDATE_CLIP_NORM, gt=0.0)


# A probe halves every interval; float64 thresholds stop halving after about 50.
MAX_PROBES = 40


class GeneratorTraining(BaseModel):
    """A class-conditional generator of synthetic images that the federation trains in
    its first ``rounds`` rounds, before the classifier (``siteapp.synthesis``). Every
    update then holds both models' values, the other one's zero; the generator's
    per-round epsilon is its share of the site's budget and composes with the
    classifier's under the site's cap."""

    model_config = ConfigDict(extra="forbid")

    rounds: int = Field(ge=1)
    latent: int = Field(default=16, ge=2, le=256)
    width: int = Field(default=16, ge=4, le=128, multiple_of=4)
    kl_weight: float = Field(default=1.0, gt=0.0)
    # Adam at this step (benchmarks/synthetic_augmentation.py's recipe).
    epochs_per_round: int = Field(default=5, ge=1)
    learning_rate: float = Field(default=5e-3, gt=0.0)
    batch_size: int = Field(default=16, ge=1)
    max_grad_norm: float = Field(default=1.0, gt=0.0)
    target_epsilon_per_round: float = Field(default=0.5, gt=0.0)


class Augmentation(BaseModel):
    """Synthetic images a site adds to its classifier training (never to its index,
    never sent): ``images_per_class`` of each class named, drawn from the generator."""

    model_config = ConfigDict(extra="forbid")

    classes: list[str] = Field(min_length=1)
    images_per_class: int = Field(ge=1, le=100_000)


class MaskingParams(BaseModel):
    """Secure-sum parameters: Shamir threshold and fixed-point quantisation.

    ``threshold`` None means the rule ``threshold_rule`` names: ``two_thirds`` (the
    default, ``floor(2n/3) + 1``) keeps one site's update secret from a coordinator that
    shows sites different survivor sets unless it colludes with ``2t - n`` > n/3 sites;
    ``majority`` (``floor(n/2) + 1``) tolerates more dropouts but falls to a coordinator
    with a single colluding site (docs/security.md). Updates are clipped to
    ``[-clip_range, clip_range]`` per coordinate; the fixed-point scale is the largest
    that keeps a 32-bit sum of ``sites x max_examples_per_site`` weighted values exact.
    """

    model_config = ConfigDict(extra="forbid")

    threshold: int | None = Field(default=None, ge=2)
    threshold_rule: Literal["two_thirds", "majority"] = "two_thirds"
    clip_range: float = Field(default=1.0, gt=0.0)
    max_examples_per_site: int = Field(default=1000, ge=1)
    # Secure median / winsorised mean (a bisection of [-clip_range, clip_range]): probes,
    # each one masked sum of counts; None takes as many as bring the estimate within
    # ``median_tolerance`` of the order statistic (``coordinator.secure.bisection``).
    probes: int | None = Field(default=None, ge=1, le=MAX_PROBES)
    median_tolerance: float = Field(default=1e-4, gt=0.0)


# Secure aggregation hides one site's update only among enough others: with two sites,
# the aggregate minus a site's own update IS the other site's update.
MIN_SECURE_SITES = 3
MAX_SCORE_BINS = 20


class ValidationReporting(BaseModel):
    """What sites tell the coordinator about each round's global model on their validation
    patients, and how it is protected (every number that leaves a site is counted).

    ``noised_histogram``: a site sends :class:`MetricsReport`, its validation patients
    counted by true class and by score bin (``score_bins`` equal bins of the positive
    class's probability over [0, 1]), with Gaussian noise of std ``noise_multiplier`` added
    to every cell. One patient is in one cell, so each report is one Gaussian mechanism of
    that multiplier, recorded in the site's ledger as its validation patients' own line
    before it is sent. ``off``: sites report nothing. A site may always refuse to report.
    """

    model_config = ConfigDict(extra="forbid")

    mechanism: Literal["noised_histogram", "off"] = "noised_histogram"
    noise_multiplier: float = Field(default=4.0, gt=0.0)
    # Even, so the operating threshold 0.5 is a bin edge.
    score_bins: int = Field(default=4, ge=2, le=MAX_SCORE_BINS, multiple_of=2)


class FederatedStatistics(BaseModel):
    """The federation's intensity and label statistics (``medfed-site statistics``).

    Each site sums, over its training patients, a histogram of pixel intensities per
    modality and scanner model (each patient weighing 1, spread over its images) and its
    patients per class, adds Gaussian noise of std ``noise_multiplier x sqrt(2)`` to every
    cell (one patient moves the vector by at most sqrt(2) in L2 norm: 1 in the
    histograms, 1 in the counts), records the release in its ledger and uploads it masked;
    the coordinator learns only the noised sum over the sites (``docs/federated-statistics.md``).
    ``bins`` equal bins over each modality's ``value_ranges`` (modality units; defaults per
    modality), ``scanner_slots`` histograms per modality (a scanner model's slot is a hash
    of its name); a slot or class with less than ``min_count`` patients' weight in the sum
    is suppressed: never shown, never used for a window.
    """

    model_config = ConfigDict(extra="forbid")

    bins: int = Field(default=64, ge=8, le=1024)
    scanner_slots: int = Field(default=8, ge=1, le=64)
    noise_multiplier: float = Field(default=3.0, gt=0.0)
    min_count: float = Field(default=20.0, ge=0.0)
    value_ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)

    @field_validator("value_ranges")
    @classmethod
    def _ordered_ranges(cls, value: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        bad = [m for m, (low, high) in value.items() if not (math.isfinite(low) and math.isfinite(high) and low < high)]
        if bad:
            raise ValueError(f"value_ranges of {', '.join(bad)} must be finite with low < high")
        return value


class SizeLimits(BaseModel):
    """What one site may send: body sizes, and the example count its update is weighted by
    (a site with more patients states this many, so no site's weight is unbounded)."""

    model_config = ConfigDict(extra="forbid")

    max_update_bytes: int = Field(default=256 * 1024 * 1024, ge=1024)
    max_model_bytes: int = Field(default=256 * 1024 * 1024, ge=1024)
    max_message_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_examples_per_site: int = Field(default=10_000, ge=1, le=MAX_WIRE_INT)


class PretrainedWeights(BaseModel):
    """The operator's pretrained weights file, the federation's initial model: the
    coordinator serves it (``Endpoints.PRETRAINED_WEIGHTS``), every site checks its
    SHA-256 and size before reading a byte of it, then freezes the network's stages
    ``0 .. frozen_stages - 1`` and trains the later stages and the head under DP."""

    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int = Field(gt=0, le=4 * 1024**3)
    frozen_stages: int = Field(default=0, ge=0, le=64)


class FederationPlan(BaseModel):
    """Everything every site must agree on before it joins."""

    model_config = ConfigDict(extra="forbid")

    federation: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    sites: list[str] = Field(min_length=1)
    # What the federation learns (coordinator.task_definition); a plan file may name a
    # built-in task instead of spelling it out.
    task: TaskDefinition = Field(default_factory=lambda: builtin_task("lung-ct-nodule"))
    model: str = "compact_cnn"
    init_seed: int = 0
    rounds: int = Field(default=5, ge=1)
    strategy: Strategy = Strategy.FEDAVG
    strategy_params: StrategyParams = Field(default_factory=lambda: StrategyParams.model_validate({}))
    mode: SecureMode = SecureMode.NONE
    local: LocalTraining = Field(default_factory=lambda: LocalTraining.model_validate({}))
    min_sites: int = Field(default=2, ge=1)
    round_deadline_s: float = Field(default=3600.0, gt=0.0)
    on_deadline: Literal["extend", "fail"] = "extend"
    max_extensions: int = Field(default=3, ge=0)
    masking: MaskingParams = Field(default_factory=lambda: MaskingParams.model_validate({}))
    validation: ValidationReporting = Field(
        default_factory=lambda: ValidationReporting.model_validate({})
    )
    limits: SizeLimits = Field(default_factory=lambda: SizeLimits.model_validate({}))
    # Values in one update (the model's trainable parameters, as
    # `medfed-site frozen-digest --json` prints them). Required in ckks and masking mode: the coordinator cannot look inside
    # an encrypted or masked update, so the plan, never an upload, fixes its length.
    update_length: int | None = Field(default=None, ge=1, le=MAX_WIRE_INT)
    # A failed round (too few sites by the deadline, an aggregate that could not be made)
    # does not end the federation: the next round opens, until this many rounds failed;
    # then it waits for the operator ('medfed-coordinator resume').
    max_failed_rounds: int = Field(default=3, ge=0)
    # SHA-256 of the initial model's frozen tensors (the app's pretrained backbone and
    # feature statistics), computed by a site app; a site whose app would start from other
    # frozen weights refuses the plan. None: not checked.
    frozen_weights_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    # The operator's pretrained weights (None: the app's own initial model).
    pretrained: PretrainedWeights | None = None
    statistics: FederatedStatistics = Field(
        default_factory=lambda: FederatedStatistics.model_validate({})
    )
    # A generator of synthetic images trained first, and how sites use it (None: neither).
    generator: GeneratorTraining | None = None
    augmentation: Augmentation | None = None

    @field_validator("task", mode="before")
    @classmethod
    def _builtin_task_by_name(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return builtin_task(value)
        except TaskFileError as exc:
            raise ValueError("; ".join(exc.problems)) from None

    @model_validator(mode="before")
    @classmethod
    def _secure_min_sites_default(cls, data: Any) -> Any:
        """A secure plan that names no ``min_sites`` waits for the secure minimum."""
        if isinstance(data, dict) and "min_sites" not in data and data.get("mode") in (
            SecureMode.CKKS, SecureMode.MASKING
        ):
            return {**data, "min_sites": MIN_SECURE_SITES}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> FederationPlan:
        if len(set(self.sites)) != len(self.sites):
            raise ValueError("site names must be unique")
        for name in self.sites:
            if not name or not all(c.isalnum() or c in "-_." for c in name):
                raise ValueError(f"site name '{name}' may only use letters, digits, '-', '_', '.'")
        contributors = min(self.min_sites, len(self.sites))
        if self.mode is not SecureMode.NONE and contributors < MIN_SECURE_SITES:
            raise ValueError(
                f"'{self.mode}' mode needs min_sites of at least {MIN_SECURE_SITES}: with "
                f"{contributors} contributing site(s) a site's own update and the aggregate "
                "reveal the others' updates; enrol at least 3 sites and set min_sites to 3 "
                "or more, or use --mode none (TLS only, the coordinator sees every update)"
            )
        if self.min_sites > len(self.sites):
            raise ValueError(
                f"min_sites is {self.min_sites} but only {len(self.sites)} sites are enrolled"
            )
        conflict = hidden_updates_conflict(self.strategy, self.mode)
        if conflict is not None:
            raise ValueError(conflict)
        if self.mode is not SecureMode.NONE and self.update_length is None:
            raise ValueError(
                f"a {self.mode} plan must state update_length (the values in one update, which "
                "'medfed-site frozen-digest --json' prints for the plan's task and model): the "
                "coordinator cannot read encrypted updates, so only the plan can fix their length"
            )
        if self.strategy in (Strategy.TRIMMED_MEAN, Strategy.WINSORISED_MEAN) and (
            self.min_sites < TRIMMED_MEAN_MIN_SITES
        ):
            raise ValueError(
                f"{self.strategy} cuts at least one site from each end, so it needs min_sites "
                f">= {TRIMMED_MEAN_MIN_SITES}; raise min_sites or choose fedmedian"
            )
        if self.strategy is Strategy.KRUM and len(self.sites) < 2 * self.strategy_params.num_malicious + 3:
            raise ValueError(
                "krum needs at least 2 x num_malicious + 3 sites; lower num_malicious or "
                "enrol more sites"
            )
        if self.generator is not None and self.generator.rounds >= self.rounds:
            raise ValueError(
                f"the generator trains in the first {self.generator.rounds} rounds, so the plan "
                "needs more rounds than that for the classifier"
            )
        if self.augmentation is not None:
            if self.generator is None:
                raise ValueError("augmentation needs a generator section (synthetic images come from it)")
            unknown = sorted(set(self.augmentation.classes) - set(self.task.classes))
            if unknown:
                raise ValueError(
                    f"augmentation names classes the task does not have: {', '.join(unknown)} "
                    f"(classes: {', '.join(self.task.classes)})"
                )
        if self.mode is SecureMode.MASKING and self.masking.threshold is not None and (
            self.masking.threshold > len(self.sites)
        ):
            raise ValueError("the masking threshold cannot exceed the number of sites")
        return self


# Bounds of what the masking relay stores: base64 keys, nonces and ciphertexts of a few
# hundred bytes, a PEM certificate of a few kB, Shamir shares (field elements) in hex.
_RELAYED_TEXT = 16 * 1024
_SHARE_HEX = rf"^[0-9a-f]{{1,{(SHAMIR_PRIME.bit_length() + 3) // 4}}}$"
RelayedText = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=_RELAYED_TEXT)]
ShareHex = Annotated[str, StringConstraints(strict=True, pattern=_SHARE_HEX)]


class _MaskingMessage(BaseModel):
    """A masking message as the relay accepts it: exactly these fields, strings only, so
    nothing a peer cannot read (an extra field, a NaN, a nested blob) is ever relayed."""

    model_config = ConfigDict(extra="forbid", strict=True)


class KeyAdvertisement(_MaskingMessage):
    type: Literal["masking.advertise"]
    round_id: RelayedText
    site_id: RelayedText
    cipher_public_key: RelayedText
    mask_public_key: RelayedText
    certificate: RelayedText
    signature: RelayedText


class EncryptedShare(_MaskingMessage):
    type: Literal["masking.share"]
    round_id: RelayedText
    sender: RelayedText
    recipient: RelayedText
    nonce: RelayedText
    ciphertext: RelayedText


class UnmaskResponse(_MaskingMessage):
    type: Literal["masking.unmask_response"]
    round_id: RelayedText
    site_id: RelayedText
    x: int = Field(ge=1, le=MAX_WIRE_INT)
    seed_shares: dict[str, ShareHex]
    key_shares: dict[str, ShareHex]


def masking_threshold(plan: FederationPlan) -> int:
    """The Shamir threshold every participant and the coordinator use."""
    if plan.masking.threshold is not None:
        return plan.masking.threshold
    n = len(plan.sites)
    return 2 * n // 3 + 1 if plan.masking.threshold_rule == "two_thirds" else n // 2 + 1


def masking_round_id(plan: FederationPlan, round_number: int, secure_sum: int = 0) -> str:
    """The identifier bound into every masking message (stops cross-round replay): one per
    secure sum of a round (a bisection round runs several, one per probe)."""
    base = f"{plan.federation}/round-{round_number}"
    return base if secure_sum == 0 else f"{base}/sum-{secure_sum}"


class CkksKeyState(BaseModel):
    """How far the sites are with the federation's CKKS key (CKKS mode only).

    The key is made by one site, the ``holder``, and sealed to each other active site
    through the coordinator; rounds wait until every active site has its copy
    (``ready``). A revocation starts the next ``generation`` for the remaining sites.
    """

    generation: int
    holder: str
    fingerprint: str | None = None  # of the context, once the holder made it
    ready: bool = False
    requested: list[str] = Field(default_factory=list)  # sites that asked for their copy
    waiting_for: list[str] = Field(default_factory=list)  # active sites without their copy

    def describe(self) -> Words:
        """One sentence for people: what the federation waits for, if anything."""
        if self.ready:
            return say("every site holds the federation's encryption key (generation {generation})",
                       generation=self.generation)
        if self.fingerprint is None:
            return say("waiting for site {holder} to make the federation's encryption key "
                       "(generation {generation})", holder=self.holder, generation=self.generation)
        return say("waiting for site {holder} to hand the encryption key to {sites}; rounds "
                   "start once every site holds it", holder=self.holder, sites=", ".join(self.waiting_for))


class CkksKeyRequest(BaseModel):
    """A site asks for its sealed copy of the key: the certificate to seal it to."""

    model_config = ConfigDict(extra="forbid")

    certificate: str = Field(max_length=16 * 1024)


class CkksPublicContext(BaseModel):
    """The key holder's public context (parameters only, no key), base64."""

    model_config = ConfigDict(extra="forbid")

    public_context: str


class RoundState(BaseModel):
    """The current round as a site or the operator sees it."""

    number: int
    phase: RoundPhase
    opened_at: float
    deadline_at: float | None
    extensions: int
    submitted: list[str]
    waiting_for_initial_model: bool = False
    masking_step: MaskingStep | None = None
    # Which masked sum of the round the masking step belongs to (0 for a FedAvg round;
    # a bisection round runs one per probe, then for the winsorised mean a weighted sum).
    secure_sum: int = 0
    finished: bool = False
    last_published: int = 0
    ckks_key: CkksKeyState | None = None


class UploadReceipt(BaseModel):
    round: int
    site: str
    sha256: str
    size_bytes: int
    num_examples: int | None
    replaced: bool


class InitialModelReceipt(BaseModel):
    sha256: str
    size_bytes: int
    parameters: int


class MetricsReport(BaseModel):
    """Round r's global model on one site's validation patients, DP-noised at the site.

    ``noisy_counts[c][b]``: the number of validation patients of true class ``c`` (0
    negative, 1 positive) whose positive-class score falls in bin ``b`` of the plan's
    ``validation.score_bins``, plus Gaussian noise of std ``validation.noise_multiplier``
    (:class:`ValidationReporting`). No exact count or rate leaves a site; the
    coordinator derives AUC, accuracy, sensitivity and specificity from the sum of all
    sites' histograms (``coordinator.aggregation.validation_histogram``).
    """

    model_config = ConfigDict(extra="forbid")

    noisy_counts: list[list[float]] = Field(min_length=2, max_length=2)

    @model_validator(mode="after")
    def _bounded(self) -> MetricsReport:
        for row in self.noisy_counts:
            if not 2 <= len(row) <= MAX_SCORE_BINS:
                raise ValueError(f"each histogram row needs 2 to {MAX_SCORE_BINS} bins")
            if not all(math.isfinite(v) and abs(v) <= MAX_WIRE_INT for v in row):
                raise ValueError("histogram counts must be finite and within the wire's range")
        return self


class RoundSummary(BaseModel):
    number: int
    phase: RoundPhase
    submitted: list[str]
    total_examples: int | None
    result_sha256: str | None
    published_at: float | None
    metrics: dict[str, float]
    metrics_sites: list[str]
    failure: str | None = None


class FederationStatus(BaseModel):
    federation: str
    mode: SecureMode
    strategy: Strategy
    sites: list[str]
    rounds_planned: int
    current: RoundState
    rounds: list[RoundSummary]


class ErrorCode(StrEnum):
    """What kind of refusal a 4xx/5xx is, for programs; ``detail`` is for people."""

    REFUSED = "refused"  # the round state machine says no (wrong round, closed step...)
    INVALID_REQUEST = "invalid_request"
    FORBIDDEN = "forbidden"
    NOT_AUTHENTICATED = "not_authenticated"
    UPDATE_REJECTED = "update_rejected"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    STORAGE_FULL = "storage_full"
    DUPLICATE_UPLOAD = "duplicate_upload"
    INITIAL_MODEL_EXISTS = "initial_model_exists"
    MESSAGE_REJECTED = "message_rejected"  # a masking message or metrics report out of bounds
    TOO_SLOW = "too_slow"  # an upload stalled or ran past the total upload deadline
    INTERRUPTED = "interrupted"  # the client went away mid-body
    TOO_MANY_REQUESTS = "too_many_requests"  # the site already has its cap of requests in flight
    INTERNAL = "internal"


class ErrorBody(BaseModel):
    """Every error response's body: a code to act on and a sentence to show."""

    detail: str
    code: ErrorCode = ErrorCode.REFUSED


class Endpoints:
    """Paths under the API prefix, so server routes and client calls cannot drift: the
    server registers the ``*_ROUTE`` templates, the client fills them in."""

    PLAN = f"{API_PREFIX}/plan"
    ROUND = f"{API_PREFIX}/round"
    STATUS = f"{API_PREFIX}/status"
    INITIAL_MODEL = f"{API_PREFIX}/initial-model"
    RESULT_ROUTE = f"{API_PREFIX}/rounds/{{round_number}}/result"
    UPDATE_ROUTE = f"{API_PREFIX}/rounds/{{round_number}}/update"
    METRICS_ROUTE = f"{API_PREFIX}/rounds/{{round_number}}/metrics"
    MASKING_ROUTE = f"{API_PREFIX}/rounds/{{round_number}}/masking/{{step}}"
    # The coordinator's answer to one probe of a secure bisection: one bit per coordinate.
    PROBE_ANSWER_ROUTE = f"{API_PREFIX}/rounds/{{round_number}}/probes/{{probe}}"
    # A page for people (HTML), not part of the sites' API.
    OPERATOR_STATUS = "/operator/status"
    PRETRAINED_WEIGHTS = f"{API_PREFIX}/pretrained-weights"
    OPENAPI = "/openapi.json"
    CKKS_KEY = f"{API_PREFIX}/ckks/key"
    CKKS_KEY_REQUEST = f"{API_PREFIX}/ckks/key/request"
    CKKS_KEY_REQUESTS = f"{API_PREFIX}/ckks/key/requests"
    CKKS_PUBLIC_CONTEXT_ROUTE = f"{API_PREFIX}/ckks/key/{{generation}}/context"
    CKKS_SEALED_KEY_ROUTE = f"{API_PREFIX}/ckks/key/{{generation}}/sealed/{{site}}"

    @staticmethod
    def ckks_public_context(generation: int) -> str:
        return Endpoints.CKKS_PUBLIC_CONTEXT_ROUTE.format(generation=generation)

    @staticmethod
    def ckks_sealed_key(generation: int, site: str) -> str:
        return Endpoints.CKKS_SEALED_KEY_ROUTE.format(generation=generation, site=site)

    @staticmethod
    def result(round_number: int) -> str:
        return Endpoints.RESULT_ROUTE.format(round_number=round_number)

    @staticmethod
    def update(round_number: int) -> str:
        return Endpoints.UPDATE_ROUTE.format(round_number=round_number)

    @staticmethod
    def metrics(round_number: int) -> str:
        return Endpoints.METRICS_ROUTE.format(round_number=round_number)

    @staticmethod
    def probe_answer(round_number: int, probe: int) -> str:
        return Endpoints.PROBE_ANSWER_ROUTE.format(round_number=round_number, probe=probe)

    @staticmethod
    def masking(round_number: int, phase: str) -> str:
        return Endpoints.MASKING_ROUTE.format(round_number=round_number, step=phase)
