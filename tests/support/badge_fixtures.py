"""Real signed badges for the earner/verifier tests.

`award_badge` signs through the issuer's real keys (wrapped with the KEK),
allocates a real revocation bit and stores the Award row, as issuance does.
`foreign_credential` is a badge from somebody else entirely: a fresh did:key
issuer signed by the openbadges library, unknown to this service.
"""
from __future__ import annotations

import copy
import hashlib
import threading
import struct
import uuid
import zlib
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openbadges
from openbadges import did, keys as obkeys
from openbadges.models import (Achievement, AchievementSubject, Criteria, Evidence, Image, OpenBadgeCredential,
                               Profile)
from service.extensions import db
from service.models import utcnow


def tiny_png(rgb=(36, 87, 197), size=8) -> bytes:
    """A valid solid-colour PNG (no imaging library needed)."""
    row = b"\x00" + bytes(rgb) * size
    raw = zlib.compress(row * size)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def badge_class(org, *, name="Fractions Master", image: bytes | None = None, **kw):
    from service.badges.models import BadgeClass

    bc = BadgeClass(organization_id=org.id, name=name, description=f"Awarded for {name.lower()}.",
                    criteria_narrative=kw.pop("criteria", "Score level 3 or above on two fraction tasks."),
                    tags=["math"], alignments=[], result_descriptions=[], issue_mode="auto", **kw)
    db.session.add(bc)
    db.session.flush()
    if image is not None:
        from service.badges import classes

        classes.set_image(bc, image)
    db.session.commit()
    return bc


def award_badge(org, bc, student, *, evidence: list[dict] | None = None, valid_until: datetime | None = None):
    """Issue one signed badge (Data Integrity + VC-JWT) to `student`; returns the Award.

    evidence: [{"url", "sha256" (hex), "name", "artifact_version_id"}], the shape issuance stores.
    """
    from service.badges import issuance, status
    from service.badges.models import Award, StatusListEntry

    award = Award(id=uuid.uuid4(), organization_id=org.id, badge_class_id=bc.id, recipient_id=student.id,
                  award_key=f"test:{bc.id}:{student.id}:{uuid.uuid4()}", status="issued", source="manual",
                  evidence=[dict(e) for e in evidence or []])
    db.session.add(award)
    db.session.flush()
    (status_list, index), = status.allocate(org, "revocation")
    db.session.add(StatusListEntry(status_list_id=status_list.id, award_id=award.id, status_index=index))
    now = utcnow().replace(microsecond=0)
    # The service's own builder and signer (openbadges.issue), not a copy of them.
    signer = issuance.Signer(org, bc)
    unsigned = signer.credential(award.id, student, now, valid_until, [dict(e) for e in evidence or []], [],
                                 status.credential_status(status_list, index))
    award.credential, award.credential_jwt = signer.sign(unsigned)
    award.signing_key_id = signer.di_row.id
    award.issued_at = now
    award.valid_until = valid_until
    db.session.commit()
    return award


def foreign_credential(*, key: obkeys.PrivateKey | None = None, evidence_url: str | None = None,
                       evidence_sha256: str | None = None, name="Open Source Contributor") -> dict:
    """A badge issued elsewhere, by a did:key issuer this service has never heard of."""
    key = key or obkeys.generate("EdDSA")
    issuer_did = did.did_key(key.public_key)
    evidence = [Evidence.for_artifact(evidence_url, evidence_sha256, name="Pull request")] if evidence_url else []
    unsigned = OpenBadgeCredential(
        id=f"urn:uuid:{uuid.uuid4()}", issuer=Profile(id=issuer_did, name="Elsewhere Academy"),
        valid_from=datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1), name=name,
        credential_subject=AchievementSubject.for_email("someone@elsewhere.example", Achievement(
            id=f"urn:uuid:{uuid.uuid4()}", name=name, description="Merged three pull requests.",
            criteria=Criteria(narrative="Three merged pull requests."),
            image=Image(id="https://elsewhere.example/badge.png"))),
        evidence=evidence,
    ).to_json()
    return openbadges.issue(unsigned, key, f"{issuer_did}#{issuer_did[len('did:key:'):]}").credential


def tampered(credential: dict) -> dict:
    """The same credential with the badge name changed after signing."""
    copy_ = copy.deepcopy(credential)
    copy_["credentialSubject"]["achievement"]["name"] = "Something Else Entirely"
    return copy_


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()




class _Handler(BaseHTTPRequestHandler):
    files: dict = {}

    def do_GET(self):  # noqa: N802 (http.server naming)
        found = self.files.get(self.path)
        if found is None:
            self.send_error(404)
            return
        content_type, body = found
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def other_site(files: dict[str, tuple[str, bytes]]):
    """A real HTTP server on 127.0.0.1 playing another issuer's website.

    Yields (origin, "host:port"); the app must list the latter in
    BADGE_FETCH_ALLOW_PRIVATE to fetch from it (loopback is refused otherwise).
    """
    handler = type("Handler", (_Handler,), {"files": files})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        yield f"http://127.0.0.1:{port}", f"127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
