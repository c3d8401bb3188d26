"""The federation's progress lines, connection failures and what each request carried,
in the user's language.

The round runner and the coordinator client describe what they do, and what each request
sent carried (the audit log keeps it), as :class:`~coordinator.words.Words` (an English
template and its values). ``TEMPLATES`` lists every template they use, so ``make
translations`` collects them; :func:`words_text` shows one in the window's language with
its values filled in (a value that is itself ``Words`` is translated too). A template
missing here would stay English: ``tests/ui/test_runner_words.py`` checks that every
template said in those modules is listed.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from coordinator.words import Words
from siteapp.federation.join_report import Progress

CONTEXT = "RunnerWords"  # written out in TEMPLATES: lupdate reads literals only

TEMPLATES = (
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        "{why}. Gave up after {seconds:.0f} s; this site's progress is saved, run join "
        "again to resume",
    ),
    QT_TRANSLATE_NOOP("RunnerWords", 'packing the update (plaintext over TLS)'),
    QT_TRANSLATE_NOOP("RunnerWords", 'encrypting the update (CKKS)'),
    QT_TRANSLATE_NOOP("RunnerWords", 'masking the update (secure sum)'),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        "the task windows images with the federation's statistics: taking part "
        'in the statistics round first (its cost goes to the ledger)',
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        'secure median: masked sum {n} of {of}, agreeing pairwise masks with '
        'the other sites',
    ),
    QT_TRANSLATE_NOOP("RunnerWords", 'round {n} went on without this site: {why}'),
    QT_TRANSLATE_NOOP("RunnerWords", 'training with differential privacy'),
    QT_TRANSLATE_NOOP("RunnerWords", 'training the synthetic-image generator with differential privacy'),
    QT_TRANSLATE_NOOP("RunnerWords", 'uploading {size} bytes'),
    QT_TRANSLATE_NOOP("RunnerWords", "waiting for the other sites' updates"),
    QT_TRANSLATE_NOOP("RunnerWords", 'round {n} aggregated; validation {metric} {value}'),
    QT_TRANSLATE_NOOP("RunnerWords", 'waiting for the other sites ({step} step)'),
    QT_TRANSLATE_NOOP("RunnerWords", 'waiting for the other sites ({step} step of secure sum {n})'),
    QT_TRANSLATE_NOOP("RunnerWords", 'training step {step} of {total}'),
    QT_TRANSLATE_NOOP("RunnerWords", 'uploading {size} bytes (secure sum {n})'),
    QT_TRANSLATE_NOOP("RunnerWords", 'waiting for the next round'),
    QT_TRANSLATE_NOOP("RunnerWords", "waiting for the federation's encryption key"),
    QT_TRANSLATE_NOOP("RunnerWords", "every site holds the federation's encryption key (generation {generation})"),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        "waiting for site {holder} to make the federation's encryption key (generation {generation})",
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        "waiting for site {holder} to hand the encryption key to {sites}; rounds start once "
        "every site holds it",
    ),
    QT_TRANSLATE_NOOP("RunnerWords", 'confirming who took part'),
    QT_TRANSLATE_NOOP("RunnerWords", 'helping remove the masks'),
    QT_TRANSLATE_NOOP("RunnerWords", 'validation figures not reported: {why}'),
    QT_TRANSLATE_NOOP("RunnerWords", 'agreeing pairwise masks with the other sites'),
    QT_TRANSLATE_NOOP("RunnerWords", 'statistics: {what}'),
    QT_TRANSLATE_NOOP("RunnerWords", 'no answer yet'),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        '{why}. Tried {tries} time(s) over {seconds:.0f} s; nothing was lost: '
        'ask the federation operator whether the coordinator is running, check '
        'the address, and try again',
    ),
    QT_TRANSLATE_NOOP("RunnerWords", 'HTTP {status}: {text}'),
    QT_TRANSLATE_NOOP("RunnerWords", '{problem}'),
    QT_TRANSLATE_NOOP("RunnerWords", '{why}; retrying'),
    QT_TRANSLATE_NOOP("RunnerWords", '{problem}; nothing was sent to the coordinator'),
    QT_TRANSLATE_NOOP("RunnerWords", 'the connection to {where} failed ({error})'),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        'a secure connection to {where} could not be set up ({error}); check '
        "the coordinator address and that the kit is this federation's",
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        'nothing answers at {where} (connection refused): the coordinator is '
        'not running there, or the address is wrong',
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        'the name in {where} cannot be found (DNS): check the coordinator '
        "address and this workstation's network",
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        '{where} did not answer in time: the network, a firewall or the '
        'coordinator is slow or blocking the connection',
    ),
    QT_TRANSLATE_NOOP("RunnerWords", 'the connection to {where} was cut off'),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        "the server at {where} could not prove it is this federation's "
        "coordinator (its certificate is not signed by the federation's "
        "authority in this site's kit, or is for another name). Retrying cannot "
        'fix this: check the coordinator address, or ask the federation '
        "operator whether the coordinator's certificate changed and import the "
        'new enrolment kit they give you',
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        "the coordinator at {where} refused this site's certificate: it was "
        'revoked. Ask the federation operator for a new enrolment kit',
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        "a certificate expired (this site's or the coordinator's at {where}); "
        'ask the federation operator for a renewed kit',
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        "the coordinator at {where} refused this site's certificate (it does "
        'not know it, or it was revoked): check that the kit is this '
        "federation's, or ask the federation operator for a new one",
    ),
    # What a request carried (the audit log's column; siteapp.federation.audit).
    QT_TRANSLATE_NOOP("RunnerWords", 'initial model weights (seed-initialised)'),
    QT_TRANSLATE_NOOP("RunnerWords", 'nothing (download)'),
    QT_TRANSLATE_NOOP("RunnerWords", 'model update'),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        'validation histogram of the global model (Gaussian-noised at the site)',
    ),
    QT_TRANSLATE_NOOP("RunnerWords", 'secure-aggregation {step} message (keys/shares, no model data)'),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        "request for the federation's encryption key (this site's certificate, public)",
    ),
    QT_TRANSLATE_NOOP("RunnerWords", 'CKKS public context (encryption parameters, no key)'),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        "the federation's CKKS key sealed to site {recipient} (only it can open it)",
    ),
    QT_TRANSLATE_NOOP("RunnerWords", 'nothing (a request for the plan, the round state or a message)'),
    QT_TRANSLATE_NOOP("RunnerWords", 'an empty body'),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        'CKKS-encrypted model update ({size} values x patients, and the patient count)',
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        'masked model update ({size} quantised values x patients, and the patient count)',
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        'plaintext model update ({size} float32 values) and the number of training patients',
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        "masked counts of probe {probe} of {probes} (per parameter, 1 if this site's "
        "update is at or below the public threshold; only their sum across sites is "
        "unmasked)",
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        "masked model update clipped to the federation's quantiles ({size} quantised "
        "values x patients, and the patient count)",
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        'federation statistics: intensity histograms and class counts (Gaussian-noised, masked)',
    ),
    QT_TRANSLATE_NOOP(
        "RunnerWords",
        "{kind} {instance} in study {study}, with the study's patient and study "
        "attributes ({series})",
    ),
)


def words_text(words: Words) -> str:
    """``words`` in the installed translation (English when none is installed)."""
    template = QCoreApplication.translate(CONTEXT, words.template)
    fields = {name: words_text(value) if isinstance(value, Words) else value
              for name, value in words.fields.items()}
    return template.format(**fields) if fields else template


def progress_text(progress: Progress) -> str:
    """The line the Federation page shows for one ``Progress``."""
    return words_text(progress.words) if progress.words is not None else progress.message
