"""Verifying any Open Badge 3.0 credential, ours or anyone's.

`openbadges.verify.verify` does the checking; this module gives it what only
the service knows: our issuers' keys and status lists (read from the database,
never over HTTP to ourselves), a guarded network path for everyone else
(did:key offline, did:web / https through fetch.py), the input forms a visitor
brings (JSON, compact JWT, baked PNG/SVG, a URL), and the extras a person wants
to see: issuer name, badge name/criteria/image, and whether each piece of
evidence still has the digest the issuer signed.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import uuid
from typing import NamedTuple

from openbadges import did
from openbadges.ob2 import display_view as ob2_display_view
from openbadges.verify import verify as ob_verify

from flask import current_app
from sqlalchemy import literal_column

from ..extensions import db, reader_engine
from ..lru import LRU
from ..models import Organization
from . import check_cache, issuer, keys, status_cache, urls
from .fetch import FetchError, fetch, own_path

__all__ = ["InputError", "NetworkResolver", "ServiceResolver", "fetch_status_list", "load_source", "verify_input",
           "verify_source"]

MAX_INPUT_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 256 * 1024
MAX_EVIDENCE_BYTES = 25 * 1024 * 1024
MAX_EVIDENCE_CHECKED = 20
_JSON_ACCEPT = "application/ld+json, application/json, application/did+json, */*;q=0.1"

class InputError(ValueError):
    """What the visitor gave us is not something we can verify (their mistake, said plainly)."""

    def __init__(self, message: str, field: str = "_body"):
        super().__init__(message)
        self.field = field


# -- keys ----------------------------------------------------------------------
def _org_by_slug(slug: str) -> Organization:
    org = issuer.organization_by_slug(slug)
    if org is None:
        raise did.ResolutionError(f"no issuer {slug!r} at this service")
    return org


def _jwt_key_method(slug: str, key_id: str) -> dict:
    # As a verification method whose controller is the issuer DID, so a VC-JWT
    # signed with it is known to be the issuer's (the database says whose key it is).
    org = _org_by_slug(slug)
    row = next((r for r in keys.published_keys(org.id) if r.key_id == key_id), None)
    if row is None:
        raise did.ResolutionError(f"issuer {slug!r} has no published key {key_id!r}")
    jwk = issuer.public_jwk(org, row)
    return {"id": jwk["kid"], "type": "JsonWebKey", "controller": urls.issuer_did(slug), "publicKeyJwk": jwk}


def _jwks() -> dict:
    orgs = {}
    out = []
    for row in keys.published_keys():
        org = orgs.get(row.organization_id) or orgs.setdefault(row.organization_id, row.organization)
        out.append(issuer.public_jwk(org, row))
    return {"keys": out}


class NetworkResolver:
    """did:web and https documents of other issuers, through the guarded fetch.
    ``allow_http``: also plain http, for Open Badges 2.0 documents only (their
    ids are http(s) IRIs); the fetch guard applies all the same."""

    def __init__(self, *, allow_http: bool = False):
        self._schemes = ("https://", "http://") if allow_http else ("https://",)

    def resolve(self, did_or_url: str) -> dict:
        url = did.did_web_url(did_or_url) if did_or_url.startswith("did:web:") else did_or_url
        if not url.startswith(self._schemes):
            raise did.ResolutionError(f"refusing to resolve {url!r}: only https and did:web")
        return _fetch_json(url)


def _fetch_json(url: str) -> dict:
    """A JSON object through the guarded fetch (ours answered by the app itself)."""
    try:
        doc = json.loads(fetch(url, max_bytes=MAX_DOCUMENT_BYTES, accept=_JSON_ACCEPT).body)
    except FetchError as exc:
        raise did.ResolutionError(str(exc)) from None
    except ValueError:
        raise did.ResolutionError(f"{url} did not return JSON") from None
    if not isinstance(doc, dict):
        raise did.ResolutionError(f"{url} did not return a JSON object")
    return doc


class ServiceResolver:
    """Our own issuers from the database; did:key offline; others over the network.

    One instance per verification (its memo lives as long as the request).
    Across requests, did:key documents are cached per process (they follow
    from the identifier alone) and so are our issuers' DID documents, keyed
    by the issuer's published key set, which is read fresh each time in one
    query: a rotation or a revoked key changes that set, so no process ever
    serves a stale document. `expect(credential)` lets that same query also
    read the state of the award and status lists the credential names (see
    `_load_issuer`): verifying one of our awards costs one query."""

    def __init__(self, fallback: did.Resolver | None = None):
        self._fallback = fallback or did.ChainResolver(_CachedDidKeyResolver(), NetworkResolver())
        self._cache: dict[str, dict] = {}
        self._issuers: dict[str, _Issuer | None] = {}
        self._expected: tuple[uuid.UUID | None, tuple[uuid.UUID, ...]] = (None, ())
        self._routes: dict[tuple, uuid.UUID | None] = {}

    def expect(self, credential) -> None:
        """The award and status lists this credential names, if they are ours: read
        with its issuer (no query here; URLs are only parsed)."""
        if not isinstance(credential, dict):
            return
        award_id = self.award_id(credential.get("id"))
        entries = credential.get("credentialStatus")
        lists = []
        for entry in entries if isinstance(entries, list) else [entries]:
            list_id = self.status_list_id(entry.get("statusListCredential") if isinstance(entry, dict) else None)
            if list_id is not None and list_id not in lists:
                lists.append(list_id)
        self._expected = (award_id, tuple(lists[:_MAX_EXPECTED_LISTS]))

    # urls.*_of ask the router: memoized, as one verification asks about the same URLs several times
    def award_id(self, url) -> uuid.UUID | None:
        return self._route(urls.award_id_of, url)

    def status_list_id(self, url) -> uuid.UUID | None:
        return self._route(urls.status_list_id_of, url)

    def _route(self, parse, url):
        if not isinstance(url, str) or url.startswith(("urn:", "did:")):
            return None  # those schemes are never our web URLs: no need to parse them
        key = (parse, url)
        if key not in self._routes:
            self._routes[key] = _parsed_route(parse, url)
        return self._routes[key]

    def resolve(self, did_or_url: str) -> dict:
        if not isinstance(did_or_url, str):
            raise did.ResolutionError("a DID or URL must be a string")
        if did_or_url not in self._cache:
            self._cache[did_or_url] = self._resolve(did_or_url)
        return self._cache[did_or_url]

    def resolve_document(self, url: str) -> dict:
        """An Open Badges 2.0 document (openbadges.ob2_nodes.fetch_document): http or
        https; ours answered by the app itself, others through the guarded fetch."""
        if not isinstance(url, str):
            raise did.ResolutionError("a URL must be a string")
        key = "ob2 " + url
        if key not in self._cache:
            self._cache[key] = (_fetch_json(url) if own_path(url) is not None
                                else NetworkResolver(allow_http=True).resolve(url))
        return self._cache[key]

    def issuer(self, slug: str) -> "_Issuer | None":
        """Our organization with this slug and its published Data Integrity keys, with the
        expected award and status lists when they are this issuer's (one query, memoized)."""
        if slug not in self._issuers:
            self._issuers[slug] = _load_issuer(slug, *self._expected)
        return self._issuers[slug]

    def award_state(self, credential: dict) -> "_AwardState | None":
        """Status of our award behind this credential's id, when its issuer is our
        organization that made it (None: not ours, or no such award)."""
        award_id = self.award_id(credential.get("id"))
        found = self._our_issuer(credential.get("issuer")) if award_id is not None else None
        if found is None:
            return None
        if award_id in found.awards:
            return found.awards[award_id]
        from .models import Award

        row = db.session.execute(_award_state_query().where(Award.id == award_id,
                                                            Award.organization_id == found.id)).first()
        return _AwardState(row[0], row[1], bool(row[2])) if row is not None else None

    def status_list_state(self, list_id: uuid.UUID) -> "tuple[_ListState, _Issuer] | None":
        """Version of our status list and its issuer (with that issuer's published keys)."""
        for found in self._issuers.values():
            if found is not None and list_id in found.lists:
                return found.lists[list_id], found
        from .models import StatusList

        row = db.session.execute(db.select(StatusList.version, StatusList.updated_at, Organization.slug)
                                 .join(Organization, Organization.id == StatusList.organization_id)
                                 .where(StatusList.id == list_id)).first()
        found = self.issuer(row.slug) if row is not None else None
        return (_ListState(row.version, row.updated_at), found) if found is not None else None

    def _our_issuer(self, issuer_id) -> "_Issuer | None":
        issuer_id = issuer_id.get("id") if isinstance(issuer_id, dict) else issuer_id
        slug = urls.issuer_slug_of(issuer_id) if isinstance(issuer_id, str) else None
        return self.issuer(slug) if slug is not None else None

    def published_keys(self, issuer_id) -> tuple | None:
        """Our issuer's published key set for its DID (None: not one of ours)."""
        found = self._our_issuer(issuer_id)
        return found.keys if found is not None else None

    def _resolve(self, ref: str) -> dict:
        if ref.startswith("did:key:"):  # never one of ours (did:web) nor a URL: skip the URL parsing
            return self._fallback.resolve(ref)
        slug = urls.issuer_slug_of(ref)
        if slug is not None:
            return self._did_document(slug)
        if ref.startswith(urls.issuer_did("x")[:-1]):
            raise did.ResolutionError(f"{ref!r} is not an issuer DID of this service")
        if own_path(ref) is None:
            return self._fallback.resolve(ref)
        found = urls.key_document_of(ref)
        if found is not None and found.kind == "did":
            return self._did_document(found.slug)
        if found is not None and found.kind == "jwk":
            return _jwt_key_method(found.slug, found.key_id)
        if found is not None and found.kind == "jwks":
            return _jwks()
        raise did.ResolutionError(f"{ref!r} is not a key or DID document of this service")

    def _did_document(self, slug: str) -> dict:
        found = self.issuer(slug)
        if found is None:
            raise did.ResolutionError(f"no issuer {slug!r} at this service")
        return _issuer_did_document(urls.issuer_did(slug), urls.issuer_profile_url(slug), found.keys)


