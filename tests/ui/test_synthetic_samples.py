"""Model quality shows the federation generator's samples per class beside real ones,
each captioned, or says why it cannot (no generator in the plan, none trained yet)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from .helpers import wait_idle, wait_worker

torch = pytest.importorskip("torch")


def _enrol_with_generator(data_dir: Path, tmp_path: Path) -> None:
    """Enrol ``data_dir`` as site 'a' of a plan with a generator, and leave the global
    weights of its first (generator) round where a joined site keeps them."""
    from safetensors.numpy import save_file

    from coordinator.protocol import FederationPlan
    from coordinator.provisioning import provision, sign_site_request
    from siteapp.federation.enrolment import enroll
    from siteapp.federation.settings import STATE_DIRNAME
    from siteapp.federation.site_keys import request_enrolment
    from siteapp.synthesis.plan_rounds import joined_weights
    from siteapp.synthesis.synthetic_data import generator_state, plan_generator
    from siteapp.tasks import demo_task
    from siteapp.training.initial_model import initial_model
    from siteapp.training.weights import trainable_state

    task = demo_task("lung-ct-nodule")
    plan = FederationPlan.model_validate({
        "federation": "gallery", "sites": ["a", "b"], "rounds": 3, "task": task,
        "generator": {"rounds": 2, "latent": 4, "width": 4},
    })
    provision(plan, tmp_path / "prov", "https://127.0.0.1:9")
    enroll(data_dir, sign_site_request(tmp_path / "prov", request_enrolment(data_dir, "a")).path)
    generator = plan_generator(plan, task)
    assert generator is not None
    weights = joined_weights(trainable_state(initial_model(task)), generator_state(generator))
    folder = data_dir / STATE_DIRNAME / "gallery" / "global"
    folder.mkdir(parents=True)
    save_file(weights, str(folder / "round-0001.weights.safetensors"))


def test_quality_page_shows_synthetic_samples_beside_real_ones(
    qtbot, make_window, imported_ui_site: Path, ui_phantom_site: Path, tmp_path: Path
) -> None:
    from siteapp.dicom.labels import import_labels
    from siteapp.synthesis.gallery import DEFAULT_PER_CLASS

    torch.set_num_threads(1)
    import_labels(imported_ui_site, ui_phantom_site / "labels.csv", "lung-ct-nodule")
    window = make_window(imported_ui_site)
    quality = window.show_page("quality")
    wait_idle(qtbot)
    box = quality.synthetic_box

    box.show_samples()  # not enrolled: says so, draws nothing
    assert box.worker is not None
    wait_worker(qtbot, box.worker)
    assert box.status.text().startswith("No synthetic samples to show"), box.status.text()
    assert box.grid.count() == 0 and box.show_button.isEnabled()

    _enrol_with_generator(imported_ui_site, tmp_path)
    box.show_samples()
    assert box.worker is not None
    wait_worker(qtbot, box.worker)
    assert box.worker.error is None, box.worker.error
    gallery = box.gallery
    assert gallery is not None and gallery.after_round == 1
    assert gallery.classes == ("no_nodule", "nodule")
    captions = [w.text() for w in box.findChildren(QLabel) if w.objectName() == "Hint"]
    assert captions.count("synthetic") == 2 * DEFAULT_PER_CLASS
    assert captions.count("real") == sum(len(r) for r in gallery.real) > 0
    assert "after round 1" in box.status.text()
