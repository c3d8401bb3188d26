"""The secure-aggregation benchmark runs end to end and reports every promised figure."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "secure_aggregation.py"


def test_benchmark_reports_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("secure_aggregation_benchmark", BENCHMARK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    output = tmp_path / "report.json"
    assert (
        module.main(["--params", "3000", "--repeats", "1", "--json", "--output", str(output)]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report == json.loads(output.read_text())
    for key in (
        "ckks_bytes_per_param",
        "masking_bytes_per_param",
        "plaintext_bytes_per_param",
        "ckks_encrypt_s",
        "ckks_decrypt_s",
        "aggregate_s_per_site",
        "max_abs_error",
    ):
        assert report[key] >= 0
    assert report["baseline_ckks_8192"]["bytes_per_param"] > report["ckks_bytes_per_param"]
    assert report["masking"]["max_abs_error"] <= report["masking"]["quantisation_bound"]
