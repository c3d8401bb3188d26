"""Export a site's model with its card: what it learnt, from whom, at what privacy cost.

The card is a JSON file beside the weights. It says what a receiver of the model needs
to judge it: the task and network, whether it is the federation's model (and after which
round) or this site's local-only one, the federation and mode, this site's epsilon and
delta when it was saved, and the figures on this site's own validation patients. A site
knows only its own privacy spend; the card says so rather than guessing the others'.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from siteapp.training.checkpoints import Checkpoint, provenance

CARD_SUFFIX = ".card.json"


def model_card(data_dir: Path, checkpoint: Checkpoint) -> dict[str, object]:
    """The card of ``checkpoint`` as a JSON-ready dict."""
    from siteapp.federation.enrolment import current_enrolment
    from siteapp.privacy.ledger import PrivacyLedger

    enrolment = current_enrolment(Path(data_dir))
    federation: dict[str, object] | None = None
    if checkpoint.source == "federated" and enrolment is not None:
        federation = {"name": enrolment.federation, "mode": enrolment.mode,
                      "exported_by_site": enrolment.site,
                      "coordinator": enrolment.coordinator_url}
    ledger = PrivacyLedger(Path(data_dir))
    return {
        "format": "medfed-model-card/1",
        "describes": provenance(checkpoint),
        "task": checkpoint.task,
        "model": checkpoint.model_name,
        "source": checkpoint.source,
        "round": checkpoint.round,
        "run_id": checkpoint.run_id,
        "saved_at": checkpoint.created_at,
        "federation": federation,
        "privacy": {
            "this_site_epsilon_when_saved": checkpoint.epsilon,
            "this_site_delta": ledger.reporting_delta(),
            "record": "patient",
            "other_sites": "each site accounts for its own patients; their epsilons are "
                           "not known to this site (each site's cap bounds them)",
        },
        "metrics_on_this_sites_validation_patients": checkpoint.metrics,
        "weights_sha256": _sha256(checkpoint.path),
    }


def export_model(data_dir: Path, checkpoint: Checkpoint, out_dir: Path) -> tuple[Path, Path]:
    """Copy the weights to ``out_dir`` and write the card beside them; returns both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"medfed-{checkpoint.task}-{checkpoint.source}-round{checkpoint.round:03d}"
    weights = out_dir / f"{stem}.safetensors"
    shutil.copyfile(checkpoint.path, weights)
    card = out_dir / f"{stem}{CARD_SUFFIX}"
    card.write_text(json.dumps(model_card(data_dir, checkpoint), indent=2) + "\n",
                    encoding="utf-8")
    return weights, card


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
