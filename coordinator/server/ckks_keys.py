"""The coordinator's part in sharing the CKKS key: relay what it cannot read.

One site, the key *holder* (the first active site of the plan), makes the federation's
CKKS context; the coordinator keeps only its public context (parameters, no key) and
relays the secret context sealed to each other site's certificate key
(:mod:`coordinator.secure.ckks_key_sharing`). A *generation* is one key for one set of
active sites: when the operator revokes a site, the round driver starts the next
generation for the sites left, and uploads under the old key are refused from then on.
Rounds wait until every active site holds the current generation's key (``ready``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from coordinator.errors import CallerForbiddenError, MessageRejectedError, RoundError
from coordinator.protocol import CkksKeyRequest, CkksKeyState, CkksPublicContext, FederationPlan
from coordinator.secure.ckks import context_fingerprint, context_has_secret_key
from coordinator.secure.ckks_key_sharing import SealedKey, SealedKeyError, certificate_sha256
from coordinator.secure.errors import InvalidContextError
from coordinator.secure.site_signatures import certificate_site_id
from coordinator.server.store import CoordinatorStore, KeyGenerationRow


class CkksKeys:
    """The key generations of a CKKS federation, over the coordinator's store."""

    def __init__(
        self, plan: FederationPlan, store: CoordinatorStore, ca_pem: bytes,
        active_sites: Callable[[], set[str]], clock: Callable[[], float],
    ) -> None:
        self.plan = plan
        self.store = store
        self.ca_certificate = x509.load_pem_x509_certificate(ca_pem)
        self.active_sites = active_sites
        self.clock = clock

    # generations ----------------------------------------------------------------------
    def _members(self) -> list[str]:
        active = self.active_sites()
        return [s for s in self.plan.sites if s in active]

    def current(self) -> KeyGenerationRow:
        row = self.store.key_generation()
        if row is None:
            raise RoundError("the federation's CKKS key has not been started yet; try again shortly")
        return row

    def renew_if_members_changed(self) -> bool:
        """Start the next generation when the active sites are not the current one's
        (the first at start, the next after a revocation); True when one started."""
        members = self._members()
        row = self.store.key_generation()
        if row is not None and list(row.members) == members:
            return False
        if not members:
            return False
        generation = 1 if row is None else row.generation + 1
        return self.store.start_key_generation(generation, members[0], members, self.clock())

    def ready(self) -> bool:
        row = self.store.key_generation()
        return row is not None and row.ready_at is not None

    def public_context(self) -> bytes:
        """The current generation's public context; refuses while sites lack the key."""
        row = self.current()
        if row.ready_at is None or row.public_context is None:
            raise RoundError(
                f"the federation's encryption key is not with every site yet ({self.state(row).describe()}); "
                "rounds start once it is"
            )
        return row.public_context

    def state(self, row: KeyGenerationRow | None = None) -> CkksKeyState:
        row = row or self.current()
        requests = self.store.key_requests()
        sealed = self.store.sealed_key_certificates(row.generation)
        waiting = [
            s for s in row.members
            if s != row.holder and (s not in requests or sealed.get(s) != requests[s][1])
        ]
        return CkksKeyState(
            generation=row.generation, holder=row.holder, fingerprint=row.fingerprint,
            ready=row.ready_at is not None, requested=sorted(requests), waiting_for=waiting,
        )

    def _update_ready(self, row: KeyGenerationRow) -> None:
        if row.ready_at is None and row.public_context is not None and not self.state(row).waiting_for:
            self.store.mark_key_ready(row.generation, self.clock())

    # messages from sites --------------------------------------------------------------
    def accept_request(self, site: str, request: CkksKeyRequest) -> None:
        """Keep the certificate ``site`` wants its copy sealed to: one the federation's
        CA issued to that very site."""
        try:
            certificate = x509.load_pem_x509_certificate(request.certificate.encode())
            certificate.verify_directly_issued_by(self.ca_certificate)
        except (InvalidSignature, ValueError, TypeError) as exc:
            raise MessageRejectedError(
                "the key request's certificate is not one this federation's CA issued"
            ) from exc
        if certificate_site_id(certificate) != site:
            raise CallerForbiddenError(
                f"the key request carries the certificate of '{certificate_site_id(certificate)}'; "
                "a site asks for its own copy only"
            )
        sha = certificate_sha256(request.certificate)
        if self.store.key_requests().get(site, ("", ""))[1] != sha:
            self.store.record_key_request(site, request.certificate, sha, self.clock())

    def _holder_of(self, site: str, generation: int) -> KeyGenerationRow:
        row = self.current()
        if generation != row.generation:
            raise RoundError(
                f"key generation {generation} is not the current one ({row.generation}); "
                "fetch the key state again"
            )
        if site != row.holder:
            raise CallerForbiddenError(
                f"site '{row.holder}' makes key generation {generation}, not '{site}'"
            )
        return row

    def accept_public_context(self, site: str, generation: int, message: CkksPublicContext) -> None:
        """The holder's public context of ``generation``, kept once: it must carry no key."""
        row = self._holder_of(site, generation)
        try:
            public = base64.b64decode(message.public_context, validate=True)
            if context_has_secret_key(public):
                raise MessageRejectedError(
                    "this context holds the secret key; send the public context only "
                    "(the coordinator must never hold the key)"
                )
            fingerprint = context_fingerprint(public)
        except (binascii.Error, ValueError, InvalidContextError) as exc:
            raise MessageRejectedError(f"the public context is not readable ({exc})") from exc
        if not self.store.set_public_context(generation, public, fingerprint) and row.fingerprint != fingerprint:
            raise RoundError(f"key generation {generation} already has another public context")
        self._update_ready(self.current())

    def accept_sealed_key(self, site: str, generation: int, recipient: str, body: object) -> None:
        """The holder's sealed copy for ``recipient``: for the certificate it asked with,
        of the context the coordinator holds, and signed by the holder (checked by the
        recipient again, which is what protects it; this check spares it a bad copy)."""
        row = self._holder_of(site, generation)
        try:
            sealed = SealedKey.from_json(body)
        except SealedKeyError as exc:
            raise MessageRejectedError(str(exc)) from exc
        requests = self.store.key_requests()
        if recipient not in row.members or recipient == row.holder or recipient not in requests:
            raise MessageRejectedError(f"'{recipient}' has not asked for key generation {generation}")
        wanted = (self.plan.federation, generation, site, recipient, requests[recipient][1], row.fingerprint)
        found = (sealed.federation, sealed.generation, sealed.sealer, sealed.recipient,
                 sealed.recipient_certificate, sealed.context)
        if found != wanted:
            raise MessageRejectedError(
                "the sealed key is not for this federation, generation, recipient, certificate "
                "and public context"
            )
        self.store.put_sealed_key(generation, recipient, sealed.recipient_certificate,
                                  json.dumps(sealed.to_json()))
        self._update_ready(self.current())

    def sealed_key_for(self, site: str, generation: int) -> object:
        """``site``'s sealed copy of ``generation``'s key (404 while there is none)."""
        sealed = self.store.sealed_keys(generation).get(site)
        if sealed is None:
            raise RoundError(
                f"no sealed copy of key generation {generation} for '{site}' yet; the key "
                "holder seals one after the site asked for it", status=404,
            )
        return json.loads(sealed[1])

    def request_certificates(self) -> dict[str, str]:
        """The certificates the sites asked with (public), for the holder to seal to."""
        return {site: pem for site, (pem, _) in self.store.key_requests().items()}
