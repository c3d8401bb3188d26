"""The demo's results: a table per round, the baselines, a PNG plot and one JSON line.

The JSON (also written to ``results.json``) has the keys the README and the test rely on:
``rounds`` (per round: AUC and epsilon per site, the sites' mean AUC), ``federated_auc``,
``local_only_auc``, ``centralized_auc`` and ``centralized_dp_auc`` (pooled data with DP at
the epsilon cap) per site plus ``mean``, after the last round,
``per_class_auc`` (per method, each class's AUC averaged over the sites, and ``macro``),
``epsilon`` (per site, after the last round) and ``seconds`` (the whole run). A
segmentation task's headline figure is the mean Dice over the validation patients
instead of the AUC: the same keys with ``dice`` for ``auc`` (``federated_dice``...,
``per_class_dice`` per region).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from siteapp.demo.baselines import BaselineCurve, mean_auc
from siteapp.demo.federation import FederationRun
from siteapp.demo.settings import DemoSettings


@dataclass
class DemoResult:
    settings: DemoSettings
    federation: FederationRun
    local_only: BaselineCurve | None
    centralized: BaselineCurve | None
    seconds: float
    centralized_dp: BaselineCurve | None = None

    @property
    def sites(self) -> list[str]:
        return self.settings.site_names()

    def federated_by_round(self) -> list[dict[str, float | None]]:
        return [
            {site: _float(self.federation.rounds.get(r, {}).get(site, {}).get(self.settings.score_key))
             for site in self.sites}
            for r in sorted(self.federation.rounds)
        ]

    def epsilon_by_round(self) -> list[dict[str, float | None]]:
        return [
            {site: _float(self.federation.rounds.get(r, {}).get(site, {}).get("epsilon"))
             for site in self.sites}
            for r in sorted(self.federation.rounds)
        ]

    def federated_per_class(self) -> dict[str, dict[str, float | None]]:
        """Each site's per-class AUC of the last round's federated model."""
        if not self.federation.rounds:
            return {}
        last = self.federation.rounds[max(self.federation.rounds)]
        field = "per_region_dice" if self.settings.segmentation else "per_class_auc"
        return {site: {k: _float(v) for k, v in (last.get(site, {}).get(field) or {}).items()}
                for site in self.sites}

    def per_class(self) -> dict[str, dict[str, float | None]]:
        """Per method: each class's AUC (mean over the sites) and their ``macro`` mean."""
        methods = {
            "federated (DP)": self.federated_per_class(),
            "local only (DP)": self.local_only.per_class_auc if self.local_only else {},
            "pooled (DP)": self.centralized_dp.per_class_auc if self.centralized_dp else {},
            "pooled (no DP)": self.centralized.per_class_auc if self.centralized else {},
        }
        out = {}
        for method, by_site in methods.items():
            classes = list(dict.fromkeys(c for figures in by_site.values() for c in figures))
            row = {c: _round(mean_auc({s: f.get(c) for s, f in by_site.items()})) for c in classes}
            row["macro"] = _round(mean_auc(row)) if row else None
            out[method] = row
        return out

    def to_json(self) -> dict[str, Any]:
        fed = self.federated_by_round()
        eps = self.epsilon_by_round()
        key = self.settings.score_key
        rounds = []
        for number, aucs, epsilons in zip(sorted(self.federation.rounds), fed, eps, strict=True):
            events = self.federation.rounds[number]
            rounds.append({
                "round": number,
                key: aucs,
                f"mean_{key}": _round(mean_auc(aucs)),
                "epsilon": epsilons,
                "upload_bytes": {s: events.get(s, {}).get("upload_bytes") for s in self.sites},
                "seconds": {s: events.get(s, {}).get("seconds") for s in self.sites},
            })
        return {
            "strategy": str(self.settings.strategy),
            "mode": str(self.settings.mode),
            "skew": self.settings.skew,
            "rounds": rounds,
            f"federated_{key}": _with_mean(fed[-1] if fed else {}),
            f"local_only_{key}": _with_mean(self.local_only.final()) if self.local_only else None,
            f"centralized_{key}": _with_mean(self.centralized.final()) if self.centralized else None,
            f"centralized_dp_{key}": (
                _with_mean(self.centralized_dp.final()) if self.centralized_dp else None
            ),
            "task": self.settings.task,
            f"per_class_{key}": self.per_class(),
            "epsilon": self.federation.final_epsilon(),
            "epsilon_cap": self.settings.epsilon_cap,
            "delta": self.settings.delta,
            "seconds": round(self.seconds, 1),
        }


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _with_mean(aucs: dict[str, float | None]) -> dict[str, float | None]:
    out = {site: _round(v) for site, v in aucs.items()}
    out["mean"] = _round(mean_auc(aucs))
    return out


def _cell(value: float | None, width: int = 8) -> str:
    return ("n/a" if value is None else f"{value:.3f}").rjust(width)