_MAX_EXPECTED_LISTS = 4  # a credential names one or two; more are looked up one by one

# What our URLs name, per app and PUBLIC_BASE_URL: the router's answer for a URL never changes
# while they stay the same (it says which row an id names, not whether the row exists), and
# asking it costs more than the rest of a repeated verification's URL handling.
_ROUTE_MEMO_MAX = 4096
_NOT_OURS = object()


def _parsed_route(parse, url: str):
    memo = current_app.extensions.get("badges.routes")
    if memo is None:
        memo = current_app.extensions.setdefault("badges.routes", LRU(_ROUTE_MEMO_MAX))
    key = (parse, current_app.config["PUBLIC_BASE_URL"], url)
    found = memo.get(key)
    if found is None:
        found = parse(url)
        memo.put(key, _NOT_OURS if found is None else found)
        return found
    return None if found is _NOT_OURS else found


class _AwardState(NamedTuple):
    status: str
    reason: str | None
    reason_public: bool


class _ListState(NamedTuple):
    """What changes whenever a status list is re-signed (status.resign): the cache key of its report."""
    version: int
    updated_at: object


class _Issuer(NamedTuple):
    id: uuid.UUID
    slug: str
    name: str
    keys: tuple  # ((key_id, public_key_multibase), ...) published Ed25519 keys, oldest first
    awards: dict  # {award id: _AwardState}: the expected award, when it is this issuer's
    lists: dict  # {status list id: _ListState}: the expected lists that are this issuer's


