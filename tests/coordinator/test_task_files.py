"""Task files: every problem listed at provisioning, the built-in tasks valid, the task
in the signed plan, JSON and TOML alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coordinator import cli
from coordinator.provisioning import load_coordinator_kit
from coordinator.task_definition import (
    TaskFileError,
    builtin_task,
    builtin_task_names,
    parse_task,
    read_task_file,
    task_problems,
)

VALID = {
    "name": "knee-effusion",
    "title": "Effusion on knee MR",
    "description": "Is there a joint effusion?",
    "modality": "MR",
    "body_part": "knee",
    "input": {"kind": "2d_slice", "matrix": 256, "spacing_mm": 0.6},
    "windowing": {"percentiles": [1, 99]},
    "classes": ["none", "small", "large"],
}


def test_every_builtin_task_is_valid_and_has_a_demo_resolution() -> None:
    assert builtin_task_names() == [
        "chest-xray", "lung-ct-nodule", "lung-ct-nodule-3d", "lung-ct-nodule-seg", "mammo-mass"
    ]
    for name in builtin_task_names():
        task = builtin_task(name)
        demo = task.at_demo_resolution()
        assert demo.matrix < task.matrix and demo.reduced_from == task.input
        assert "demo working resolution" in demo.describe()


def test_the_builtin_tasks_ask_for_a_realistic_resolution() -> None:
    assert builtin_task("chest-xray").matrix >= 224
    assert builtin_task("lung-ct-nodule").pixel_spacing_mm <= 2.0
    assert builtin_task("mammo-mass").pixel_spacing_mm <= 0.5
    volume = builtin_task("lung-ct-nodule-3d").input
    assert volume.spacing_mm <= 2.0 and volume.slice_spacing_mm is not None
    assert volume.slice_spacing_mm <= 3.0 and (volume.depth or 0) * volume.slice_spacing_mm >= 200


def test_a_segmentation_task_lists_background_first_and_names_no_positive_class() -> None:
    seg = builtin_task("lung-ct-nodule-seg")
    assert seg.is_segmentation and seg.regions == ("nodule",) and seg.positive_class is None
    assert "Regions outlined pixel by pixel: nodule" in seg.describe()
    raw = {**seg.model_dump(mode="json", exclude_none=True), "classes": ["nodule", "background"],
           "positive_class": "nodule", "input": {"kind": "3d_volume", "matrix": 60,
                                                  "spacing_mm": 5.0, "depth": 8,
                                                  "slice_spacing_mm": 5.0}}
    raw.pop("demo_input")
    problems = task_problems(raw)
    assert any("lists 'background' first" in p for p in problems)
    assert any("no positive_class" in p for p in problems)
    assert any("not 3d_volume" in p for p in problems)
    assert any("multiple of 16" in p for p in problems)
    assert not builtin_task("lung-ct-nodule").is_segmentation


def test_a_valid_task_parses_with_its_defaults() -> None:
    task = parse_task(VALID)
    assert task.body_part == "KNEE" and task.modality == ("MR",) and task.num_classes == 3
    assert task.positive_class is None and task.window == ("percentiles", 1.0, 99.0)


def test_every_problem_of_a_task_file_is_listed_at_once() -> None:
    bad = {
        **VALID,
        "name": "Knee Effusion",  # upper case and a space
        "body_part": "",
        "input": {"kind": "3d_volume", "matrix": 8, "spacing_mm": 0.6},
        "windowing": {"preset": "lung"},  # a CT window for MR
        "classes": ["none", "none"],
        "positive_class": "effusion",
        "colour": "blue",
    }
    problems = task_problems(bad)
    text = "\n".join(problems)
    for fragment in ("name: 'Knee Effusion' is not a task name", "body_part", "input.matrix",
                     "listed twice", "colour", "a named window (lung) needs calibrated values"):
        assert fragment in text, (fragment, problems)
    assert len(problems) >= 6


def test_cross_field_problems_are_found_when_every_field_is_valid() -> None:
    problems = task_problems({**VALID, "classes": ["no", "yes"], "positive_class": "maybe",
                              "modality": "DX", "input": {**VALID["input"], "kind": "2d_slice"}})
    assert any("positive_class 'maybe'" in p for p in problems)
    assert any("projections" in p for p in problems)
    assert task_problems({**VALID, "classes": ["no", "yes"]}) == [
        "a binary task names its positive_class (one of its two classes)"
    ]


def test_provision_refuses_an_invalid_task_file_listing_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "task.json"
    path.write_text(json.dumps({**VALID, "classes": ["only"], "input": {"matrix": 0}}))
    code = cli.main(["provision", "--federation", "f", "--sites", "a,b", "--mode", "none",
                     "--task-file", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "out").exists()
    assert "is not valid (3 problems)" in err
    assert "2 to 9 classes" in err and "input.matrix" in err and "input.spacing_mm" in err


def test_provision_refuses_an_unreadable_task_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "task.toml"
    path.write_text("name = \n")
    assert cli.main(["provision", "--federation", "f", "--sites", "a,b", "--mode", "none",
                     "--task-file", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_a_toml_task_file_goes_into_the_signed_plan(tmp_path: Path) -> None:
    path = tmp_path / "knee.toml"
    path.write_text(
        'name = "knee-effusion"\ntitle = "Effusion on knee MR"\nmodality = "MR"\n'
        'body_part = "KNEE"\nclasses = ["none", "small", "large"]\n'
        '[input]\nkind = "2d_slice"\nmatrix = 256\nspacing_mm = 0.6\n'
        '[windowing]\ncenter = 300.0\nwidth = 600.0\n'
    )
    assert read_task_file(path).window == (300.0, 600.0)
    code = cli.main(["provision", "--federation", "f", "--sites", "a,b", "--mode", "none",
                     "--task-file", str(path), "--out", str(tmp_path / "out")])
    assert code == 0
    plan = load_coordinator_kit(tmp_path / "out" / "coordinator").plan
    assert plan.task.name == "knee-effusion" and plan.task.classes == ("none", "small", "large")


def test_a_plan_may_name_a_builtin_task_but_not_an_unknown_one() -> None:
    from pydantic import ValidationError

    from coordinator.protocol import FederationPlan

    plan = FederationPlan.model_validate({"federation": "f", "sites": ["a"], "min_sites": 1,
                                          "task": "chest-xray"})
    assert plan.task == builtin_task("chest-xray")
    with pytest.raises(ValidationError, match="no built-in task of that name"):
        FederationPlan.model_validate({"federation": "f", "sites": ["a"], "min_sites": 1,
                                       "task": "brain-tumour"})


def test_task_and_task_file_together_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "task.json"
    path.write_text(json.dumps(VALID))
    assert cli.main(["provision", "--federation", "f", "--sites", "a,b", "--mode", "none",
                     "--task", "chest-xray", "--task-file", str(path),
                     "--out", str(tmp_path / "out")]) == 2
    assert "not both" in capsys.readouterr().err
    with pytest.raises(TaskFileError):
        read_task_file(tmp_path / "missing.json")