def round_table(result: DemoResult) -> str:
    """Per round: the federated model's AUC at each site and their mean, epsilon per site."""
    sites = result.sites
    label = result.settings.score_label
    head = "round" + "".join(f"{label + ' ' + s:>12}" for s in sites) + f"{label + ' mean':>10}" + "".join(
        f"{'eps ' + s:>12}" for s in sites)
    lines = [head, "-" * len(head)]
    for number, aucs, eps in zip(sorted(result.federation.rounds), result.federated_by_round(),
                                 result.epsilon_by_round(), strict=True):
        lines.append(f"{number:>5}" + "".join(_cell(aucs[s], 12) for s in sites)
                     + _cell(mean_auc(aucs), 10) + "".join(_cell(eps[s], 12) for s in sites))
    return "\n".join(lines)


def comparison_table(result: DemoResult) -> str:
    """After the last round: federated vs local-only (DP) vs pooled data with and without
    DP, per site."""
    fed = result.federated_by_round()[-1] if result.federation.rounds else {}
    local = result.local_only.final() if result.local_only else {}
    central = result.centralized.final() if result.centralized else {}
    central_dp = result.centralized_dp.final() if result.centralized_dp else {}
    eps = result.federation.final_epsilon()
    head = (f"{'site':<8}{'federated (DP)':>16}{'local only (DP)':>17}{'pooled (DP)':>13}"
            f"{'pooled (no DP)':>16}{'epsilon':>9}")
    lines = [head, "-" * len(head)]
    for site in result.sites:
        lines.append(f"{site:<8}{_cell(fed.get(site), 16)}{_cell(local.get(site), 17)}"
                     f"{_cell(central_dp.get(site), 13)}{_cell(central.get(site), 16)}"
                     f"{_cell(eps.get(site), 9)}")
    lines.append(f"{'mean':<8}{_cell(mean_auc(fed), 16)}{_cell(mean_auc(local), 17)}"
                 f"{_cell(mean_auc(central_dp), 13)}{_cell(mean_auc(central), 16)}")
    return "\n".join(lines)


def per_class_table(result: DemoResult) -> str:
    """After the last round, per method: each class's one-vs-rest AUC (mean over the
    sites' held-out patients) and the macro average."""
    table = result.per_class()
    classes = list(dict.fromkeys(c for row in table.values() for c in row if c != "macro"))
    head = f"{'':<17}" + "".join(f"{c:>15}" for c in classes) + f"{'macro':>10}"
    lines = [head, "-" * len(head)]
    for method, row in table.items():
        lines.append(f"{method:<17}" + "".join(_cell(row.get(c), 15) for c in classes)
                     + _cell(row.get("macro"), 10))
    return "\n".join(lines)


def write_plot(result: DemoResult, path: Path) -> Path:
    """AUC by round (federated per site and mean, both baselines' means) and epsilon by
    round per site, as a PNG drawn without a screen."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rounds = sorted(result.federation.rounds)
    fig, (ax_auc, ax_eps) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    fed = result.federated_by_round()
    for site in result.sites:
        ax_auc.plot(rounds, [_nan(a[site]) for a in fed], marker="o", lw=1, alpha=0.6,
                    label=f"federated, {site}")
    ax_auc.plot(rounds, [_nan(mean_auc(a)) for a in fed], color="black", lw=2.5,
                label="federated, mean")
    for curve, name, style in ((result.local_only, "local only (DP), mean", "--"),
                               (result.centralized_dp, "pooled data (DP), mean", "-."),
                               (result.centralized, "pooled data (no DP), mean", ":")):
        if curve is not None:
            ax_auc.plot(range(1, len(curve.auc_by_round) + 1),
                        [_nan(mean_auc(a)) for a in curve.auc_by_round], ls=style, lw=2,
                        color="grey", label=name)
    ax_auc.set(xlabel="round", ylabel=f"{result.settings.score_label} on held-out patients",
               ylim=(0.0 if result.settings.segmentation else 0.3, 1.02),
               title="Model quality")
    ax_auc.legend(fontsize=7, loc="best")
    for site, values in zip(result.sites, zip(*[[e[s] for s in result.sites]
                                                 for e in result.epsilon_by_round()], strict=True), strict=True):
        ax_eps.plot(rounds, [_nan(v) for v in values], marker="o", label=site)
    ax_eps.axhline(result.settings.epsilon_cap, color="red", ls="--", lw=1, label="cap")
    ax_eps.set(xlabel="round", ylabel=f"epsilon spent (delta {result.settings.delta:g})",
               ylim=(0, result.settings.epsilon_cap * 1.15), title="Privacy budget per site")
    ax_eps.legend(fontsize=7, loc="lower right")
    for ax in (ax_auc, ax_eps):
        ax.set_xticks(rounds)
        ax.grid(alpha=0.3)
    fig.suptitle(f"MedFed demo: {result.settings.strategy}, {result.settings.mode} mode, "
                 f"{len(result.sites)} phantom hospitals", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


def write_json(result: DemoResult, path: Path) -> str:
    """Write ``results.json`` and return the one-line JSON the demo prints last."""
    document = result.to_json()
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return json.dumps(document, separators=(",", ":"))