@functools.cache
def _issuer_query():
    """Issuer, published keys, and the state of one award and a few status lists of
    that issuer, in one statement (built once; the ids are bound parameters, a fixed
    number of them: an expanding IN is re-rendered at every execution)."""
    from .models import Award, IssuerKey, StatusList

    return (db.select(Organization.id, Organization.name, IssuerKey.key_id, IssuerKey.public_key_multibase,
                      Award.id, Award.status, Award.status_reason, Award.status_reason_public,
                      StatusList.id, StatusList.version, StatusList.updated_at)
            .select_from(Organization)
            .outerjoin(IssuerKey, (IssuerKey.organization_id == Organization.id)
                       & IssuerKey.status.in_([literal_column("'active'"), literal_column("'retired'")])
                       & (IssuerKey.algorithm == literal_column("'EdDSA'"))
                       & IssuerKey.public_key_multibase.is_not(None))
            .outerjoin(Award, (Award.id == db.bindparam("award_id", type_=Award.id.type))
                       & (Award.organization_id == Organization.id))
            .outerjoin(StatusList, StatusList.id.in_([db.bindparam(f"list_{n}", type_=StatusList.id.type)
                                                      for n in range(_MAX_EXPECTED_LISTS)])
                       & (StatusList.organization_id == Organization.id))
            .where(Organization.slug == db.bindparam("slug"))
            .order_by(IssuerKey.created_at, IssuerKey.key_id))


