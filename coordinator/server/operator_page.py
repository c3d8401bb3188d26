"""The operator's status page: the federation's state as one read-only HTML page.

Served by the coordinator to the operator's client certificate only (mutual TLS, like
every call), rendered on the server from a Jinja2 template: no script, no front-end
build. What it shows comes from the stores (the training rounds' and the federated
statistics'), so every worker process shows the same page; never a site's values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape

from coordinator.protocol import MIN_SECURE_SITES, FederationPlan, SecureMode, uses_secure_bisection
from coordinator.round_state import MaskingStep, RoundPhase
from coordinator.secure.bisection import BisectionPlan
from coordinator.server.reports import federation_metrics, site_figures
from coordinator.server.round_progress import MaskingProgress, masking_progress, probes_words
from coordinator.server.rounds import RoundService
from coordinator.server.store import CoordinatorStore, RoundRow

MODE_WORDS = {
    SecureMode.CKKS: "Encrypted (CKKS): the coordinator adds encrypted updates and can never "
                     "read one; sites decrypt the sum.",
    SecureMode.MASKING: "Masked secure sum: each update is hidden by pairwise masks that cancel "
                        "only in the sum; the coordinator sees the sum only.",
    SecureMode.NONE: "TLS only: the coordinator reads each site's update (needed by robust "
                     "rules such as the median or Krum).",
}

NO_STATISTICS = (f"This federation runs no federated statistics: their secure sum needs at "
                 f"least {MIN_SECURE_SITES} sites.")

RESUME_HINT = ("More rounds failed than the plan tolerates (each failure's reason is below): "
               "open the next one with 'medfed-coordinator resume' once the sites can take part.")

WAITING_FOR_OPERATOR = "waiting for the operator: round {number} failed and no more open by themselves"

RESUME_STATISTICS_HINT = ("The plan's failed statistics rounds are spent: open one more with "
                          "'medfed-coordinator resume --statistics' when the sites are ready to "
                          "run 'medfed-site statistics' before its deadline.")


@dataclass(frozen=True)
class RoundLine:
    number: int
    phase: str
    opened: str
    deadline: str
    closed: str
    submitted: list[str]
    total_examples: int | None
    metrics: dict[str, float]
    failure: str | None
    extensions: int


@dataclass(frozen=True)
class SiteLine:
    site: str
    revoked: str | None
    last_seen: str
    uploads: int
    upload_bytes: str
    figures_round: int | None
    figures: dict[str, float]  # read from the site's DP-noised histogram


@dataclass(frozen=True)
class StatisticsView:
    """The federation's statistics rounds: who took part and when, never a value (the
    noised sum goes to the sites only)."""

    now_line: str
    now_details: list[str]
    rounds: list[RoundLine]  # total_examples: the number of sites summed


@dataclass(frozen=True)
class StatusView:
    federation: str
    generated: str
    now_line: str
    now_details: list[str]  # the current masked sum: who is waited for, who is out
    plan_lines: list[tuple[str, str]]
    rounds: list[RoundLine]
    sites: list[SiteLine]
    failures: list[tuple[int, str]]
    revoked_sites: list[tuple[str, str]]
    revoked_certificates: list[tuple[str, str, str]]
    seen_resolution_s: float
    statistics: StatisticsView | None


def _when(at: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(at)) if at is not None else "-"


def _ago(at: float | None, now: float) -> str:
    if at is None:
        return "never"
    seconds = max(0.0, now - at)
    if seconds < 90:
        span = f"{seconds:.0f} s"
    elif seconds < 5400:
        span = f"{seconds / 60:.0f} min"
    elif seconds < 2 * 86400:
        span = f"{seconds / 3600:.1f} h"
    else:
        span = f"{seconds / 86400:.0f} days"
    return f"{span} ago ({_when(at)})"


def _size(n: int) -> str:
    if n < 1000:
        return f"{n} bytes"
    value = float(n)
    for unit in ("kB", "MB", "GB"):
        value /= 1000
        if value < 1000 or unit == "GB":
            break
    return f"{value:.1f} {unit}"


def _combining(plan: FederationPlan) -> str:
    if not uses_secure_bisection(plan):
        return plan.strategy.value
    bisection = BisectionPlan.of(plan)
    words = (f"{plan.strategy.value}: each round is {probes_words(bisection.probes)}, each a masked "
             "secure sum of counts (how many sites lie at or below a threshold)")
    return words + (", then one masked weighted sum of the winsorised updates"
                    if bisection.winsorised else "")


def plan_in_words(plan: FederationPlan) -> list[tuple[str, str]]:
    """The plan as (heading, sentence) lines, for an operator rather than an engineer."""
    local = plan.local
    deadline = (f"each round closes when all sites uploaded, or after {plan.round_deadline_s:g} s "
                f"with at least {plan.min_sites}; short of that it "
                + (f"is extended up to {plan.max_extensions} times, then fails"
                   if plan.on_deadline == "extend" else "fails"))
    return [
        ("Task", f"{plan.task.describe()} Model {plan.model}."),
        ("Sites", f"{len(plan.sites)} enrolled ({', '.join(plan.sites)}); "
                  f"each round needs at least {plan.min_sites}"),
        ("Rounds", f"{plan.rounds} rounds; {deadline}"),
        ("Combining", _combining(plan)),
        ("Protection", MODE_WORDS.get(plan.mode, plan.mode.value)),
        ("Local training", f"{local.epochs_per_round} epoch(s) per round with patient-level "
                           f"differential privacy, at most epsilon {local.target_epsilon_per_round:g} "
                           f"per round (delta {local.target_delta:g}) at each site"),
        ("Limits", f"updates up to {_size(plan.limits.max_update_bytes)}, "
                   f"messages up to {_size(plan.limits.max_message_bytes)}"),
    ]


def _round_lines(plan: FederationPlan, store: CoordinatorStore, rows: list[RoundRow]) -> list[RoundLine]:
    lines = []
    for row in rows:
        closed = row.published_at if row.phase == RoundPhase.PUBLISHED else None
        lines.append(RoundLine(
            number=row.number, phase=row.phase, opened=_when(row.opened_at),
            deadline=_when(row.deadline_at) if row.phase in (RoundPhase.OPEN, RoundPhase.COLLECTING) else "-",
            closed=_when(closed), submitted=[u.site for u in store.uploads(row.number)],
            total_examples=row.total_examples, metrics=federation_metrics(store.metrics(row.number), plan.task),
            failure=row.failure, extensions=row.extensions,
        ))
    return lines


def _progress_details(progress: MaskingProgress | None) -> list[str]:
    return [] if progress is None else list(progress.details)


def statistics_view(statistics: RoundService) -> StatisticsView:
    """The statistics' round service as the page shows it: rounds, phase, masking step,
    who took part or is waited for, when the sum was published (never the sum)."""
    rows = statistics.store.all_rounds()
    rounds = _round_lines(statistics.plan, statistics.store, rows)
    progress = masking_progress(statistics, rows[-1]) if rows else None
    published = [r for r in rows if r.phase == RoundPhase.PUBLISHED]
    details = _progress_details(progress)
    if not rows:
        now_line = "no statistics round has opened yet"
    elif published:
        row = published[-1]
        summed = sorted(statistics.masking.survivors(row.number)) if statistics.masking else []
        now_line = (f"published {_when(row.published_at)}: the noised sum of {len(summed)} "
                    f"sites ({', '.join(summed)}), statistics round {row.number}; "
                    "sites read it with 'medfed-site statistics'")
    elif progress is not None:
        now_line = f"statistics round {rows[-1].number} is {rows[-1].phase}: {progress.summary}"
    elif statistics.finished():  # failed, with the plan's failed rounds spent
        now_line = (f"waiting for the operator: statistics round {rows[-1].number} failed and "
                    "no more open by themselves; nothing was published")
        details.append(RESUME_STATISTICS_HINT)
    else:
        now_line = f"statistics round {rows[-1].number} is {rows[-1].phase}"
    if progress is not None and progress.step is MaskingStep.ADVERTISE and progress.waiting_for:
        details.append("A site joins with 'medfed-site statistics' (or 'medfed-site join', when its "
                       "task windows with the federation's percentiles).")
    return StatisticsView(now_line=now_line, now_details=details, rounds=rounds)


def status_view(
    service: RoundService, statistics: RoundService | None, now: float, seen_resolution_s: float
) -> StatusView:
    """Everything the page shows, read from the stores in one pass (a site's last call is
    recorded to within ``seen_resolution_s``); ``statistics`` is the round service of the
    federation's statistics, None when it has too few sites for them."""
    plan, store = service.plan, service.store
    rows = store.all_rounds()
    rounds = _round_lines(plan, store, rows)
    revoked_sites, revoked_certificates = store.revocations()
    revoked_at = dict(revoked_sites)
    seen = store.last_seen()
    totals = store.upload_totals()
    figures = store.latest_metrics()
    sites = []
    for site in plan.sites:
        count, size = totals.get(site, (0, 0))
        report = figures.get(site)
        sites.append(SiteLine(
            site=site, revoked=_when(revoked_at[site]) if site in revoked_at else None,
            last_seen=_ago(seen.get(site), now), uploads=count, upload_bytes=_size(size),
            figures_round=report.round if report else None,
            figures=site_figures(report, plan.task) if report else {},
        ))
    progress = masking_progress(service, rows[-1]) if rows else None
    current = rounds[-1] if rounds else None
    details = _progress_details(progress)
    if current is None:
        now_line = "no round has opened yet"
    elif current.phase == RoundPhase.FAILED and service.waiting_for_operator():
        now_line = WAITING_FOR_OPERATOR.format(number=current.number)
        details.append(RESUME_HINT)
    elif current.phase == RoundPhase.FAILED:
        now_line = f"round {current.number} failed; the next one opens"
    elif current.phase == RoundPhase.PUBLISHED and current.number >= plan.rounds:
        now_line = f"finished: all {plan.rounds} rounds published"
    elif progress is not None:
        now_line = f"round {current.number} of {plan.rounds} is {current.phase}: {progress.summary}"
    else:
        now_line = (f"round {current.number} of {plan.rounds} is {current.phase}, "
                    f"{len(current.submitted)} of {len(plan.sites)} sites have uploaded")
    if service.keys is not None and store.key_generation() is not None:
        now_line = f"{now_line}; {service.keys.state().describe()}"
    return StatusView(
        federation=plan.federation, generated=_when(now), now_line=now_line,
        now_details=details,
        plan_lines=plan_in_words(plan), rounds=rounds, sites=sites,
        failures=[(r.number, r.failure) for r in rounds if r.failure],
        revoked_sites=[(s, _when(at)) for s, at in revoked_sites],
        revoked_certificates=[(serial, s, _when(at)) for serial, s, at in revoked_certificates],
        seen_resolution_s=seen_resolution_s,
        statistics=statistics_view(statistics) if statistics is not None else None,
    )


_templates = Environment(
    loader=PackageLoader("coordinator.server", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_status_page(view: StatusView, refresh_s: int) -> str:
    return _templates.get_template("status.html").render(
        view=view, refresh_s=refresh_s, no_statistics=NO_STATISTICS
    )


def render_refusal_page(reason: str) -> str:
    return _templates.get_template("refused.html").render(reason=reason)
