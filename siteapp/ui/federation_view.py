"""The federation plan in words, for staff who are not ML engineers (no Qt).

Built from the enrolment kit's plan (what every site agreed to), so the page says what
will happen and what leaves the site before anyone presses Join.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from coordinator.protocol import FederationPlan, uses_secure_bisection
from coordinator.secure.bisection import BisectionPlan
from siteapp.federation.enrolment import Enrolment, current_enrolment, load_enrolled_kit
from siteapp.privacy.ledger import PrivacyLedger
from siteapp.ui.vocabulary import class_text, task_title_text


def mode_sentence(mode: str) -> str:
    sentences = {
        "ckks": QCoreApplication.translate("FederationPlanText", "Encrypted (CKKS): this site's update is encrypted before it leaves; the "
                   "coordinator only adds encrypted updates and can never read one."),
        "masking": QCoreApplication.translate("FederationPlanText", "Masked (secure sum): each update is hidden by random masks that cancel "
                      "only when all sites' updates are added; the coordinator sees the sum only."),
        "none": QCoreApplication.translate("FederationPlanText", "Not encrypted (TLS only): the coordinator can read this site's individual "
                   "update. Needed by Krum and the trimmed mean (the median and the winsorised "
                   "mean also run masked)."),
    }
    return sentences.get(mode, mode)


def strategy_sentence(strategy: str) -> str:
    sentences = {
        "fedavg": QCoreApplication.translate("FederationPlanText", "FedAvg: the new model is the average of the sites' models, weighted by patients."),
        "fedprox": QCoreApplication.translate("FederationPlanText", "FedProx: like FedAvg, with each site kept close to the shared model."),
        "fedmedian": QCoreApplication.translate("FederationPlanText", "FedMedian: the coordinate-wise median, robust to one bad site."),
        "trimmed_mean": QCoreApplication.translate("FederationPlanText", "Trimmed mean: the average after dropping the extremes."),
        "krum": QCoreApplication.translate("FederationPlanText", "Krum: keeps the update most similar to the others, robust to poisoning."),
        "fedadagrad": QCoreApplication.translate("FederationPlanText", "FedAdagrad: averaging with an adaptive server step."),
        "fedadam": QCoreApplication.translate("FederationPlanText", "FedAdam: averaging with an Adam server optimiser."),
        "fedyogi": QCoreApplication.translate("FederationPlanText", "FedYogi: averaging with a Yogi server optimiser."),
        "winsorised_mean": QCoreApplication.translate("FederationPlanText", "Winsorised mean: each value is first limited to the range most sites "
                              "agree on, then averaged; robust to a site sending extreme values."),
    }
    return sentences.get(strategy, strategy)


def secure_median_sentence(plan: FederationPlan) -> str | None:
    """How a masked median or winsorised-mean round runs and what it reveals; None for
    other plans."""
    if not uses_secure_bisection(plan):
        return None
    spec = BisectionPlan.of(plan)
    translate = QCoreApplication.translate
    text = translate(
        "FederationPlanText",
        "Each round asks {probes} questions after training, one masked sum each: for every "
        "number of the model, is this site's value at or below a threshold the coordinator "
        "publishes? Only the count of sites answering yes is unmasked; it moves each "
        "threshold up or down, and after {probes} questions the thresholds are the median to "
        "within {precision:.1g}. The coordinator learns those counts per number and question, "
        "never one site's value or answer (unless all sites or none answer yes). A site "
        "that leaves between questions is left out of the later ones.",
    ).format(probes=spec.probes, precision=2 * spec.clip / 2**spec.probes)
    if spec.winsorised:
        text += " " + translate(
            "FederationPlanText",
            "Then each site limits its update to the range found this way and the sites "
            "add their limited updates in one more masked sum.",
        )
    return text


def what_leaves(plan: FederationPlan) -> list[str]:
    """Every field this site sends under ``plan``, how it is protected and whether epsilon
    covers it (the README's "What epsilon means" lists the same)."""
    translate = QCoreApplication.translate
    secure = plan.mode.value != "none"
    if uses_secure_bisection(plan):
        probes = BisectionPlan.of(plan).probes
        update = translate(
            "FederationPlanText",
            "The model update, as {probes} masked answers per number (is it at or below the "
            "published threshold?); only the count over at least 3 sites is ever revealed. "
            "Covered by ε: DP-SGD noise is added before any answer is computed.",
        ).format(probes=probes)
        if plan.strategy.value == "winsorised_mean":
            update += " " + translate(
                "FederationPlanText", "Then the update itself, limited to that range and masked."
            )
    else:
        update = translate(
            "FederationPlanText",
            "The model update, {protection}. Covered by ε: DP-SGD noise is added before it leaves.",
        ).format(protection=translate("FederationPlanText", "encrypted or masked, only the sum of at "
                                      "least 3 sites is ever revealed") if secure else
                 translate("FederationPlanText", "readable by the coordinator (TLS only)"))
    count = translate(
        "FederationPlanText",
        "The number of training patients, {protection}. Not covered by ε: it is exact.",
    ).format(protection=translate("FederationPlanText", "inside the encrypted or masked sum, so "
                                  "sites learn only the total of all sites") if secure else
             translate("FederationPlanText", "readable by the coordinator"))
    validation = plan.validation
    if validation.mechanism == "off":
        figures = translate("FederationPlanText", "Validation figures: none (the plan asks for none).")
    else:
        figures = translate(
            "FederationPlanText",
            "Validation figures: the validation patients counted by class and score band, with "
            "random noise (σ {sigma:g}) added to every count; exact AUC, counts and the "
            "confusion matrix stay here. Covered by ε: the validation patients' own line in the "
            "ledger. The site policy can refuse to send them.",
        ).format(sigma=validation.noise_multiplier)
    timings = translate(
        "FederationPlanText",
        "When this site joins, uploads and reports, and the size of each message. Not covered "
        "by ε; training time grows with the number of patients.",
    )
    never = translate(
        "FederationPlanText",
        "No image, label or patient record ever leaves; the Audit log lists every byte sent.",
    )
    statistics = translate(
        "FederationPlanText",
        "If this site takes part in the statistics{needed}: intensity histograms per scanner model "
        "and patients per class of the training patients, with random noise (σ {sigma:g} x 1.41) "
        "on every number, masked: only the sum of at least 3 sites is revealed. Covered by ε: "
        "the training patients' line in the ledger.",
    ).format(
        needed=translate("FederationPlanText", " (the task needs them: it windows with the "
                         "federation's percentiles)") if plan.task.windowing.scope.value == "federation" else "",
        sigma=plan.statistics.noise_multiplier,
    )
    return [update, count, figures, statistics, timings, never]


@dataclass(frozen=True)
class PlanInWords:
    enrolment: Enrolment
    rounds: int
    min_sites: int
    sites: list[str]
    lines: list[tuple[str, str]]
    task_name: str


def plan_in_words(data_dir: Path) -> PlanInWords | None:
    """None before a kit was imported; else the plan as (heading, sentence) lines."""
    if current_enrolment(data_dir) is None:
        return None
    enrolment, kit = load_enrolled_kit(data_dir)
    plan = kit.plan
    task = plan.task
    local = plan.local
    translate = QCoreApplication.translate
    rounds_text = translate(
        "FederationPlanText",
        "{rounds} rounds; each needs at least {min_sites} of the {n} sites ({sites}).",
    ).format(rounds=plan.rounds, min_sites=plan.min_sites, n=len(plan.sites), sites=", ".join(plan.sites))
    local_text = translate(
        "FederationPlanText",
        "{epochs} pass(es) over this site's labelled patients per round, with differential "
        "privacy: at most ε {eps:g} per round (δ {delta:g}).",
    ).format(epochs=local.epochs_per_round, eps=local.target_epsilon_per_round,
             delta=min(local.target_delta, PrivacyLedger(data_dir).delta_for(1)))
    leaves_text = "\n".join(f"• {line}" for line in what_leaves(plan))
    lines = [
        (translate("FederationPlanText", "Task"), f"{task_title_text(task.name, task.title)} ({plan.model})"),
        (translate("FederationPlanText", "What is learnt"), task.describe()),
        (translate("FederationPlanText", "Classes"), ", ".join(class_text(c) for c in task.classes)),
        (translate("FederationPlanText", "Rounds"), rounds_text),
        (translate("FederationPlanText", "Combining"), strategy_sentence(plan.strategy.value)),
        (translate("FederationPlanText", "Protection"), mode_sentence(plan.mode.value)),
        (translate("FederationPlanText", "Local training"), local_text),
        (translate("FederationPlanText", "What leaves this site"), leaves_text),
    ]
    median = secure_median_sentence(plan)
    if median is not None:
        lines.insert(5, (translate("FederationPlanText", "Secure median"), median))
    return PlanInWords(enrolment, plan.rounds, plan.min_sites, list(plan.sites), lines, task.name)
