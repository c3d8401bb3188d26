"""The audit log page shows what each request carried in the window's language, from the
words the log keeps; an entry recorded before it kept them still shows its English."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from coordinator.client import RequestRecord
from coordinator.words import say
from siteapp.federation.audit import AuditLog
from siteapp.ui.i18n import install_translators, remove_translators

from .helpers import wait_idle

OLD_SENTENCE = "masked model update (10 quantised values x patients, and the patient count)"
CARRIED_COLUMN = 6


def _record_an_old_style_entry(data_dir: Path) -> None:
    """A row as the version before wrote it: the English sentence only."""
    from siteapp.federation.store import COMPONENT, MIGRATIONS
    from siteapp.store import apply_migrations, open_site_db

    conn = open_site_db(data_dir)
    with conn:
        apply_migrations(conn, COMPONENT, MIGRATIONS[:1])
        conn.execute(
            "INSERT INTO federation_audit(at, method, endpoint, kind, status, bytes_sent,"
            " body_sha256, carried, attempts) VALUES (1.0, 'PUT', '/v1/rounds/1/update',"
            " 'upload', 200, 10, NULL, ?, 1)", (OLD_SENTENCE,))
    conn.close()


def test_what_an_upload_carried_reads_in_chinese_and_old_entries_in_english(
    qtbot, make_window, site_dir: Path, qapp: QApplication
) -> None:
    _record_an_old_style_entry(site_dir)
    upload = say("plaintext model update ({size} float32 values) and the number of training "
                 "patients", size=4321)
    AuditLog(site_dir).record(RequestRecord("/v1/rounds/2/update", "PUT", 200, 99, "ab" * 32, upload, 1))

    window = make_window(site_dir)
    installed = install_translators(qapp, "zh_CN")
    try:
        page = window.show_page("audit")
        wait_idle(qtbot)
        page.refresh_now()
        carried = [page.table.item(row, CARRIED_COLUMN).text() for row in range(page.table.rowCount())]
    finally:
        remove_translators(qapp, installed)
    new, old = carried  # newest first
    assert "4321" in new and "float32" in new and "plaintext" not in new, new
    assert old == OLD_SENTENCE
    assert AuditLog(site_dir).query()[1].carried == str(upload)  # the log itself stays English
