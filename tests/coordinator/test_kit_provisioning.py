"""Provisioning: kits signed from the sites' own certificate requests, tamper detection,
and plans the modes forbid."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from coordinator import cli
from coordinator.errors import KitError
from coordinator.kits import load_coordinator_kit, load_site_kit
from coordinator.protocol import FederationPlan
from coordinator.provisioning import provision, sign_site_request
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
    assert kit.ckks_secret_context is None and kit.plan.sites == ["north", "south"]
    coordinator = load_coordinator_kit(tmp_path / "out" / "coordinator")
    assert coordinator.ckks_public_context is None
    assert not (tmp_path / "out" / "coordinator" / "ca.key").exists()


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
