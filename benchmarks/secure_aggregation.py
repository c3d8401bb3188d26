"""Measure secure aggregation of one model update: wire size, time and error.

Runs, on one machine, a round of ``--sites`` simulated sites for a ``--params``-parameter
update (default 1,000,000) in three ways:

* MedFed CKKS (ring 4096, one 60-bit prime, symmetric seeded encryption, two reals per
  complex slot) through :mod:`coordinator.secure.ckks`;
* the common TenSEAL default as a baseline (ring 8192, primes 60/40/40/60, public-key
  encryption, ``CKKSVector.serialize``), side by side, with ratios;
* pairwise masking through :mod:`coordinator.secure.masking`;
* the secure coordinate-wise median (:mod:`coordinator.secure.bisection`: ``--probes``
  masking rounds of packed counts, ``--median-sites`` sites) against plaintext FedMedian;
  with ``--median-round`` also as whole rounds through a real coordinator on loopback,
  secure median against plaintext FedMedian (``benchmarks/median_round.py``).

Errors are on the FedAvg weighted mean against the same mean in float64 plaintext.
``--json`` prints one JSON object; ``--output FILE`` also writes it. Times are the best
of ``--repeats`` runs and use one thread.

    .venv/bin/python benchmarks/secure_aggregation.py --json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from coordinator.aggregation.rules import fedmedian
from coordinator.secure import ckks, settings
from coordinator.secure.bisection import ProbeCoordinator, ProbeSite, median_ranks
from coordinator.secure.masking import (
    MaskedSum,
    MaskingParticipant,
    QuantisationBounds,
    consistency_request,
    unmask,
    unmask_request,
    unmask_words,
)

RELATIVE_FLOOR = 1e-4
BASELINE_RING = 8192
BASELINE_PRIMES = [60, 40, 40, 60]
BASELINE_SCALE = 2.0**40
TARGETS = {"ckks_bytes_per_param": 30.0, "masking_bytes_per_param": 4.5, "ckks_encrypt_s": 1.0}


def best_time(repeats: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of ``repeats`` runs and the last run's result."""
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def make_updates(params: int, sites: int) -> list[tuple[np.ndarray, int]]:
    """Realistic updates: per-parameter deltas of about 1e-2, some sites larger."""
    rng = np.random.default_rng(2024)
    counts = [int(n) for n in rng.integers(20, 400, sites)]
    return [(rng.normal(0.0, 0.01, params), n) for n in counts]


def plaintext_mean(updates: list[tuple[np.ndarray, int]]) -> np.ndarray:
    total = np.zeros_like(updates[0][0])
    for vector, count in updates:
        total += count * vector
    return total / sum(count for _, count in updates)


