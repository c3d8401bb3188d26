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
    # Sizes follow from the formats: plaintext float32; masking one uint32 per value plus
    # the count; CKKS a compact ciphertext, larger than plaintext but well under the
    # textbook 8192-ring baseline.
    assert report["plaintext_bytes_per_param"] == 4.0
    assert 4.0 < report["masking_bytes_per_param"] < 4.1
    assert 4.0 < report["ckks_bytes_per_param"] < report["baseline_ckks_8192"]["bytes_per_param"]
    # Every timing was measured (a figure of 0 or one from a stalled run is not a timing).
    for key in ("ckks_encrypt_s", "ckks_decrypt_s", "aggregate_s_per_site"):
        assert 0.0 < report[key] < 60.0, key
    # The aggregates decrypt to the plaintext weighted mean: CKKS to rounding noise, masking
    # within its quantisation bound (a wrong sum is off by the updates' size, ~1e-2).
    assert 0.0 < report["max_abs_error"] < 1e-6
    assert 0.0 < report["masking"]["max_abs_error"] <= report["masking"]["quantisation_bound"] < 1e-3
    # The secure median: 16 probes of 3-bit counts packed ten to a uint32 word (0.4 B/param
    # each, 6.4 in total), within range / 2^16 of plaintext FedMedian.
    median = report["secure_median"]
    assert median["probes"] == 16 and median["sites"] == 5
    assert 6.4 <= median["upload_bytes_per_param"] < 6.6
    assert 2.0 <= median["published_bytes_per_param"] < 2.1
    assert 0.0 < median["round_s"] < 60.0 and median["plaintext_fedmedian_s"] > 0.0
    assert median["max_abs_error"] <= median["error_bound"] == 2 / 2**16


@pytest.mark.long  # two coordinators and their kits: about 20 s
def test_benchmark_times_whole_median_rounds_through_a_coordinator() -> None:
    spec = importlib.util.spec_from_file_location("secure_aggregation_benchmark", BENCHMARK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rounds = module.secure_median_round(params=400, sites=3, probes=3)
    assert rounds["probes"] == 3 and rounds["sites"] == 3
    assert rounds["secure_round_s"] > 0.0 and rounds["plaintext_round_s"] > 0.0
    # Each probe sends 0.4 B/param of packed counts plus the masking round's key messages;
    # the plaintext round one float32 safetensors update.
    assert rounds["secure_upload_bytes_per_param_per_site"] > 3 * 0.4
    assert 4.0 <= rounds["plaintext_upload_bytes_per_param_per_site"] < 4.5
    assert rounds["max_abs_error"] <= rounds["error_bound"]
