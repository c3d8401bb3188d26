"""Provisioning: kits signed from the sites' own certificate requests, tamper detection,
and plans the modes forbid."""

from __future__ import annotations

import hashlib
import json
import ssl
import threading
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from coordinator import cli
from coordinator.errors import KitError
from coordinator.kits import CKKS_SECRET, load_coordinator_kit, load_site_kit
from coordinator.protocol import FederationPlan
from coordinator.provisioning import provision, revoked_certificate, sign_site_request
from siteapp.federation.site_keys import make_request


def _provision(tmp_path: Path) -> tuple[Path, str]:
    plan = FederationPlan(federation="demo", sites=["north", "south"], min_sites=2)
    result = provision(plan, tmp_path / "out", "https://coord.example.org:8443")
    key, request = make_request("north")
    (tmp_path / "north.key").write_bytes(key)
    return sign_site_request(tmp_path / "out", request).path, result.ca_fingerprint


def _rewrite(kit: Path, member: str, data: bytes) -> None:
    with zipfile.ZipFile(kit) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    members[member] = data
    with zipfile.ZipFile(kit, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)


def test_site_kit_round_trips_and_names_its_site(tmp_path: Path) -> None:
    path, fingerprint = _provision(tmp_path)
    key = (tmp_path / "north.key").read_bytes()
    kit = load_site_kit(path, expected_ca_fingerprint=fingerprint, key_pem=key)
    assert kit.key_pem == key
    assert (kit.site, kit.federation, kit.coordinator_url) == ("north", "demo", "https://coord.example.org:8443")
    assert kit.plan.sites == ["north", "south"]
    coordinator = load_coordinator_kit(tmp_path / "out" / "coordinator")
    assert coordinator.plan == kit.plan
    assert not (tmp_path / "out" / "coordinator" / "ca.key").exists()


def test_a_new_connection_never_leaves_another_reading_half_written_tls_files(tmp_path: Path) -> None:
    """Every client of a site rewrites the site's TLS files (``<data>/kit/tls``) while
    another thread's client may be loading them for a handshake, as the GUI's status
    check does during a round: the loader must see whole files. Seen once as a round's
    "secure connection could not be set up" (no certificate found in the CA file)."""
    path, _ = _provision(tmp_path)
    kit = load_site_kit(path, key_pem=(tmp_path / "north.key").read_bytes())
    folder = tmp_path / "tls"
    ca, cert, key = kit.write_tls_files(folder)
    stop, failures = threading.Event(), []

    def rewrite() -> None:
        while not stop.is_set():
            kit.write_tls_files(folder)

    writer = threading.Thread(target=rewrite, daemon=True)
    writer.start()
    try:
        for _ in range(60):
            context = ssl.create_default_context()
            try:
                context.load_verify_locations(str(ca))
                context.load_cert_chain(str(cert), str(key))
            except ssl.SSLError as exc:
                failures.append(exc)
    finally:
        stop.set()
        writer.join(10)
    assert not failures, failures[:3]
    assert {p.name for p in folder.iterdir()} == {ca.name, cert.name, key.name}  # no temporary left
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in (ca, cert, key))


def test_the_operator_never_holds_a_site_key(tmp_path: Path) -> None:
    path, _ = _provision(tmp_path)
    key = (tmp_path / "north.key").read_bytes()
    secret = key.split(b"\n")[1]
    for file in (tmp_path / "out").rglob("*"):
        if file.is_file():
            assert secret not in file.read_bytes(), file
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["ca.pem", "manifest.json", "manifest.sig", "plan.json", "site.pem"]
    other_key, _ = make_request("north")
    with pytest.raises(KitError, match="another key"):
        load_site_kit(path, key_pem=other_key)


