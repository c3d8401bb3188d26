"""The runner's progress lines and the connection failures reach the Chinese window in
Chinese: every template is in the catalogue, and a filled-in line comes out translated."""

from __future__ import annotations

import ast
import string
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtWidgets import QApplication

from coordinator.round_state import SiteStep
from coordinator.words import say
from siteapp.federation.join_report import Progress
from siteapp.ui.i18n import install_translators, remove_translators
from siteapp.ui.runner_words import TEMPLATES, progress_text, words_text

REPO = Path(__file__).resolve().parents[2]
SPEAKERS = ("siteapp/federation/runner.py", "coordinator/client.py",
            "coordinator/connection_failures.py",
            # what a request carried, for the audit log
            "siteapp/federation/audit.py", "siteapp/federation/bisection_round.py",
            "siteapp/federation/statistics_round.py", "siteapp/pacs/send.py")


def _templates_said_in(path: Path) -> set[str]:
    said = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say":
            first = node.args[0]
            assert isinstance(first, ast.Constant), f"{path}: say() needs a literal template"
            said.add(first.value)
    return said


def test_every_template_the_runner_and_client_say_is_in_the_catalogue() -> None:
    said = set().union(*(_templates_said_in(REPO / name) for name in SPEAKERS))
    assert len(said) > 20
    assert said <= set(TEMPLATES), sorted(said - set(TEMPLATES))


def _field_names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_translation_names_the_fields_of_its_template() -> None:
    """The audit log keeps words for years: a translation that names another field than
    its template would break the page that shows them, not only one progress line."""
    catalogue = ET.parse(REPO / "resources/translations/medfed_zh_CN.ts").getroot()
    (context,) = [c for c in catalogue.iter("context") if c.findtext("name") == "RunnerWords"]
    checked = 0
    for message in context.iter("message"):
        source, translation = message.findtext("source") or "", message.findtext("translation") or ""
        assert _field_names(translation) == _field_names(source), (source, translation)
        checked += 1
    assert checked >= len(TEMPLATES)


def test_progress_and_connection_failures_read_in_chinese(qapp: QApplication) -> None:
    training = Progress(SiteStep.TRAINING, 2, "training step 3 of 40", 0.075, True,
                        say("training step {step} of {total}", step=3, total=40))
    refused = say("nothing answers at {where} (connection refused): the coordinator is not "
                  "running there, or the address is wrong", where="127.0.0.1:8443")
    retrying = say("{why}; retrying", why=refused)
    assert progress_text(training) == "training step 3 of 40"  # English: no translator
    installed = install_translators(qapp, "zh_CN")
    try:
        text = progress_text(training)
        assert "3" in text and "40" in text and "training" not in text, text
        text = words_text(retrying)
        assert "127.0.0.1:8443" in text and "connection refused" not in text, text
        assert "retrying" not in text, text
    finally:
        remove_translators(qapp, installed)
