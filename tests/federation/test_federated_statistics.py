"""The federation's statistics over a real coordinator: four sites send noised histograms
and class counts through the masking secure sum, one drops out mid-round; the published
sum is exactly the survivors' noised vectors summed (the test-only fixed seed lets the
test redo each site's noise), the coordinator's state holds no site's vector, and the
windows a 'federation' percentile task uses come from it."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from harness import FAST, make_federation

from coordinator.kits import CA_FILE, SITE_CERT, SITE_KEY
from coordinator.protocol import Endpoints
from coordinator.secure.quantisation import masking_bounds, quantise_weighted
from coordinator.statistics import StatisticsLayout, statistics_plan
from coordinator.task_definition import Windowing
from siteapp.dicom.dataset_source import labelled_patients
from siteapp.dicom.pixels import MissingWindowError, preprocess, read_frames_and_scanner
from siteapp.federation.audit import AuditLog
from siteapp.federation.errors import FederationError
from siteapp.federation.round_polling import wait_for_round
from siteapp.federation.settings import KIT_DIRNAME, TLS_DIRNAME
from siteapp.federation.statistics_round import CARRIED, StatisticsRound
from siteapp.privacy.ledger import PrivacyLedger
from siteapp.privacy.randomness import seed_for
from siteapp.statistics.collect import cell_noise_std, denoised
from siteapp.statistics.histograms import site_histograms
from siteapp.statistics.release import noised_statistics, statistics_context
from siteapp.statistics.windows import load_task_statistics, task_with_windows

SITES = ("a", "b", "c", "d")
SURVIVORS = ("a", "b", "c")


class SimulatedCrashError(RuntimeError):
    pass


def _crash_before_upload(message: str) -> None:
    if message.startswith("sending the masked"):
        raise SimulatedCrashError("site d lost power after sharing its keys")


def _noised_vector(fed, site: str) -> np.ndarray:
    """What ``site`` sent: its exact vector plus the noise of the tests' fixed seed."""
    plan = fed.plan
    exact = site_histograms(fed.data_dirs[site], plan.task, StatisticsLayout.of(plan)).vector()
    seed = seed_for(FAST.insecure_fixed_dp_seed, site, "statistics", 1)
    return noised_statistics(exact, plan.statistics.noise_multiplier, seed)


def _assert_statistics_requests_audited(data_dir: Path) -> None:
    """The site's statistics client is its audited one: the plan check, every masking
    message, the masked upload and the result download are in its audit log, and its TLS
    files are the kit's, in ``<data>/kit/tls``."""
    entries = AuditLog(data_dir).query()
    asked = {(e.method, e.endpoint) for e in entries}
    assert {("GET", Endpoints.PLAN), ("GET", Endpoints.result(1))} <= asked, asked
    uploads = [e for e in entries if e.carried_words == CARRIED and e.carried == str(CARRIED)]
    assert len(uploads) == 1 and uploads[0].bytes_sent > 0 and uploads[0].status == 200
    assert len([e for e in entries if e.kind == "masking"]) >= 3  # advertise, share, consistency, unmask
    assert all((data_dir / KIT_DIRNAME / TLS_DIRNAME / name).is_file() for name in (CA_FILE, SITE_CERT, SITE_KEY))


