"""The site's policy: what a coordinator's plan may ask of this site.

Checked on every round's plan BEFORE anything is recorded or trained. The coordinator is
honest-but-curious at best, so the site never trusts the plan: the task, model, mode and
strategy must stay what the enrolment kit said, hyper-parameters must be sane, and the
whole remaining plan must fit the site's privacy cap (:func:`check_privacy`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from coordinator.protocol import FederationPlan, GeneratorTraining, LocalTraining
from siteapp.errors import UsageError
from siteapp.federation.enrolment import Enrolment
from siteapp.federation.errors import PlanRefusedError
from siteapp.federation.settings import PolicyDefaults
from siteapp.federation.store import connect
from siteapp.privacy.accountant import MechanismRun
from siteapp.privacy.ledger import PrivacyLedger, RecordSet

DEFAULTS = PolicyDefaults()


@dataclass(frozen=True)
class SitePolicy:
    """This site's limits on what a plan may ask (the privacy cap lives in the ledger);
    the defaults are ``PolicyDefaults``, a stored policy replaces them.

    ``allowed_models`` None allows every model of the zoo (kept torch-free, so the GUI
    can show the policy without loading torch)."""

    allowed_models: tuple[str, ...] | None = None
    max_learning_rate: float = DEFAULTS.max_learning_rate
    max_epochs_per_round: int = DEFAULTS.max_epochs_per_round
    max_batch_size: int = DEFAULTS.max_batch_size
    max_grad_norm_limit: float = DEFAULTS.max_grad_norm_limit
    min_train_patients: int = DEFAULTS.min_train_patients
    # False: this site never reports validation figures, not even noised ones.
    report_validation: bool = True

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> SitePolicy:
        raw = json.loads(text)
        models = raw.get("allowed_models")
        raw["allowed_models"] = None if models is None else tuple(models)
        return cls(**raw)


#: The limits a privacy officer sets (CLI flags and the Settings page use these names).
LIMITS = ("max_learning_rate", "max_epochs_per_round", "max_batch_size",
          "max_grad_norm_limit", "min_train_patients")


def changed_policy(policy: SitePolicy, **changes: object) -> SitePolicy:
    """``policy`` with ``changes`` (fields of :class:`SitePolicy`), or a
    :class:`UsageError` naming every value no plan could sensibly meet."""
    new = replace(policy, **changes)  # type: ignore[arg-type]
    problems = []
    if not new.max_learning_rate > 0:
        problems.append("the largest learning rate must be above 0, e.g. 1")
    for name, value in (("epochs per round", new.max_epochs_per_round),
                        ("batch size", new.max_batch_size),
                        ("number of training patients", new.min_train_patients)):
        if value < 1:
            problems.append(f"the {name} must be at least 1")
    if not new.max_grad_norm_limit > 0:
        problems.append("the largest clipping norm must be above 0, e.g. 100")
    if problems:
        raise UsageError("the site policy was not changed: " + "; ".join(problems))
    return new


def load_policy(data_dir: Path) -> SitePolicy:
    """The stored policy, or the defaults until one is saved (:func:`save_policy`)."""
    with connect(Path(data_dir)) as conn:
        row = conn.execute("SELECT policy_json FROM federation_policy WHERE id = 1").fetchone()
    return SitePolicy() if row is None else SitePolicy.from_json(row["policy_json"])


def save_policy(data_dir: Path, policy: SitePolicy) -> None:
    with connect(Path(data_dir)) as conn, conn:
        conn.execute(
            "INSERT INTO federation_policy(id, policy_json, updated_at) VALUES (1, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET policy_json = excluded.policy_json,"
            " updated_at = excluded.updated_at",
            (policy.to_json(), datetime.now(UTC).isoformat(timespec="seconds")),
        )


def plan_problems(plan: FederationPlan, policy: SitePolicy, enrolment: Enrolment) -> list[str]:
    """Every way ``plan`` breaks ``policy`` or differs from the enrolled federation."""
    problems = []
    fixed = {
        "federation": (plan.federation, enrolment.federation),
        "task": (plan.task.name, enrolment.task),
        "model": (plan.model, enrolment.model),
        "secure mode": (plan.mode.value, enrolment.mode),
    }
    for what, (asked, enrolled) in fixed.items():
        if asked != enrolled:
            problems.append(f"the {what} changed from '{enrolled}' (enrolment kit) to '{asked}'")
    if enrolment.site not in plan.sites:
        problems.append(f"the plan no longer lists this site ('{enrolment.site}')")
    if policy.allowed_models is not None and plan.model not in policy.allowed_models:
        problems.append(f"model '{plan.model}' is not allowed here (allowed: {', '.join(policy.allowed_models)})")
    trainings: list[tuple[str, LocalTraining | GeneratorTraining]] = [("", plan.local)]
    if plan.generator is not None:
        trainings.append(("the generator's ", plan.generator))
    for whose, local in trainings:
        if local.learning_rate > policy.max_learning_rate:
            problems.append(f"{whose}learning rate {local.learning_rate:g} is above the site's limit {policy.max_learning_rate:g}")
        if local.epochs_per_round > policy.max_epochs_per_round:
            problems.append(f"{whose}{local.epochs_per_round} epochs per round is above the site's limit {policy.max_epochs_per_round}")
        if local.batch_size > policy.max_batch_size:
            problems.append(f"{whose}batch size {local.batch_size} is above the site's limit {policy.max_batch_size}")
        if local.max_grad_norm > policy.max_grad_norm_limit:
            problems.append(f"{whose}per-patient clipping norm {local.max_grad_norm:g} is above the site's limit {policy.max_grad_norm_limit:g}")
    return problems


def check_plan(plan: FederationPlan, policy: SitePolicy, enrolment: Enrolment) -> None:
    """Raise :class:`PlanRefusedError` listing every problem; nothing is trained."""
    problems = plan_problems(plan, policy, enrolment)
    if problems:
        raise PlanRefusedError(
            "this site refuses the coordinator's plan: " + "; ".join(problems)
            + ". Nothing was trained; ask the federation operator, or change the site policy"
        )


def check_privacy(
    ledger: PrivacyLedger,
    noise_multiplier: float,
    sample_rate: float,
    steps: int,
    records: int,
    rounds_left: int,
    later: Sequence[MechanismRun] = (),
) -> float:
    """The epsilon after every remaining round of the plan (``rounds_left`` like this
    one, then ``later``'s, e.g. the classifier's after the generator's); refuses the plan
    (before any training) when that passes the site's cap, whatever the coordinator asked."""
    projected = ledger.projected_epsilon(
        noise_multiplier, sample_rate, steps, records, rounds_left, also=later
    )
    rounds_left += len(later)
    cap = ledger.cap().epsilon
    if projected > cap:
        raise PlanRefusedError(
            f"the plan's {rounds_left} remaining round(s) would bring this site's epsilon to "
            f"{projected:.2f}, above its cap of {cap:g} (already spent "
            f"{ledger.epsilon_spent(RecordSet.TRAINING):.2f}); nothing was trained. Ask the operator for fewer "
            "rounds or a smaller epsilon per round, or join fewer rounds with --rounds"
        )
    return projected
