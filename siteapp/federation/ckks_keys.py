"""This site's copies of the federation's CKKS key, and its part in sharing them.

In CKKS mode nobody provisions the key: the coordinator names one site the *key holder*
(the first active site of the plan) for each key generation. Each other site asks for
its copy with its certificate; the holder makes the context, keeps it, gives the
coordinator the public context (no key) and seals the secret context to each site that
asked (:mod:`coordinator.secure.ckks_key_sharing`); each site opens its copy, checking
that an enrolled site sealed it for this very site and certificate. :meth:`step` does
this site's share of that, one pass at a time, from the round driver's polling loop.

At rest each key lives in ``<data>/kit/ckks/`` (folder 0700, files 0600, written
durably beside the site's certificate key), named by generation and fingerprint: old
generations stay, since an earlier round's aggregate is decrypted with the key of its
day. It is written nowhere else: no temporary file (SEAL reads it from memory,
:mod:`coordinator.secure.seal_io`), no kit, no log.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from coordinator.client import CoordinatorClient, RequestRefusedError
from coordinator.durable_files import write_durably
from coordinator.kits import SiteKit
from coordinator.protocol import CkksKeyState
from coordinator.secure.ckks import context_fingerprint, create_context, public_context_of
from coordinator.secure.ckks_key_sharing import (
    SealedKey,
    SealedKeyError,
    certificate_sha256,
    open_sealed_key,
    seal_secret_context,
)
from siteapp.federation.errors import FederationError, RoundAbortedError
from siteapp.federation.settings import KIT_DIRNAME

CKKS_KEY_DIRNAME = "ckks"


class KeyRefusedError(RoundAbortedError):
    """The sealed key the coordinator relayed failed this site's checks; it was not used."""


def key_folder(data_dir: Path) -> Path:
    """Where a site data folder keeps its CKKS keys."""
    return Path(data_dir) / KIT_DIRNAME / CKKS_KEY_DIRNAME


class SiteCkksKeys:
    """The CKKS keys this site holds, and the steps that get it the current one."""

    def __init__(self, client: CoordinatorClient, kit: SiteKit, folder: Path) -> None:
        self.client = client
        self.kit = kit
        self.folder = Path(folder)

    # at rest ------------------------------------------------------------------------
    def held(self, fingerprint: str) -> bytes | None:
        """The secret context with ``fingerprint``, if this site holds it."""
        found = sorted(self.folder.glob(f"g*-{fingerprint}.ctx")) if self.folder.is_dir() else []
        return found[0].read_bytes() if found else None

    def secret_for(self, fingerprint: str) -> bytes:
        """The key an upload or aggregate of ``fingerprint`` was made with; refuses
        when this site never held it (it joined or was re-enrolled after that key)."""
        secret = self.held(fingerprint)
        if secret is None:
            raise FederationError(
                f"this site does not hold the CKKS key {fingerprint[:8]} that this aggregate "
                "was encrypted with (it was replaced before this site received it); the "
                "federation's later rounds use the current key"
            )
        return secret

    def _keep(self, generation: int, secret: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        write_durably(self.folder / f"g{generation:04d}-{context_fingerprint(secret)}.ctx", secret, mode=0o600)

    def _made(self, generation: int) -> bytes | None:
        found = sorted(self.folder.glob(f"g{generation:04d}-*.ctx")) if self.folder.is_dir() else []
        return found[0].read_bytes() if found else None

    # the protocol --------------------------------------------------------------------
    def holds_current(self, state: CkksKeyState) -> bool:
        return state.fingerprint is not None and self.held(state.fingerprint) is not None

    def step(self, state: CkksKeyState) -> bool:
        """Do this site's part for ``state`` once; True when it holds the current key.

        The holder makes the key (once per generation) and seals it to every site that
        asked and has no copy yet; another site asks for its copy, then opens it.
        """
        if state.holder == self.kit.site:
            self._act_as_holder(state)
            return True
        if self.holds_current(state):
            return True
        if self.kit.site not in state.requested:
            self.client.request_ckks_key(self.kit.cert_pem.decode())
            return False
        if state.fingerprint is None or self.kit.site in state.waiting_for:
            return False
        return self._open_copy(state)

    def _open_copy(self, state: CkksKeyState) -> bool:
        try:
            sealed = SealedKey.from_json(self.client.ckks_sealed_key(state.generation, self.kit.site))
        except RequestRefusedError as exc:
            if exc.status == 404:
                return False
            raise
        except SealedKeyError as exc:
            raise KeyRefusedError(f"this site refused the federation's encryption key: {exc}") from exc
        if sealed.recipient_certificate != certificate_sha256(self.kit.cert_pem):
            # Sealed to this site's previous certificate: ask again with the current one.
            self.client.request_ckks_key(self.kit.cert_pem.decode())
            return False
        key = serialization.load_pem_private_key(self.kit.key_pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise KeyRefusedError("this site's certificate key is not an EC key; request enrolment again")
        try:
            secret = open_sealed_key(
                sealed, federation=self.kit.federation, generation=state.generation,
                sites=list(self.kit.plan.sites), site=self.kit.site, certificate_pem=self.kit.cert_pem,
                private_key=key, ca_certificate=x509.load_pem_x509_certificate(self.kit.ca_pem),
            )
        except SealedKeyError as exc:
            raise KeyRefusedError(
                f"this site refused the federation's encryption key and did not use it: {exc} "
                "Tell the federation operator; the coordinator may be compromised"
            ) from exc
        if sealed.context != state.fingerprint:
            raise KeyRefusedError(
                "the sealed encryption key is not the one the coordinator announced for this "
                "generation; it was not used. Tell the federation operator"
            )
        self._keep(state.generation, secret)
        return True

    def _act_as_holder(self, state: CkksKeyState) -> None:
        secret = self._made(state.generation)
        if state.fingerprint is None:
            if secret is None:
                secret, _ = create_context()
                self._keep(state.generation, secret)  # before anyone learns of it
            self.client.post_ckks_public_context(state.generation, public_context_of(secret))
            fingerprint = context_fingerprint(secret)
        else:
            fingerprint = state.fingerprint
            if secret is None or context_fingerprint(secret) != fingerprint:
                raise RoundAbortedError(
                    f"this site made key generation {state.generation} but no longer holds it "
                    "(its data folder was replaced); ask the federation operator to revoke and "
                    "re-enrol this site so that the next site makes a new key"
                )
        waiting = [s for s in state.waiting_for if s in state.requested]
        if not waiting:
            return
        certificates = self.client.ckks_key_requests()
        key = serialization.load_pem_private_key(self.kit.key_pem, password=None)
        ca = x509.load_pem_x509_certificate(self.kit.ca_pem)
        for site in waiting:
            if site not in certificates or site not in self.kit.plan.sites:
                continue
            try:
                sealed = seal_secret_context(
                    secret, federation=self.kit.federation, generation=state.generation,
                    recipient_certificate_pem=certificates[site], ca_certificate=ca,
                    sealer=self.kit.site, signing_key=key,  # type: ignore[arg-type]
                    sealer_certificate_pem=self.kit.cert_pem.decode(),
                )
            except SealedKeyError:
                continue  # not a certificate of this federation's CA: nothing is sealed to it
            if sealed.recipient != site or sealed.context != fingerprint:
                continue
            self.client.post_ckks_sealed_key(state.generation, site, sealed.to_json())