def test_statistics_are_the_survivors_noised_sum_and_no_site_vector_is_stored(
    tmp_path: Path, site_templates: dict[str, Path]
) -> None:
    templates = {**site_templates, "d": site_templates["a"]}
    fed = make_federation(tmp_path, templates, sites=list(SITES), round_deadline_s=12.0,
                          statistics={"min_count": 2.0})
    try:
        outcomes: dict[str, object] = {}

        def work(site: str) -> None:
            try:
                hook = _crash_before_upload if site == "d" else None
                outcomes[site] = StatisticsRound(fed.data_dirs[site], options=FAST, on_progress=hook).run()
            except BaseException as exc:
                outcomes[site] = exc

        threads = [threading.Thread(target=work, args=(s,), daemon=True) for s in SITES]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert isinstance(outcomes["d"], SimulatedCrashError), outcomes
        for site in SURVIVORS:
            assert not isinstance(outcomes[site], BaseException), outcomes[site]

        layout = StatisticsLayout.of(fed.plan)
        sent = {site: _noised_vector(fed, site) for site in SITES}
        expected = sum(sent[s] for s in SURVIVORS)
        scale = masking_bounds(statistics_plan(fed.plan)).scale
        for site in SURVIVORS:
            kept = load_task_statistics(fed.data_dirs[site], fed.plan.task.name)
            assert kept is not None and kept.federation_sites == 3
            histograms, counts = layout.split(expected)
            pooled = denoised(histograms, cell_noise_std(fed.plan.statistics, 3))[0].sum(axis=0)
            assert np.allclose(kept.federation_histograms["CT"], pooled, atol=3 * 8 * 0.5 / scale)
            for name, count in zip(layout.classes, counts, strict=True):
                shown = kept.federation_class_counts[name]
                assert (shown is None) == (count < 2.0)
                assert shown is None or abs(shown - count) <= 0.05 + 3 / scale
            entry = [e for e in PrivacyLedger(fed.data_dirs[site]).entries()
                     if e.context == statistics_context("loopback")]
            assert len(entry) == 1 and entry[0].seeded and entry[0].status == "completed"
            _assert_statistics_requests_audited(fed.data_dirs[site])
        # the dropped site paid before sending (its entry stays planned) ...
        dropped = [e for e in PrivacyLedger(fed.data_dirs["d"]).entries()
                   if e.context == statistics_context("loopback")]
        assert len(dropped) == 1 and dropped[0].status == "planned"
        # ... and reads the published result later without sending anything
        read_from = AuditLog(fed.data_dirs["d"]).query()[-1].id
        later = StatisticsRound(fed.data_dirs["d"], options=FAST).run()
        assert not later.sent and later.statistics.federation_sites == 3
        reading = [e for e in AuditLog(fed.data_dirs["d"]).query() if e.id > read_from]
        assert reading and not any(e.bytes_sent for e in reading), reading
        assert len(PrivacyLedger(fed.data_dirs["d"]).entries()) == 1

        # No stored byte of the coordinator's state is any site's quantised vector.
        bounds = masking_bounds(statistics_plan(fed.plan))
        stored = b"".join(p.read_bytes() for p in (fed.root / "state").rglob("*") if p.is_file())
        assert (fed.root / "state" / "statistics").is_dir()
        for site in SITES:
            words = quantise_weighted(sent[site], 1, bounds).tobytes()
            for start in range(0, len(words) - 64, len(words) // 8):
                assert words[start:start + 64] not in stored, f"{site}'s statistics are stored"

        # A task windowed with the federation's percentiles uses the published histograms.
        plain = fed.plan.task
        task = plain.model_copy(update={"windowing": Windowing(percentiles=(1.0, 99.0), scope="federation")})
        windowed = task_with_windows(task, fed.data_dirs["a"])
        kept = load_task_statistics(fed.data_dirs["a"], task.name)
        assert kept is not None and windowed.intensity_windows == kept.federation_windows
        image = labelled_patients(fed.data_dirs["a"])[0].paths[0]
        with pytest.raises(MissingWindowError, match="medfed-site statistics"):
            preprocess(image, task)
        _, scanner = read_frames_and_scanner(image)
        low, high = kept.federation_windows.get(scanner.key) or kept.federation_windows["CT"]
        fixed = plain.model_copy(update={"windowing": Windowing(center=(low + high) / 2, width=high - low)})
        assert np.array_equal(preprocess(image, windowed), preprocess(image, fixed))
    finally:
        fed.stop()


def test_a_site_late_for_every_statistics_round_is_told_to_ask_the_operator(
    tmp_path: Path, site_templates: dict[str, Path]
) -> None:
    """No site took part before the deadlines: the statistics rounds fail until the
    plan's budget is spent and then wait for the operator. A site that runs the
    statistics then is told what to ask for (not "the next round opens by itself",
    which it would not) and spends nothing."""
    fed = make_federation(tmp_path, site_templates, sites=["a", "b", "c"], round_deadline_s=1.5,
                          on_deadline="fail", max_failed_rounds=1)
    try:
        late = StatisticsRound(fed.data_dirs["a"], options=FAST)
        ended = wait_for_round(late.client.round_state, lambda s: s.finished, timeout_s=30, poll_s=0.05)
        assert ended.last_published == 0
        with pytest.raises(FederationError, match="run 'medfed-coordinator resume --statistics'"):
            late.run()
        assert PrivacyLedger(fed.data_dirs["a"]).entries() == []
    finally:
        fed.stop()
