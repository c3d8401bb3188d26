"""The screenshot workspace is reused only when it was built the way it would be now."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from siteapp.demo.sites import generator_version
from siteapp.demo.workspace import (
    DONE_STAMP,
    WORKSPACE,
    reuse_or_clear,
    workspace_fingerprint,
)
from siteapp.errors import UserFacingError


def _finished(root: Path, fingerprint: str) -> Path:
    (root / "site-1-data").mkdir(parents=True)
    (root / "site-1-data" / "store.sqlite").write_text("models trained earlier")
    (root / DONE_STAMP).write_text(fingerprint + "\n", encoding="utf-8")
    return root


def test_fingerprint_names_the_settings_the_phantoms_and_the_public_backbone() -> None:
    fingerprint = workspace_fingerprint(WORKSPACE)
    assert fingerprint == workspace_fingerprint(WORKSPACE)
    assert '"pretrained_sha256": "' in fingerprint  # the lung CT preset ships a backbone
    assert f'"generator": "{generator_version()}"' in fingerprint
    assert workspace_fingerprint(dataclasses.replace(WORKSPACE, patients=401)) != fingerprint


def test_a_workspace_built_the_same_way_is_reused(tmp_path: Path) -> None:
    root = _finished(tmp_path / "ws", "same")
    assert reuse_or_clear(root, "same", log=lambda _: None)
    assert (root / "site-1-data" / "store.sqlite").is_file()


def test_a_workspace_built_another_way_is_deleted_for_a_rebuild(tmp_path: Path) -> None:
    root = _finished(tmp_path / "ws", "built on the previous backbone")
    messages: list[str] = []
    assert not reuse_or_clear(root, "current", log=messages.append)
    assert not root.exists()
    assert "rebuilding" in messages[0]


def test_an_unfinished_workspace_is_left_alone_and_refused(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "half-built").write_text("")
    with pytest.raises(UserFacingError, match="unfinished"):
        reuse_or_clear(root, "current", log=lambda _: None)
    assert (root / "half-built").exists()
    assert not reuse_or_clear(tmp_path / "absent", "current", log=lambda _: None)