def error_figures(estimate: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    diff = np.abs(estimate - truth)
    return {
        "max_abs_error": float(diff.max()),
        "max_relative_error": float(np.max(diff / np.maximum(np.abs(truth), RELATIVE_FLOOR))),
    }


def bench_medfed_ckks(updates: list[tuple[np.ndarray, int]], repeats: int) -> dict[str, Any]:
    params = updates[0][0].size
    secret, public = ckks.create_context()
    encrypt_s, _ = best_time(repeats, lambda: ckks.encrypt_update(secret, *updates[0]))
    blobs = [ckks.encrypt_update(secret, vector, count) for vector, count in updates]
    summed = ckks.CkksSum(public)
    start = time.perf_counter()
    for blob in blobs:
        summed.add(blob)
    aggregate_s = (time.perf_counter() - start) / len(blobs)
    validate_s, _ = best_time(1, lambda: ckks.validate_ckks_blob(public, blobs[0]))
    result = summed.result()
    decrypt_s, (total, count) = best_time(repeats, lambda: ckks.decrypt_aggregate(secret, result))
    return {
        "bytes_per_param": len(blobs[0]) / params,
        "aggregate_bytes_per_param": len(result) / params,
        "encrypt_s": encrypt_s,
        "decrypt_s": decrypt_s,
        "aggregate_s_per_site": aggregate_s,
        "validate_s": validate_s,
        **error_figures(total / count, plaintext_mean(updates)),
        "ring": settings.CKKS_POLY_MODULUS_DEGREE,
        "log2_q": sum(settings.CKKS_COEFF_MODULUS_BITS),
        "log2_q_bound_128_bit": settings.HE_STANDARD_MAX_LOG_Q_128[
            settings.CKKS_POLY_MODULUS_DEGREE
        ],
        "scale_bits": settings.CKKS_SCALE_BITS,
    }


def bench_baseline_ckks(updates: list[tuple[np.ndarray, int]], repeats: int) -> dict[str, Any]:
    """TenSEAL's usual setup: one CKKSVector per 4096 values, public-key encryption."""
    import tenseal as ts

    params = updates[0][0].size
    context = ts.context(
        ts.SCHEME_TYPE.CKKS, BASELINE_RING, coeff_mod_bit_sizes=BASELINE_PRIMES, n_threads=1
    )
    context.global_scale = BASELINE_SCALE
    slots = BASELINE_RING // 2

    def encrypt(vector: np.ndarray, count: int) -> list[bytes]:
        values = np.append(vector * count, float(count))
        return [
            ts.ckks_vector(context, values[i : i + slots]).serialize()
            for i in range(0, values.size, slots)
        ]

    encrypt_s, _ = best_time(repeats, lambda: encrypt(*updates[0]))
    uploads = [encrypt(vector, count) for vector, count in updates]
    start = time.perf_counter()
    summed = [ts.ckks_vector_from(context, part) for part in uploads[0]]
    for upload in uploads[1:]:
        for index, part in enumerate(upload):
            summed[index] += ts.ckks_vector_from(context, part)
    result = [vector.serialize() for vector in summed]
    aggregate_s = (time.perf_counter() - start) / len(uploads)

    def decrypt() -> np.ndarray:
        return np.concatenate(
            [np.asarray(ts.ckks_vector_from(context, part).decrypt()) for part in result]
        )

    decrypt_s, values = best_time(repeats, decrypt)
    total, count = values[:params], values[params]
    return {
        "bytes_per_param": sum(map(len, uploads[0])) / params,
        "aggregate_bytes_per_param": sum(map(len, result)) / params,
        "encrypt_s": encrypt_s,
        "decrypt_s": decrypt_s,
        "aggregate_s_per_site": aggregate_s,
        **error_figures(total / count, plaintext_mean(updates)),
        "ring": BASELINE_RING,
        "log2_q": sum(BASELINE_PRIMES),
        "log2_q_bound_128_bit": settings.HE_STANDARD_MAX_LOG_Q_128[BASELINE_RING],
        "scale_bits": 40,
    }


def make_identities(count: int) -> tuple[bytes, list[tuple[str, Any, bytes]]]:
    """A throw-away federation CA and one Ed25519 certificate per site."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from cryptography.x509.oid import NameOID

    def name(text: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())

    def certificate(subject: str, public_key: Any) -> x509.Certificate:
        return (
            x509.CertificateBuilder()
            .subject_name(name(subject))
            .issuer_name(name("benchmark CA"))
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(hours=1))
            .sign(ca_key, hashes.SHA256())
        )

    pem = serialization.Encoding.PEM
    ca_pem = certificate("benchmark CA", ca_key.public_key()).public_bytes(pem)
    sites = []
    for index in range(count):
        key = ed25519.Ed25519PrivateKey.generate()
        site = f"site-{index}"
        sites.append((site, key, certificate(site, key.public_key()).public_bytes(pem)))
    return ca_pem, sites


def bench_masking(updates: list[tuple[np.ndarray, int]]) -> dict[str, Any]:
    """One masking round; the last site drops after key sharing when there are >= 3."""
    params = updates[0][0].size
    bounds = QuantisationBounds()
    round_id = "benchmark"
    ca_pem, identities = make_identities(len(updates))
    threshold = len(updates) // 2 + 1
    participants = {
        site: MaskingParticipant(site, round_id, key, cert, ca_pem, threshold, bounds)
        for site, key, cert in identities
    }
    advertisements = [p.advertise() for p in participants.values()]
    start = time.perf_counter()
    outboxes = {site: p.share_keys(advertisements) for site, p in participants.items()}
    share_s = (time.perf_counter() - start) / len(participants)
    dropped = identities[-1][0] if len(updates) >= 3 else None
    survivors = [site for site, _, _ in identities if site != dropped]
    masked_sum, blob_size = MaskedSum(), 0
    mask_times: list[float] = []
    add_times: list[float] = []
    kept = []
    for (site, _, _), (vector, count) in zip(identities, updates, strict=True):
        if site == dropped:
            continue
        inbox = [box[site] for sender, box in outboxes.items() if sender != site]
        start = time.perf_counter()
        blob = participants[site].masked_input(inbox, vector, count)
        mask_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        masked_sum.add(blob)
        add_times.append(time.perf_counter() - start)
        blob_size = len(blob)
        kept.append((vector, count))
    shown = consistency_request(round_id, survivors)
    signatures = [participants[site].sign_survivors(shown) for site in survivors]
    request = unmask_request(round_id, survivors, signatures)
    responses = [participants[site].unmask(request) for site in survivors]
    start = time.perf_counter()
    total, total_count = unmask(
        masked_sum,
        advertisements,
        list(participants),
        survivors,
        responses,
        threshold,
        bounds,
        round_id,
    )
    unmask_s = time.perf_counter() - start
    return {
        "bytes_per_param": blob_size / params,
        "share_keys_s": share_s,
        "mask_s": min(mask_times),
        "aggregate_s_per_site": sum(add_times) / len(add_times),
        "unmask_s": unmask_s,
        "dropped_sites": 0 if dropped is None else 1,
        **error_figures(total / total_count, plaintext_mean(kept)),
        "quantisation_bound": bounds.mean_error_bound,
    }


def masked_probe(
    identities: list[tuple[str, Any, bytes]], ca_pem: bytes, round_id: str, inputs: dict[str, np.ndarray]
) -> tuple[np.ndarray, int]:
    """One full masking round over raw uint32 inputs: ``(unmasked sum, upload bytes)``."""
    threshold = len(identities) * 2 // 3 + 1
    participants = {
        site: MaskingParticipant(site, round_id, key, cert, ca_pem, threshold)
        for site, key, cert in identities
    }
    advertisements = [p.advertise() for p in participants.values()]
    outboxes = {site: p.share_keys(advertisements) for site, p in participants.items()}
    masked_sum, upload_bytes = MaskedSum(), 0
    for site, participant in participants.items():
        inbox = [box[site] for sender, box in outboxes.items() if sender != site]
        blob = participant.masked_words(inbox, inputs[site])
        masked_sum.add(blob)
        upload_bytes = len(blob)
    survivors = sorted(participants)
    shown = consistency_request(round_id, survivors)
    signatures = [participants[site].sign_survivors(shown) for site in survivors]
    request = unmask_request(round_id, survivors, signatures)
    responses = [participants[site].unmask(request) for site in survivors]
    total = unmask_words(
        masked_sum, advertisements, survivors, survivors, responses, threshold, round_id
    )
    return total, upload_bytes


def bench_secure_median(params: int, sites: int, probes: int) -> dict[str, Any]:
    """The whole secure median (every site simulated in this one process, one after
    another) against plaintext FedMedian over the same updates."""
    clip = settings.MASKING_DEFAULT_CLIP
    updates = [vector for vector, _ in make_updates(params, sites)]
    ca_pem, identities = make_identities(sites)
    start = time.perf_counter()
    probe_sites = {
        site: ProbeSite(vector, clip, 1, sites)
        for (site, _, _), vector in zip(identities, updates, strict=True)
    }
    coordinator = ProbeCoordinator(params, clip, median_ranks, sites)
    upload_bytes = published_bytes = 0
    for probe in range(probes):
        inputs = {site: p.probe_words() for site, p in probe_sites.items()}
        total, size = masked_probe(identities, ca_pem, f"benchmark.probe-{probe}", inputs)
        published = coordinator.answer(total)
        for probe_site in probe_sites.values():
            probe_site.follow(published)
        upload_bytes += size
        published_bytes += len(published)
    secure_s = time.perf_counter() - start
    start = time.perf_counter()
    plain = fedmedian([([vector], 1) for vector in updates])[0]
    plaintext_s = time.perf_counter() - start
    return {
        "sites": sites,
        "probes": probes,
        "median": "lower (rank ceil(n/2)); the median itself for an odd n",
        "upload_bytes_per_param": upload_bytes / params,
        "published_bytes_per_param": published_bytes / params,
        "plaintext_fedmedian_upload_bytes_per_param": 4.0,
        "round_s": secure_s,
        "plaintext_fedmedian_s": plaintext_s,
        "max_abs_error": float(np.abs(coordinator.search.estimate[0] - plain).max()),
        "error_bound": 2 * clip / 2**probes,
    }


# Named update sizes: a network's trainable part as the federation ships it.
NAMED_SIZES = {"resnet18-last-stage": 8_394_754}  # layer4 + a 2-class head (docs/networks.md)


def secure_median_round(params: int, sites: int, probes: int) -> dict[str, Any]:
    """Whole rounds through a real coordinator (``benchmarks/median_round.py``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/ runs as scripts
    from median_round import compare_rounds

    result: dict[str, Any] = compare_rounds(params, sites, probes)
    return result


def run(
    params: int, sites: int, repeats: int, median_sites: int = 5, probes: int = 16,
    *, baseline_too: bool = True, median_too: bool = True, median_round: bool = False,
) -> dict[str, Any]:
    updates = make_updates(params, sites)
    medfed = bench_medfed_ckks(updates, repeats)
    baseline = bench_baseline_ckks(updates, repeats) if baseline_too else None
    masking = bench_masking(updates)
    report: dict[str, Any] = {
        "params": params,
        "sites": sites,
        "ckks_bytes_per_param": medfed["bytes_per_param"],
        "masking_bytes_per_param": masking["bytes_per_param"],
        "plaintext_bytes_per_param": 4.0,
        "ckks_encrypt_s": medfed["encrypt_s"],
        "ckks_decrypt_s": medfed["decrypt_s"],
        "aggregate_s_per_site": medfed["aggregate_s_per_site"],
        "max_abs_error": medfed["max_abs_error"],
        "ckks": medfed,
        "baseline_ckks_8192": baseline,
        "baseline_over_medfed": None if baseline is None else {
            key: baseline[key] / medfed[key]
            for key in ("bytes_per_param", "encrypt_s", "decrypt_s", "aggregate_s_per_site")
        },
        "masking": masking,
        "secure_median": bench_secure_median(params, median_sites, probes) if median_too else None,
        "secure_median_round": secure_median_round(params, median_sites, probes) if median_round else None,
        "relative_error_floor": RELATIVE_FLOOR,
    }
    report["targets_met"] = {key: report[key] <= limit for key, limit in TARGETS.items()}
    return report


def print_table(report: dict[str, Any]) -> None:
    medfed, baseline, masking = (
        report["ckks"],
        report["baseline_ckks_8192"],
        report["masking"],
    )
    print(f"{report['params']:,} parameters, {report['sites']} sites")
    print(f"{'':28}{'MedFed CKKS':>14}{'ring 8192 base':>16}{'ratio':>8}{'masking':>12}")
    rows = [
        ("upload bytes/param", "bytes_per_param", "bytes_per_param"),
        ("encrypt / mask s", "encrypt_s", "mask_s"),
        ("decrypt / unmask s", "decrypt_s", "unmask_s"),
        ("aggregate s per site", "aggregate_s_per_site", "aggregate_s_per_site"),
        ("max abs error (mean)", "max_abs_error", "max_abs_error"),
        ("max relative error", "max_relative_error", "max_relative_error"),
    ]
    for label, key, mask_key in rows:
        base = baseline[key] if baseline is not None else math.nan
        ratio = base / medfed[key] if medfed[key] else math.nan
        print(
            f"{label:28}{medfed[key]:>14.4g}{base:>16.4g}{ratio:>8.2f}"
            f"{masking[mask_key]:>12.4g}"
        )
    print(f"plaintext float32: {report['plaintext_bytes_per_param']} bytes/param")
    median = report["secure_median"]
    if median is None:
        print(f"targets met: {report['targets_met']}")
        return
    print(
        f"secure median, {median['sites']} sites, {median['probes']} probes: "
        f"{median['upload_bytes_per_param']:.2f} B/param uploaded per site, "
        f"{median['published_bytes_per_param']:.2f} B/param published, "
        f"{median['round_s']:.2f} s (plaintext FedMedian {median['plaintext_fedmedian_s']:.3f} s), "
        f"max abs error {median['max_abs_error']:.2g} (bound {median['error_bound']:.2g})"
    )
    rounds = report["secure_median_round"]
    if rounds is not None:
        print(
            f"whole round through the coordinator, {rounds['sites']} sites: secure median "
            f"{rounds['secure_round_s']:.1f} s, {rounds['secure_upload_bytes_per_param_per_site']:.2f} "
            f"B/param sent per site (+{rounds['secure_answer_bytes_per_param_per_site']:.2f} read); "
            f"plaintext FedMedian {rounds['plaintext_round_s']:.1f} s, "
            f"{rounds['plaintext_upload_bytes_per_param_per_site']:.2f} B/param; max abs error "
            f"{rounds['max_abs_error']:.2g} (bound {rounds['error_bound']:.2g})"
        )
    print(f"targets met: {report['targets_met']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--params", default="1000000",
                        help=f"parameter count, or one of {', '.join(NAMED_SIZES)}")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the ring-8192 TenSEAL baseline (slow at millions of parameters)")
    parser.add_argument("--no-median", action="store_true", help="skip the secure median")
    parser.add_argument("--sites", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--median-sites", type=int, default=5)
    parser.add_argument("--probes", type=int, default=16)
    parser.add_argument("--median-round", action="store_true",
                        help="also time whole rounds through a real coordinator: secure median "
                        "against plaintext FedMedian")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--output", type=Path, help="also write the JSON to this file")
    args = parser.parse_args(argv)
    params = NAMED_SIZES.get(args.params) or int(args.params)
    report = run(params, args.sites, args.repeats, args.median_sites, args.probes,
                 baseline_too=not args.no_baseline, median_too=not args.no_median,
                 median_round=args.median_round)
    if args.output:
        args.output.write_text(json.dumps(report, indent=2) + "\n")
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