def test_a_kit_carrying_a_private_key_is_refused(tmp_path: Path) -> None:
    """A kit made the old way (the operator generated the key) must not be trusted."""
    path, _ = _provision(tmp_path)
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    members["site.key"] = (tmp_path / "north.key").read_bytes()
    with zipfile.ZipFile(path, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    with pytest.raises(KitError, match=r"unexpected|private key"):
        load_site_kit(path)


@pytest.mark.parametrize("name", ["east", ""])
def test_a_request_for_a_site_outside_the_plan_or_altered_is_refused(tmp_path: Path, name: str) -> None:
    from coordinator.errors import PlanError

    _provision(tmp_path)
    if name:
        with pytest.raises(PlanError, match="'east', which is not a site"):
            sign_site_request(tmp_path / "out", make_request(name)[1])
    else:
        _, request = make_request("south")
        lines = request.split(b"\n")
        lines[3] = lines[3][:10] + (b"A" if lines[3][10:11] != b"A" else b"B") + lines[3][11:]
        with pytest.raises(KitError, match=r"altered|not a certificate request"):
            sign_site_request(tmp_path / "out", b"\n".join(lines))


@pytest.mark.parametrize("member", ["plan.json", "site.pem", "manifest.json"])
def test_a_tampered_kit_is_refused(tmp_path: Path, member: str) -> None:
    path, _ = _provision(tmp_path)
    with zipfile.ZipFile(path) as zf:
        original = zf.read(member)
    _rewrite(path, member, original.replace(b"south", b"evil!").replace(b"-----END", b"-----XND") + b" ")
    with pytest.raises(KitError, match=r"altered|modified|invalid"):
        load_site_kit(path)


def test_a_kit_from_another_ca_is_refused_by_fingerprint(tmp_path: Path) -> None:
    path, _ = _provision(tmp_path)
    with pytest.raises(KitError, match="fingerprint"):
        load_site_kit(path, expected_ca_fingerprint="00:" * 31 + "00")


def test_not_a_kit_gives_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.medfed-kit"
    junk.write_bytes(b"hello")
    with pytest.raises(KitError, match="not a MedFed enrolment kit"):
        load_site_kit(junk)
    with pytest.raises(KitError, match="does not exist"):
        load_site_kit(tmp_path / "missing.medfed-kit")


@pytest.mark.parametrize(("mode", "strategy"), [
    ("ckks", "fedmedian"), ("ckks", "winsorised_mean"), ("ckks", "trimmed_mean"), ("ckks", "krum"),
    ("masking", "trimmed_mean"), ("masking", "krum"),
])
def test_individual_update_strategies_are_refused_in_encrypted_modes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str, strategy: str
) -> None:
    code = cli.main(["provision", "--federation", "f", "--sites", "a,b,c,d,e", "--mode", mode,
                     "--strategy", strategy, "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert f"strategy '{strategy}' needs every site's individual update" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


@pytest.mark.parametrize("strategy", ["fedmedian", "winsorised_mean"])
def test_masking_plans_accept_the_secure_median_and_winsorised_mean(tmp_path: Path, strategy: str) -> None:
    code = cli.main(["provision", "--federation", "f", "--sites", "a,b,c,d,e", "--mode", "masking",
                     "--strategy", strategy, "--update-length", "100", "--out", str(tmp_path / "out")])
    assert code == 0


def test_provision_and_sign_request_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["provision", "--federation", "f", "--sites", "a,b", "--mode", "none",
                     "--strategy", "krum", "--out", str(tmp_path / "out")])
    assert code == 2  # krum needs 2f + 3 = 3 sites
    code = cli.main(["provision", "--federation", "f", "--sites", "a,b,c", "--mode", "none",
                     "--strategy", "fedmedian", "--out", str(tmp_path / "out")])
    assert code == 0
    out = capsys.readouterr().out
    assert "CA fingerprint" in out and "sign-request" in out
    assert list((tmp_path / "out" / "sites").iterdir()) == []
    for site in ("a", "c"):
        (tmp_path / f"{site}.csr").write_bytes(make_request(site)[1])
        assert cli.main(["sign-request", "--out", str(tmp_path / "out"), str(tmp_path / f"{site}.csr")]) == 0
        assert "request fingerprint" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "out" / "sites").iterdir()) == ["a.medfed-kit", "c.medfed-kit"]
    assert cli.main(["provision", "--federation", "f", "--sites", "a,b", "--mode", "none",
                     "--out", str(tmp_path / "out")]) == 1


def test_ckks_provisioning_makes_no_key_and_a_kit_carrying_one_is_refused(tmp_path: Path) -> None:
    """The sites make the CKKS key among themselves: nothing the operator writes holds a
    CKKS context, and a kit made the old way (with the key inside) is refused."""
    out = tmp_path / "out"
    plan = FederationPlan(federation="f", sites=["a", "b", "c"], mode="ckks", min_sites=3, update_length=10)
    provision(plan, out, "https://127.0.0.1:8443")
    key, request = make_request("a")
    path = sign_site_request(out, request).path
    for file in out.rglob("*"):
        if file.is_file():
            assert b"MFCKCTX1" not in file.read_bytes(), file
    assert load_site_kit(path, key_pem=key).plan.mode == "ckks"

    from coordinator.secure.ckks import create_context

    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    manifest = json.loads(members.pop("manifest.json"))
    members.pop("manifest.sig")
    members[CKKS_SECRET] = create_context()[0]
    manifest["files"] = {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    signed_manifest = json.dumps(manifest).encode()
    ca_key = serialization.load_pem_private_key((out / "ca" / "ca.key").read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    members["manifest.json"] = signed_manifest
    members["manifest.sig"] = ca_key.sign(signed_manifest, ec.ECDSA(hashes.SHA256()))
    old_style = tmp_path / "old-style.medfed-kit"
    with zipfile.ZipFile(old_style, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(KitError, match="carries a CKKS secret key"):
        load_site_kit(old_style, key_pem=key)


def test_the_ca_refuses_a_second_certificate_for_a_site_unless_the_first_is_revoked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = _provision(tmp_path)
    out = tmp_path / "out"
    first = load_site_kit(path)
    _, second_request = make_request("north")  # anyone's key, in the site's name
    with pytest.raises(KitError, match="already holds certificate"):
        sign_site_request(out, second_request)
    assert load_site_kit(path).cert_pem == first.cert_pem  # nothing changed
    (tmp_path / "second.csr").write_bytes(second_request)
    assert cli.main(["sign-request", "--out", str(out), str(tmp_path / "second.csr")]) == 1
    assert "already holds certificate" in capsys.readouterr().err

    # An explicit renewal revokes the first certificate in the CA's register first.
    assert cli.main(["sign-request", "--out", str(out), "--revoke-previous", str(tmp_path / "second.csr")]) == 0
    printed = capsys.readouterr().out
    assert "medfed-coordinator revoke" in printed and "--certificate" in printed
    [revoked_kit] = list((out / "sites").glob("north.medfed-kit.revoked-*"))
    assert load_site_kit(revoked_kit).cert_pem == first.cert_pem
    assert load_site_kit(path).cert_pem != first.cert_pem
    register = json.loads((out / "ca" / "revoked-certificates.json").read_text())
    assert [e["site"] for e in register] == ["north"]
    assert register[0]["serial"] == revoked_certificate(revoked_kit, (out / "ca" / "ca.pem").read_bytes())[1]