def _load_issuer(slug: str, award_id: uuid.UUID | None = None, list_ids: tuple = ()) -> _Issuer | None:
    params = {"slug": slug, "award_id": award_id}
    for n in range(_MAX_EXPECTED_LISTS):  # unused ones NULL: `id IN (x, NULL)` matches x only
        params[f"list_{n}"] = list_ids[n] if n < len(list_ids) else None
    # A plain Core statement on a pooled connection taken for just this statement (as
    # extensions.read_first): no ORM session begun, so none to end after the request; on
    # PostgreSQL the autocommit reader pool, so no BEGIN and ROLLBACK round trips. It reads
    # what is committed, which is all a verification may go by.
    with reader_engine().connect() as connection:
        rows = connection.execute(_issuer_query(), params).all()
    if not rows:
        return None
    keys: dict = {}
    awards: dict = {}
    lists: dict = {}
    for _org, _name, key_id, mb, a_id, a_status, a_reason, a_public, l_id, l_version, l_updated in rows:
        if key_id:
            keys.setdefault(key_id, mb)
        if a_id is not None:
            awards[a_id] = _AwardState(a_status, a_reason, bool(a_public))
        if l_id is not None:
            lists[l_id] = _ListState(l_version, l_updated)
    # an expected award that is not this issuer's: known not to be ours, no second look-up
    if award_id is not None and award_id not in awards:
        awards[award_id] = None
    return _Issuer(rows[0][0], slug, rows[0][1], tuple(keys.items()), awards, lists)


@functools.cache
def _award_state_query():
    from .models import Award

    return db.select(Award.status, Award.status_reason, Award.status_reason_public)


@functools.lru_cache(maxsize=256)
def _issuer_did_document(issuer_did: str, profile_url: str, published: tuple) -> dict:
    """What issuer.did_document builds, for this exact key set (the cache key).
    Callers only read it (openbadges.did.dereference copies what it returns)."""
    from openbadges.keys import PublicKey

    doc = did.did_document(issuer_did, [PublicKey.from_multikey(mb) for _, mb in published],
                           fragments=[key_id for key_id, _ in published])
    doc["alsoKnownAs"] = [profile_url]
    return doc


class _CachedDidKeyResolver(did.DidKeyResolver):
    def resolve(self, did_or_url: str) -> dict:
        if not isinstance(did_or_url, str) or not did_or_url.startswith("did:key:"):
            return super().resolve(did_or_url)
        return _did_key_document(did_or_url)


@functools.lru_cache(maxsize=4096)
def _did_key_document(ref: str) -> dict:
    return did.did_key_document(ref)


# -- status lists --------------------------------------------------------------
def fetch_status_list(url: str, resolver: ServiceResolver | None = None):
    """The status list credential at ``url``: ours from the database, others fetched.
    With the request's `resolver`, ours comes back as its (per-process cached)
    verification report: see status_cache.py."""
    if own_path(url) is not None:
        list_id = resolver.status_list_id(url) if resolver is not None else urls.status_list_id_of(url)
        if list_id is not None and resolver is not None:
            known = resolver.status_list_state(list_id)
            if known is not None:
                state, found = known
                return status_cache.own_list_report((list_id, state.version, state.updated_at, found.slug, found.keys),
                                                    urls.issuer_did(found.slug),
                                                    functools.partial(_load_status_list, list_id), resolver)
        row = _load_status_list(list_id) if list_id is not None else None
        if row is None:
            raise FetchError(f"this service publishes no status list at {url}")
        return row[0]
    fetched = fetch(url, max_bytes=MAX_INPUT_BYTES, accept="application/vc+ld+json, application/json, "
                                                           "application/vc+jwt, */*;q=0.1")
    text = fetched.body.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        return json.loads(text)
    return text  # a VC-JWT status list; openbadges.verify parses it


def _load_status_list(list_id: uuid.UUID) -> tuple | None:
    """(signed list credential, version, updated_at) of our status list, None if there is none."""
    from .models import StatusList

    row = db.session.execute(db.select(StatusList.credential, StatusList.version, StatusList.updated_at)
                             .where(StatusList.id == list_id)).first()
    return tuple(row) if row is not None and row[0] is not None else None


