"""The Federation page's statistics box against a real coordinator: the GUI site says
what taking part costs, sends its noised statistics with two other sites, then shows its
own intensity histogram against the federation's and the windows of both."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from harness import FAST, make_federation
from PySide6.QtWidgets import QMessageBox

from siteapp.federation.statistics_round import StatisticsRound
from siteapp.privacy.ledger import PrivacyLedger
from siteapp.statistics.windows import load_task_statistics

from .helpers import wait_idle, wait_worker

GUI_SITE, OTHER_SITES = "a", ("b", "c")


def _click(box: QMessageBox, role: QMessageBox.ButtonRole) -> None:
    next(b for b in box.buttons() if box.buttonRole(b) == role).click()


def test_statistics_box_asks_first_then_shows_site_against_federation(
    qtbot, make_window, tmp_path: Path, site_templates: dict[str, Path]
) -> None:
    fed = make_federation(tmp_path, site_templates, round_deadline_s=30.0, statistics={"min_count": 2.0})
    try:
        window = make_window(fed.data_dirs[GUI_SITE])
        page = window.show_page("federation")
        wait_idle(qtbot)
        panel = page.statistics_panel
        assert panel.scanner_combo.count() == 0 and "No statistics yet" in panel.summary.text()
        plan_text = " ".join(page.plan_form.itemAt(i).widget().text()
                             for i in range(page.plan_form.count()) if page.plan_form.itemAt(i).widget())
        assert "takes part in the statistics" in plan_text

        box = panel.ask_to_compute(FAST)
        assert box is not None and "raises their ε from 0.00 to at most" in box.text()
        _click(box, QMessageBox.ButtonRole.RejectRole)
        assert panel.worker is None and "no privacy budget was spent" in panel.summary.text()
        assert PrivacyLedger(fed.data_dirs[GUI_SITE]).entries() == []

        errors: dict[str, BaseException] = {}

        def other(site: str) -> None:
            try:
                StatisticsRound(fed.data_dirs[site], options=FAST).run()
            except BaseException as exc:
                errors[site] = exc

        threads = [threading.Thread(target=other, args=(s,), daemon=True) for s in OTHER_SITES]
        for t in threads:
            t.start()
        box = panel.ask_to_compute(FAST)
        _click(box, QMessageBox.ButtonRole.AcceptRole)
        worker = panel.worker
        assert worker is not None and not panel.compute_button.isEnabled()
        wait_worker(qtbot, worker, 120_000)
        for t in threads:
            t.join(60)
        assert worker.error is None and not errors, (worker.error, errors)

        kept = load_task_statistics(fed.data_dirs[GUI_SITE], fed.plan.task.name)
        assert kept is not None and kept.federation_sites == 3
        keys = [panel.scanner_combo.itemData(i) for i in range(panel.scanner_combo.count())]
        assert "CT" in keys and any(k.startswith("CT|") for k in keys)
        panel.scanner_combo.setCurrentIndex(keys.index("CT"))
        site_share = [w / sum(kept.site_histograms["CT"]) for w in kept.site_histograms["CT"]]
        assert list(panel.chart.shares) == ["This site", "Federation (3 sites)"]
        assert panel.chart.shares["This site"] == pytest.approx(site_share)
        assert "The federation's window" in panel.summary.text()
        assert "Patients per class in the federation" in panel.summary.text()
        assert PrivacyLedger(fed.data_dirs[GUI_SITE]).entries()[0].context == "statistics:loopback"
    finally:
        fed.stop()
