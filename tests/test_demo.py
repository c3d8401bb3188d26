"""``make demo`` end to end, reduced: a real coordinator and three site processes on
loopback, two rounds over a few phantom patients, then the JSON on the last line."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from siteapp.demo import main, prepare_sites
from siteapp.demo.processes import ChildProcesses

SITES = ("site-1", "site-2", "site-3")


def _processes_mentioning(text: str) -> list[int]:
    """PIDs of processes whose command line mentions ``text`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline:
                found.append(int(entry.name))
    return found


def test_reduced_demo_prints_results_json_last(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    code = main(["--out", str(out), "--patients", "12", "--rounds", "2",
                 "--epochs-per-round", "1", "--slices", "1"])
    printed = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    result = json.loads(printed[-1])
    assert {"rounds", "federated_auc", "local_only_auc", "centralized_auc",
            "centralized_dp_auc", "epsilon", "seconds"} <= set(result)
    assert [r["round"] for r in result["rounds"]] == [1, 2]
    for key in ("federated_auc", "local_only_auc", "centralized_auc", "centralized_dp_auc"):
        assert set(result[key]) == {*SITES, "mean"}
    assert set(result["epsilon"]) == set(SITES)
    assert all(0 < eps <= 8.0 for eps in result["epsilon"].values())
    # epsilon only grows, and every site uploaded an encrypted update each round
    first, second = result["rounds"]
    assert all(second["epsilon"][s] > first["epsilon"][s] for s in SITES)
    assert all(r["upload_bytes"][s] > 0 for r in result["rounds"] for s in SITES)
    assert result["seconds"] > 0
    assert (out / "demo-auc.png").stat().st_size > 0
    assert json.loads((out / "results.json").read_text()) == result
    # one permanent line per round and site while it runs
    assert sum(line.startswith(("round 1  site-", "round 2  site-")) for line in printed) == 6
    assert _processes_mentioning(str(out)) == []


def test_children_are_stopped_when_the_demo_fails(tmp_path: Path) -> None:
    children = ChildProcesses(tmp_path / "logs")
    with pytest.raises(RuntimeError), children:
        child = children.start("sleeper", ["-c", "import time; time.sleep(600)"])
        raise RuntimeError("the demo failed")
    assert child.process.poll() is not None


def test_a_child_ignoring_sigterm_is_killed(tmp_path: Path) -> None:
    script = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
    with ChildProcesses(tmp_path / "logs", stop_grace_s=1.0) as children:
        child = children.start("stubborn", ["-c", script])
        time.sleep(0.5)
    assert child.process.returncode == -signal.SIGKILL


def test_bad_flags_are_refused_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path), "--rounds", "0"]) == 2
    assert "--rounds" in capsys.readouterr().err
    assert main(["--out", str(tmp_path), "--strategy", "fedmedian"]) == 2
    assert "add --mode none" in capsys.readouterr().err
    assert main(["--out", str(tmp_path), "--sites", "2"]) == 2  # ckks by default
    assert "needs at least 3 sites" in capsys.readouterr().err
    assert main(["--out", str(tmp_path), "--task", "mammo-mass", "--full-resolution"]) == 2
    assert "pretrained at the demo grid" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # refused before generating anything


def test_demo_settings_follow_the_task_file() -> None:
    """A 3D task gets its own network and a slab of slices; --full-resolution trains at
    the file's grid on a phantom with detectors fine enough for it."""
    from siteapp.demo.cli import build_parser, settings_from_args

    volume = settings_from_args(build_parser().parse_args(["--task", "lung-ct-nodule-3d"]))
    assert (volume.model, volume.slices) == ("compact_cnn_3d", 16)
    assert volume.working_task().reduced_from is not None and volume.detector_scale() == 1
    full = settings_from_args(build_parser().parse_args(
        ["--task", "mammo-mass", "--full-resolution", "--model", "lesion_cnn"]
    ))
    assert full.working_task().matrix == 640 and full.working_task().reduced_from is None
    assert full.detector_scale() == 7


def test_demo_sites_get_the_same_splits_on_every_run(tmp_path: Path) -> None:
    from siteapp.dicom.schema import open_dicom_db
    from siteapp.dicom.splits import patient_splits

    def splits() -> list[dict[str, str]]:
        dirs = prepare_sites(tmp_path, patients=8, slices=1, fresh=True, say=lambda _l: None)
        out = []
        for data_dir in dirs:
            conn = open_dicom_db(data_dir)
            out.append(patient_splits(conn))
            conn.close()
        return out

    first = splits()
    assert all(first) and splits() == first