# -- input ---------------------------------------------------------------------
def _own_credential(url: str):
    """Our credential (the signed JSON) for credential_url() or badge_page_url(), whatever its status."""
    from .models import Award

    award_id = urls.award_id_of(url)
    if award_id is None:
        return None
    award = db.session.get(Award, award_id)
    if award is None or award.credential is None:
        raise InputError("this service has no issued credential at that address", "url")
    return award.credential


# Other features verify more than badges: `SOURCE_HOOKS` map one of our own URLs to the
# signed credential behind it (e.g. a transcript share link); `REPORT_HOOKS(body, credential)`
# add their checks to every report (e.g. a CLR's embedded credentials and consistency).
SOURCE_HOOKS: list = []
REPORT_HOOKS: list = []


def load_source(*, credential=None, jwt: str | None = None, url: str | None = None,
                upload: bytes | None = None):
    """Exactly one input -> what openbadges.verify takes (dict, JSON/JWT text or image bytes)."""
    given = [name for name, value in (("credential", credential), ("jwt", jwt), ("url", url), ("file", upload))
             if value not in (None, "", b"")]
    if len(given) != 1:
        raise InputError("give exactly one of: credential JSON, a compact JWT, a URL, or a baked image"
                         if given else "nothing to verify: paste a credential, upload a badge image or give a URL")
    if credential is not None:
        if isinstance(credential, str):
            if len(credential.encode("utf-8", errors="replace")) > MAX_INPUT_BYTES:
                raise InputError("the credential is larger than 10 MiB", "credential")
            return credential.strip()
        if not isinstance(credential, dict):
            raise InputError("credential must be a JSON object (or its text)", "credential")
        return credential
    if jwt is not None:
        if not isinstance(jwt, str) or len(jwt) > MAX_INPUT_BYTES:
            raise InputError("jwt must be a compact JWS string under 10 MiB", "jwt")
        return jwt.strip()
    if upload is not None:
        if len(upload) > MAX_INPUT_BYTES:
            raise InputError("the uploaded file is larger than 10 MiB", "file")
        return bytes(upload)
    if not isinstance(url, str) or not re.match(r"^https?://", url.strip(), re.I):
        raise InputError("url must be an http or https URL", "url")
    url = url.strip()
    if own_path(url) is not None:
        own = _own_credential(url)
        if own is not None:
            return own
        for hook in SOURCE_HOOKS:
            own = hook(url)
            if own is not None:
                return own
    try:
        fetched = fetch(url, max_bytes=MAX_INPUT_BYTES, accept="application/ld+json, application/json, "
                                                           "application/vc+jwt, image/png, image/svg+xml, */*;q=0.1")
    except FetchError as exc:
        raise InputError(str(exc), "url") from None
    return fetched.body


# -- the full report -----------------------------------------------------------
def _text(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):  # a language map or an object with a name
        return value.get("name") or value.get("@value") or next((v for v in value.values() if isinstance(v, str)), None)
    return None


def _image_url(value) -> str | None:
    url = value.get("id") if isinstance(value, dict) else value
    return url if isinstance(url, str) and re.match(r"^(https?://|data:image/)", url) else None


def _issuer_summary(credential: dict, resolver: ServiceResolver) -> dict:
    issuer = credential.get("issuer")
    info = issuer if isinstance(issuer, dict) else {"id": issuer}
    summary = {"id": info.get("id") if isinstance(info.get("id"), str) else None, "name": _text(info.get("name")),
               "url": info.get("url") if isinstance(info.get("url"), str) else None,
               "image": _image_url(info.get("image")), "ours": False}
    # our issuers are did:web (urls.issuer_did): a did:key or https issuer is never looked up
    slug = urls.issuer_slug_of(summary["id"]) if summary["id"] and summary["id"].startswith("did:web:") else None
    if slug is not None:
        org = resolver.issuer(slug)
        if org is not None:
            summary["ours"] = True
            summary["name"] = summary["name"] or org.name
            summary["profile_url"] = urls.issuer_profile_url(org.slug)
    return summary


