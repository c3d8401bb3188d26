"""No pixel, patient identifier, name or label leaves a site: every byte the sites write
into their TLS connections during a real round is captured (below requests, at
``ssl.SSLSocket``) and searched; and every request on the wire is in the audit log with
the same body hash.

The round runs in plaintext mode (TLS only), where the update is least disguised.
"""

from __future__ import annotations

import hashlib
import re
import ssl
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pydicom
import pytest
import torch
from harness import SITES, import_sites, make_federation, run_sites

from siteapp.dicom.cache import PreprocessCache
from siteapp.dicom.dataset_source import labelled_patients
from siteapp.dicom.phantom import LABELS_FILENAME
from siteapp.dicom.schema import open_dicom_db
from siteapp.federation.audit import AuditLog
from siteapp.tasks import demo_task
from siteapp.training.initial_model import initial_model

torch.set_num_threads(1)
CHUNK = 24  # bytes of pixel data searched for at a time
CHUNKS_PER_IMAGE = 6
MIN_DISTINCT = 8  # skip flat runs (air, padding): they prove nothing either way


class WireCapture:
    """Records what each TLS socket of this process sends, before encryption."""

    def __init__(self) -> None:
        self.streams: dict[int, bytearray] = {}
        self._lock = threading.Lock()
        self._originals = (ssl.SSLSocket.sendall, ssl.SSLSocket.send)

    def __enter__(self) -> WireCapture:
        sendall, send = self._originals
        capture = self
        inside = threading.local()  # SSLSocket.sendall calls send: count those bytes once

        def recording_sendall(sock: ssl.SSLSocket, data: bytes, *args: object) -> None:
            capture._add(sock, bytes(data))
            inside.active = True
            try:
                return sendall(sock, data, *args)
            finally:
                inside.active = False

        def recording_send(sock: ssl.SSLSocket, data: bytes, *args: object) -> int:
            sent = send(sock, data, *args)
            if not getattr(inside, "active", False):
                capture._add(sock, bytes(data)[:sent])
            return sent

        ssl.SSLSocket.sendall = recording_sendall  # type: ignore[method-assign,assignment]
        ssl.SSLSocket.send = recording_send  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *_exc: object) -> None:
        ssl.SSLSocket.sendall, ssl.SSLSocket.send = self._originals  # type: ignore[method-assign]

    def _add(self, sock: ssl.SSLSocket, data: bytes) -> None:
        with self._lock:
            self.streams.setdefault(id(sock), bytearray()).extend(data)

    @property
    def everything(self) -> bytes:
        return b"\n".join(bytes(s) for s in self.streams.values())

    def requests(self) -> list[tuple[str, str, str | None]]:
        """(method, path, sha256 of body or None) of every HTTP request sent."""
        found = []
        for stream in self.streams.values():
            data = bytes(stream)
            while data:
                head, sep, rest = data.partition(b"\r\n\r\n")
                assert sep, "a request was cut off"
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ")
                headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
                length = int(headers.get("content-length", "0"))
                body, data = rest[:length], rest[length:]
                found.append((method, target.split("?")[0], hashlib.sha256(body).hexdigest() if length else None))
        return found


def _chunks(data: bytes) -> list[bytes]:
    out = []
    for start in np.linspace(0, max(0, len(data) - CHUNK), CHUNKS_PER_IMAGE).astype(int):
        piece = data[start : start + CHUNK]
        if len(piece) == CHUNK and len(set(piece)) >= MIN_DISTINCT:
            out.append(piece)
    return out


def _site_secrets(data_dir: Path, phantom_site: Path) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """(pixel chunks, identifiers, label lines) of one site."""
    task = demo_task("lung-ct-nodule")
    cache = PreprocessCache(data_dir)
    pixels: list[bytes] = []
    identifiers: set[str] = set()
    for patient in labelled_patients(data_dir):
        identifiers.add(patient.patient_key)
        for uid, path in zip(patient.instance_uids, patient.paths, strict=True):
            ds = pydicom.dcmread(path)
            pixels += _chunks(ds.PixelData)
            pixels += _chunks(cache.load(uid, path, task).tobytes())
            identifiers |= {str(ds.PatientID), str(ds.PatientName), ds.StudyInstanceUID,
                            ds.SeriesInstanceUID, ds.SOPInstanceUID}
            if ds.get("AccessionNumber"):
                identifiers.add(str(ds.AccessionNumber))
    conn = open_dicom_db(data_dir)
    try:
        for row in conn.execute("SELECT patient_id, display_name FROM patients"):
            identifiers |= {str(v) for v in row if v}
    finally:
        conn.close()
    labels = [line.strip().encode() for line in (phantom_site / LABELS_FILENAME).read_text().splitlines()[1:] if line.strip()]
    return pixels, sorted(i.encode() for i in identifiers if len(i) >= 4), labels


def test_a_round_sends_no_pixels_identifiers_or_labels(phantom_root: Path, tmp_path: Path) -> None:
    templates = import_sites(phantom_root, tmp_path / "templates")
    fed = make_federation(tmp_path / "fed", templates, mode="none", rounds=1)
    try:
        with WireCapture() as wire:
            run_sites(fed)
    finally:
        fed.stop()
    sent = wire.everything
    task = demo_task("lung-ct-nodule")
    # what each site uploads: the trainable part of the plan's model (head only on the
    # preset's frozen public backbone)
    trainable = initial_model(task, fed.plan.model).parameters()
    update_bytes = 4 * sum(p.numel() for p in trainable if p.requires_grad)
    assert len(sent) > 3 * update_bytes, "the three updates were captured"

    for index, site in enumerate(SITES, start=1):
        pixels, identifiers, labels = _site_secrets(fed.data_dirs[site], phantom_root / f"site-{index}")
        assert len(pixels) > 50 and len(identifiers) > 10 and labels
        assert not [p for p in pixels if p in sent], f"pixel data of site {site} left the site"
        assert not [i for i in identifiers if i in sent], f"an identifier of site {site} left the site"
        assert not [line for line in labels if line in sent]
    for name in task.classes:  # no label travels, not even a class name
        assert not re.search(re.escape(name.encode()), sent)

    # every request on the wire is in the sites' audit logs, with the same body hash
    audited = Counter(
        (e.method, e.endpoint, e.body_sha256)
        for site in SITES
        for e in AuditLog(fed.data_dirs[site]).query()
    )
    assert Counter(wire.requests()) == audited
    uploads = [r for r in wire.requests() if r[0] == "PUT" and r[1].endswith("/update")]
    assert len(uploads) == 3


@pytest.fixture(autouse=True)
def _restore_ssl() -> Iterator[None]:
    """WireCapture restores ssl itself; this guards against a failed assertion inside."""
    originals = (ssl.SSLSocket.sendall, ssl.SSLSocket.send)
    yield
    ssl.SSLSocket.sendall, ssl.SSLSocket.send = originals  # type: ignore[method-assign]
