"""A coordinator whose disk fills during an upload: a clear error, nothing half-written.

The coordinator runs with ``RLIMIT_FSIZE`` (see :mod:`fault_launcher`): the kernel refuses
to grow any of its files past the limit, the same failure a writer meets on a full disk.
The initial model is larger than the limit; once the operator frees space (restart
without the limit) the same upload goes through and the round proceeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from coordinator_loopback import SITES, Federation, blob, model, wait_published
from fault_launcher import FILE_LIMIT, RESULT_WRITES_FAIL
from reliability_support import integrity
from safetensors.numpy import load_file

from coordinator.client import RequestRefusedError

FILE_LIMIT_BYTES = 512 * 1024
BIG_LAYOUT = {"conv.weight": (256, 1024), "fc.bias": (16,)}  # 1 MiB of float32


def _big_model(seed: int, scale: float = 1.0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: (rng.normal(size=s) * scale).astype(np.float32) for k, s in BIG_LAYOUT.items()}


def test_disk_full_during_upload_is_a_clear_error_and_leaves_no_blob(
    faulty_federation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(FILE_LIMIT, str(FILE_LIMIT_BYTES))
    fed: Federation = faulty_federation(rounds=1)
    a = fed.client("a")
    initial = _big_model(0)
    with pytest.raises(RequestRefusedError, match="disk") as full:
        a.upload_initial_model(blob(initial))
    assert full.value.status == 507
    assert "send it again" in full.value.detail
    state = a.round_state()
    assert state.waiting_for_initial_model and state.submitted == []
    assert not list((fed.state_dir / "blobs").rglob(".incoming-*"))
    assert not list((fed.state_dir / "blobs").rglob("initial-*"))
    assert fed.process is not None and fed.process.poll() is None
    assert integrity(fed.state_dir) == "ok"

    fed.kill9()
    monkeypatch.delenv(FILE_LIMIT)
    fed.start()
    a.upload_initial_model(blob(initial))
    for i, s in enumerate(SITES):
        fed.client(s).upload_update(1, blob(_big_model(10 + i, 0.005)), 1)  # within the clip norm
    assert wait_published(a, 1).finished
    assert integrity(fed.state_dir) == "ok"


def test_disk_full_while_publishing_keeps_the_round_and_retries(
    faulty_federation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The disk fills between the uploads and the aggregation: the round stays
    ``aggregating`` with every upload kept, and publishes once space is back."""
    monkeypatch.setenv(RESULT_WRITES_FAIL, "2")
    fed: Federation = faulty_federation(rounds=1)
    a = fed.client("a")
    initial = model(0)
    a.upload_initial_model(blob(initial))
    updates = {s: model(10 + i, 0.1) for i, s in enumerate(SITES)}
    for s, u in updates.items():
        fed.client(s).upload_update(1, blob(u), 2)
    state = wait_published(a, 1)
    assert state.finished and state.last_published == 1
    a.download_result(1, tmp_path / "g.safetensors")
    got = load_file(str(tmp_path / "g.safetensors"))
    for k in initial:
        np.testing.assert_allclose(got[k], initial[k] + sum(u[k] for u in updates.values()) / 3,
                                   rtol=1e-5, atol=1e-6)
    assert not list((fed.state_dir / "blobs").rglob(".incoming-*"))
    assert integrity(fed.state_dir) == "ok"