def _badge_summary(credential: dict) -> dict:
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    achievement = achievement if isinstance(achievement, dict) else {}
    criteria = achievement.get("criteria") if isinstance(achievement.get("criteria"), dict) else {}
    return {
        "credential_id": credential.get("id") if isinstance(credential.get("id"), str) else None,
        "name": _text(achievement.get("name")) or _text(credential.get("name")),
        "description": _text(achievement.get("description")),
        "achievement_id": achievement.get("id") if isinstance(achievement.get("id"), str) else None,
        "achievement_type": achievement.get("achievementType"),
        "criteria": {"narrative": _text(criteria.get("narrative")),
                     "url": criteria.get("id") if isinstance(criteria.get("id"), str) else None},
        "image": _image_url(achievement.get("image")) or _image_url(credential.get("image")),
        "valid_from": credential.get("validFrom") or credential.get("issuanceDate"),
        "valid_until": credential.get("validUntil") or credential.get("expirationDate"),
    }


_SRI = re.compile(r"^(sha256|sha384|sha512)-([A-Za-z0-9+/=]+)$")


def _own_artifact_digest(url: str) -> str | None:
    """Hex SHA-256 the portfolio stored for one of our artifact versions, if it is one.
    (Artifacts are usually private: the stored digest is checked, not fetched.)"""
    found = urls.artifact_version_of(url)
    if found is None:
        return None
    from ..portfolio.models import ArtifactVersion

    artifact_id, number = found
    version = db.session.scalar(db.select(ArtifactVersion).where(
        ArtifactVersion.artifact_id == artifact_id, ArtifactVersion.number == number))
    if version is None:
        raise FetchError("the artifact version no longer exists")
    if version.blob_digest is None:
        raise FetchError("the artifact version is a link, it has no stored content")
    return version.blob_digest


def _check_evidence(entry) -> dict:
    out = {"id": None, "name": None, "status": "skipped", "message": "no digestSRI: nothing to compare"}
    if not isinstance(entry, dict):
        return dict(out, status="warning", message="evidence entry is not an object")
    out["id"] = entry.get("id") if isinstance(entry.get("id"), str) else None
    out["name"] = _text(entry.get("name"))
    sri = entry.get("digestSRI")
    if not isinstance(sri, str):
        return out
    match = _SRI.match(sri.strip())
    if not match:
        return dict(out, status="fail", message=f"digestSRI {sri!r} is not sha256/384/512 base64")
    algorithm, expected = match.group(1), match.group(2)
    try:
        expected_bytes = base64.b64decode(expected, validate=True)
    except ValueError:
        return dict(out, status="fail", message="digestSRI is not valid base64")
    if not out["id"]:
        return dict(out, status="warning", message="evidence has a digest but no URL to check it against")
    try:
        stored = _own_artifact_digest(out["id"]) if algorithm == "sha256" else None
        if stored is not None:
            actual = bytes.fromhex(stored)
        else:
            body = fetch(out["id"], max_bytes=MAX_EVIDENCE_BYTES).body
            actual = hashlib.new(algorithm, body).digest()
    except FetchError as exc:
        return dict(out, status="warning", message=f"evidence not reachable, digest not checked: {exc}")
    if actual != expected_bytes:
        return dict(out, status="fail", message=f"evidence at {out['id']} has changed: its {algorithm} "
                                                "digest differs from the one in the credential")
    return dict(out, status="pass", message=f"evidence unchanged ({algorithm} digest matches)")


def _own_status(credential: dict, status: str, resolver: ServiceResolver) -> str | None:
    """Our award's status when it is ``status`` (suspended, revoked), as the issuer says it.
    Older credentials carry only a revocation entry, so their suspension is known
    only from the award; newer ones carry one suspension entry that a revocation
    also sets, which the status list alone cannot tell from a suspension."""
    award = resolver.award_state(credential)
    if award is not None and award.status == status:
        reason = f": {award.reason}" if award.reason and award.reason_public else ""
        return f"credential is {status} by its issuer{reason}"
    return None


def _recipient_summary(credential: dict) -> dict:
    """Who the credential was issued to, as far as it says: its subject id and
    identifiers (a hashed e-mail is shown as hashed, never guessed)."""
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    subject = subject if isinstance(subject, dict) else {}
    identifiers = []
    for entry in subject.get("identifier") or []:
        if isinstance(entry, dict):
            hashed = entry.get("hashed") is True
            identifiers.append({"type": entry.get("identityType"), "hashed": hashed,
                                "value": None if hashed else entry.get("identityHash")})
    return {"id": subject.get("id") if isinstance(subject.get("id"), str) else None, "identifiers": identifiers}


def verify_source(source, recipient: str | None = None) -> dict:
    """Full report for a loaded input: openbadges' checks plus issuer, badge and evidence.

    ``conformant``: every check passed except possibly key_binding (what 1EdTech's
    validator asserts); ``verified``: conformant AND the key is bound to the issuer.
    Only a verified credential is said to be ours or shown as the issuer's."""
    source = _json_object(source)
    resolver = ServiceResolver()
    resolver.expect(source)
    report = ob_verify(source, resolver=resolver, status_fetcher=functools.partial(fetch_status_list, resolver=resolver),
                       recipient=recipient, memo=check_cache.CheckMemo(resolver))
    body = report.to_dict()
    credential = report.credential if isinstance(report.credential, dict) else None
    # an OB 2.0 assertion names its badge and issuer by URL: show the documents fetched to verify it
    view = ob2_display_view(credential, report.documents) if credential and report.documents else credential
    body["issuer"] = _issuer_summary(view, resolver) if view else None
    body["badge"] = _badge_summary(view) if view else None
    body["recipient"] = _recipient_summary(view) if view else None
    body["evidence"] = []
    proof = report.check("proof")
    if credential and proof is not None and proof.status in ("pass", "warning"):
        entries = credential.get("evidence") or []
        entries = entries if isinstance(entries, list) else [entries]
        for entry in entries[:MAX_EVIDENCE_CHECKED]:
            result = _check_evidence(entry)
            body["evidence"].append(result)
            if result["status"] != "skipped":
                body["checks"].append({"check": "evidence", "status": result["status"],
                                       "message": result["message"]})
        if len(entries) > MAX_EVIDENCE_CHECKED:
            body["checks"].append({"check": "evidence", "status": "warning",
                                   "message": f"only the first {MAX_EVIDENCE_CHECKED} evidence entries were checked"})
    if credential and proof is not None and proof.status in ("pass", "warning") and report.verified:
        suspended = _own_status(credential, "suspended", resolver)  # only a credential proven ours is looked up as ours
        if suspended:
            body["checks"].append({"check": "status", "status": "fail", "message": suspended})
    binding = report.check("key_binding")
    if credential and binding is not None and binding.status == "pass":  # signed by our issuer's key
        revoked = _own_status(credential, "revoked", resolver)
        for c in body["checks"] if revoked else ():
            if c["check"] == "status" and c["status"] == "fail":
                # a revocation sets the one suspension entry for good: don't tell a college "suspended"
                seen = re.fullmatch(r"credential is suspended \((.*)\)", c["message"])
                detail = f"set for good in its suspension entry: {seen.group(1)}" if seen else c["message"]
                c["message"] = f"{revoked} ({detail})"
    for hook in REPORT_HOOKS:
        hook(body, credential)
    body["conformant"] = report.conformant and not any(
        c["status"] == "fail" for c in body["checks"] if c["check"] != "key_binding")
    body["verified"] = body["conformant"] and report.verified
    if body["issuer"] is not None and not body["verified"]:
        body["issuer"]["ours"] = False  # a name in a credential is a claim until the key proves it
        body["issuer"].pop("profile_url", None)
    body["credential"] = credential
    return body


def _json_object(source):
    """JSON object text (a pasted credential) as the dict openbadges.verify would parse it
    into, so that our award's state can be read with its issuer; anything else unchanged."""
    if isinstance(source, str):
        text = source.strip().lstrip("\ufeff")
        if text.startswith("{"):
            try:
                parsed = json.loads(text)
            except (ValueError, RecursionError):
                return source  # openbadges.verify reports it
            return parsed if isinstance(parsed, dict) else source
    return source


def verify_input(*, recipient: str | None = None, **inputs) -> dict:
    """load_source + verify_source; bad input raises InputError. ``recipient``:
    the applicant's e-mail (or subject id) to check against the credential."""
    if recipient is not None and (not isinstance(recipient, str) or len(recipient) > 320):
        raise InputError("recipient must be an e-mail address or identifier of at most 320 characters", "recipient")
    return verify_source(load_source(**inputs), (recipient or "").strip() or None)
