"""Forged credentials must never verify: not through POST /api/v1/verify, not
on the verification page (never a green "Verified"), not in the library.

A valid signature proves only that *some* key signed. Each attack below has a
signature that may well be valid; what makes it a forgery is that the key is
not the issuer's (or the signature is not real). Two outcomes are acceptable:
- ``refused``: a check 1EdTech's validator makes fails (verified and conformant false);
- ``unproven``: 1EdTech would call it valid (the specification lets a VC-JWT
  carry its own key) but the key is not bound to the issuer: verified false,
  ``key_binding`` fails, the page shows amber "Signature valid, issuer not proven".

Other issuers' https and did:web documents are answered by an injected
resolver (the network stand-in, as 1EdTech's tests do); status lists are
served by a real HTTP server on loopback.
"""
from __future__ import annotations

import contextlib
import json

import pytest

from openbadges import data_integrity, did
from openbadges import jwt as vcjwt
from openbadges import keys as obkeys
from openbadges.status_list import status_entry
from service.badges import urls, verification
from tests.security import forgery as f
from tests.support import badge_fixtures as bf


@pytest.fixture
def ours(factory):
    school = factory.school()
    bc = bf.badge_class(school["org"])
    award = bf.award_badge(school["org"], bc, school["s1"])
    header = vcjwt.decode_unverified(award.credential_jwt)[0]
    resolver = verification.ServiceResolver()
    jwt_key = vcjwt._key_from_kid(header["kid"], resolver)
    return {"org": school["org"], "award": award, "did": urls.issuer_did(school["org"].slug),
            "kid": header["kid"], "jwt_key": jwt_key, "vm": award.credential["proof"][0]["verificationMethod"]}


class Web:
    """Documents other hosts serve over https (did:web DID documents, JWKS, keys)."""

    def __init__(self):
        self.docs: dict[str, dict] = {}

    def serve(self, ref: str, doc: dict) -> None:
        self.docs[ref] = doc

    def resolve(self, ref: str) -> dict:
        url = did.did_web_url(ref) if ref.startswith("did:web:") else ref
        for key in (ref, url):
            if key in self.docs:
                return self.docs[key]
        raise did.ResolutionError(f"{url} answered HTTP 404")


@pytest.fixture
def web(monkeypatch):
    internet = Web()
    monkeypatch.setattr(verification.NetworkResolver, "resolve", lambda self, ref: internet.resolve(ref))
    return internet


@pytest.fixture
def stack():
    with contextlib.ExitStack() as s:
        yield s


def _jwk_vm(vm_id: str, controller: str, key: obkeys.PrivateKey) -> dict:
    return {"id": vm_id, "type": "JsonWebKey", "controller": controller, "publicKeyJwk": key.public_key.to_jwk()}


# -- the attacks: each returns (input for verify, expected outcome) ------------------------------
def jwk_header_naming_our_issuer(ours, web, app, stack):
    attacker = obkeys.generate("RS256")
    forged = f.unsigned_copy(ours["award"].credential)
    return {"jwt": vcjwt.sign(forged, attacker)}, "unproven"


def jwk_header_naming_a_foreign_https_issuer(ours, web, app, stack):
    attacker = obkeys.generate("RS256")
    return {"jwt": vcjwt.sign(f.credential("https://college.example/issuers/1"), attacker)}, "unproven"


def jwk_header_naming_a_foreign_did_web_issuer(ours, web, app, stack):
    college, attacker = obkeys.generate(), obkeys.generate()
    web.serve("did:web:college.example", did.did_document("did:web:college.example", [college.public_key],
                                                          fragments=["key-1"]))
    return {"jwt": vcjwt.sign(f.credential("did:web:college.example"), attacker)}, "unproven"


def jwk_header_of_our_real_key_with_attacker_signature(ours, web, app, stack):
    # header claims our public key; the signature is the attacker's: signature fails
    attacker = obkeys.generate("RS256")
    forged = f.unsigned_copy(ours["award"].credential)
    return {"jwt": f.jwt_with(forged, attacker, jwk=ours["jwt_key"].to_jwk())}, "refused"


def kid_on_another_origin_claiming_our_issuer(ours, web, app, stack):
    attacker = obkeys.generate("RS256")
    kid = "https://evil.example/keys/1"
    web.serve(kid, _jwk_vm(kid, ours["did"], attacker))
    forged = f.unsigned_copy(ours["award"].credential)
    return {"jwt": f.jwt_with(forged, attacker, kid=kid)}, "unproven"


def kid_jwks_on_another_origin(ours, web, app, stack):
    attacker = obkeys.generate("ES256")
    jwks = "https://evil.example/.well-known/jwks.json"
    web.serve(jwks, {"keys": [dict(attacker.public_key.to_jwk(), kid="k1")]})
    return {"jwt": f.jwt_with(f.credential("https://college.example/issuers/1"), attacker,
                              kid=jwks + "#k1")}, "unproven"


def did_web_issuer_with_key_served_by_another_host(ours, web, app, stack):
    college, attacker = obkeys.generate(), obkeys.generate()
    web.serve("did:web:college.example", did.did_document("did:web:college.example", [college.public_key],
                                                          fragments=["key-1"]))
    # evil.example's DID document lists the attacker key, claiming college as its controller
    evil = did.did_document("did:web:evil.example", [attacker.public_key], fragments=["key-1"])
    evil["verificationMethod"][0]["controller"] = "did:web:college.example"
    web.serve("did:web:evil.example", evil)
    return {"jwt": f.jwt_with(f.credential("did:web:college.example"), attacker,
                              kid="did:web:evil.example#key-1")}, "unproven"


def did_web_issuer_with_https_key_on_another_host(ours, web, app, stack):
    college, attacker = obkeys.generate(), obkeys.generate("RS256")
    web.serve("did:web:college.example", did.did_document("did:web:college.example", [college.public_key],
                                                          fragments=["key-1"]))
    kid = "https://college.example.evil.example/keys/1"  # a look-alike host
    web.serve(kid, _jwk_vm(kid, "did:web:college.example", attacker))
    return {"jwt": f.jwt_with(f.credential("did:web:college.example"), attacker, kid=kid)}, "unproven"


def kid_of_another_school_on_our_host(ours, web, app, stack):
    # another issuer of this service signs in riverside's name with its own (published) key
    from service.badges import keys as service_keys
    from tests.support.factory import Factory

    other = Factory(app).org(name="Other School")
    rows = service_keys.ensure_keys(other)
    key = service_keys.private_key(rows["jwt"])
    forged = f.unsigned_copy(ours["award"].credential)
    return {"jwt": f.jwt_with(forged, key, kid=urls.jwt_kid(other.slug, rows["jwt"].key_id))}, "unproven"


def hs256_keyed_with_our_public_key(ours, web, app, stack):
    forged = f.unsigned_copy(ours["award"].credential)
    return {"jwt": f.hs256_with_public_key(forged, ours["jwt_key"], ours["kid"])}, "refused"


def alg_none(ours, web, app, stack):
    return {"jwt": f.alg_none(f.unsigned_copy(ours["award"].credential), ours["kid"])}, "refused"


def alg_none_without_kid(ours, web, app, stack):
    return {"jwt": f.alg_none(f.unsigned_copy(ours["award"].credential))}, "refused"


def eddsa_header_for_our_rsa_kid(ours, web, app, stack):
    attacker = obkeys.generate("EdDSA")
    forged = f.unsigned_copy(ours["award"].credential)
    return {"jwt": f.jwt_with(forged, attacker, alg="EdDSA", kid=ours["kid"])}, "refused"


def eddsa_header_with_rsa_jwk(ours, web, app, stack):
    attacker = obkeys.generate("RS256")
    forged = f.unsigned_copy(ours["award"].credential)
    return {"jwt": f.jwt_with(forged, attacker, alg="EdDSA", jwk=attacker.public_key.to_jwk())}, "refused"


def data_integrity_method_of_another_did(ours, web, app, stack):
    attacker = obkeys.generate()
    # a real signature by the attacker's did:key: conformant (1EdTech calls it valid), never verified
    return {"credential": f.di_sign_did_key(f.unsigned_copy(ours["award"].credential), attacker)}, "unproven"


def data_integrity_method_on_another_host_claiming_our_issuer(ours, web, app, stack):
    attacker = obkeys.generate()
    evil = did.did_document("did:web:evil.example", [attacker.public_key], fragments=["key-1"])
    evil["verificationMethod"][0]["controller"] = ours["did"]
    web.serve("did:web:evil.example", evil)
    signed = data_integrity.sign(f.unsigned_copy(ours["award"].credential), attacker, "did:web:evil.example#key-1")
    return {"credential": signed}, "refused"


def data_integrity_https_method_claiming_a_foreign_https_issuer(ours, web, app, stack):
    attacker = obkeys.generate()
    vm = "https://evil.example/keys#key-1"
    web.serve("https://evil.example/keys", {"id": "https://evil.example/keys", "verificationMethod": [
        {"id": vm, "type": "Multikey", "controller": "https://college.example/issuers/1",
         "publicKeyMultibase": attacker.public_key.multikey}]})
    web.serve("https://college.example/issuers/1", {"id": "https://college.example/issuers/1",
                                                    "type": ["Profile"], "name": "College"})
    signed = data_integrity.sign(f.credential("https://college.example/issuers/1"), attacker, vm)
    return {"credential": signed}, "refused"


def our_credential_with_issuer_swapped(ours, web, app, stack):
    from tests.support.factory import Factory

    other = Factory(app).org(name="Other School")
    swapped = json.loads(json.dumps(ours["award"].credential))
    swapped["issuer"]["id"] = urls.issuer_did(other.slug)
    return {"credential": swapped}, "refused"


def our_jwt_with_issuer_swapped(ours, web, app, stack):
    header, claims, _, signature = vcjwt.decode_unverified(ours["award"].credential_jwt)
    claims["iss"] = "did:web:college.example"
    claims["vc"]["issuer"]["id"] = "did:web:college.example"
    token = f.b64u(json.dumps(header).encode()) + "." + f.b64u(json.dumps(claims).encode()) + "." + f.b64u(signature)
    return {"jwt": token}, "refused"


def foreign_credential_with_issuer_swapped_to_ours(ours, web, app, stack):
    foreign = bf.foreign_credential()
    foreign["issuer"]["id"] = ours["did"]
    return {"credential": foreign}, "refused"


def _status_site(app, stack, files):
    origin, hostport = stack.enter_context(bf.other_site(files))
    app.config["BADGE_FETCH_ALLOW_PRIVATE"] = [hostport]
    return origin


def status_list_signed_by_someone_else_as_jwt(ours, web, app, stack):
    # A revoked did:key credential; the list served for it says "all clear" and
    # names the issuer, but is signed by the attacker (jwk header).
    issuer_key, attacker = obkeys.generate(), obkeys.generate("RS256")
    issuer = did.did_key(issuer_key.public_key)
    files: dict = {}
    origin = _status_site(app, stack, files)
    url = f"{origin}/status/1"
    files["/status/1"] = ("application/vc+jwt", vcjwt.sign(f.status_list(issuer, url), attacker).encode())
    cred = f.credential(issuer, status=status_entry(list_credential_url=url, index=7, purpose="revocation"))
    return {"credential": f.di_sign_did_key(cred, issuer_key)}, "refused"


def status_list_signed_by_someone_else_with_data_integrity(ours, web, app, stack):
    issuer_key, attacker = obkeys.generate(), obkeys.generate()
    issuer = did.did_key(issuer_key.public_key)
    files: dict = {}
    origin = _status_site(app, stack, files)
    url = f"{origin}/status/1"
    files["/status/1"] = ("application/json", json.dumps(f.di_sign_did_key(f.status_list(issuer, url),
                                                                            attacker)).encode())
    cred = f.credential(issuer, status=status_entry(list_credential_url=url, index=7, purpose="revocation"))
    return {"credential": f.di_sign_did_key(cred, issuer_key)}, "refused"


ATTACKS = [
    jwk_header_naming_our_issuer,
    jwk_header_naming_a_foreign_https_issuer,
    jwk_header_naming_a_foreign_did_web_issuer,
    jwk_header_of_our_real_key_with_attacker_signature,
    kid_on_another_origin_claiming_our_issuer,
    kid_jwks_on_another_origin,
    did_web_issuer_with_key_served_by_another_host,
    did_web_issuer_with_https_key_on_another_host,
    kid_of_another_school_on_our_host,
    hs256_keyed_with_our_public_key,
    alg_none,
    alg_none_without_kid,
    eddsa_header_for_our_rsa_kid,
    eddsa_header_with_rsa_jwk,
    data_integrity_method_of_another_did,
    data_integrity_method_on_another_host_claiming_our_issuer,
    data_integrity_https_method_claiming_a_foreign_https_issuer,
    our_credential_with_issuer_swapped,
    our_jwt_with_issuer_swapped,
    foreign_credential_with_issuer_swapped_to_ours,
    status_list_signed_by_someone_else_as_jwt,
    status_list_signed_by_someone_else_with_data_integrity,
]


def _check(report, name):
    return next((c for c in report["checks"] if c["check"] == name), None)


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.__name__ for a in ATTACKS])
def test_forgery_is_not_verified_by_the_api(attack, client, app, ours, web, stack):
    given, outcome = attack(ours, web, app, stack)
    response = client.post("/api/v1/verify", json=given)
    assert response.status_code == 200, response.get_data(as_text=True)
    report = response.json
    assert report["verified"] is False, report["checks"]
    assert not (report["issuer"] or {}).get("ours"), report["issuer"]
    if outcome == "unproven":
        assert report["conformant"] is True, report["checks"]
        assert report["key_binding"]["bound"] is False
        assert _check(report, "key_binding")["status"] == "fail"
        assert "issuer not proven" in _check(report, "key_binding")["message"]
    else:
        assert report["conformant"] is False, report["checks"]


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.__name__ for a in ATTACKS])
def test_forgery_is_never_green_on_the_page(attack, client, app, ours, web, stack):
    given, outcome = attack(ours, web, app, stack)
    text = given.get("jwt") or json.dumps(given["credential"])
    response = client.post("/verify", data={"credential": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "✔ Verified" not in html and 'data-verdict="verified"' not in html
    if outcome == "unproven":
        assert "Signature valid, issuer not proven" in html and 'data-verdict="unproven"' in html
        assert 'data-check="key_binding" data-status="fail"' in html
    else:
        assert "✘ Not verified" in html and 'data-verdict="failed"' in html


# -- what must still verify (the suite is not passing by refusing everything) -------------------
def test_our_credentials_verify_with_their_key_binding(client, ours, web):
    for given in ({"credential": ours["award"].credential}, {"jwt": ours["award"].credential_jwt}):
        report = client.post("/api/v1/verify", json=given).json
        assert report["verified"] is True and report["conformant"] is True, report["checks"]
        assert report["issuer"]["ours"] is True
        assert _check(report, "key_binding")["status"] == "pass"
    jwt_report = client.post("/api/v1/verify", json={"jwt": ours["award"].credential_jwt}).json
    assert jwt_report["key_binding"]["how"] == "issuer-origin"
    di_report = client.post("/api/v1/verify", json={"credential": ours["award"].credential}).json
    assert di_report["key_binding"]["how"] == "did-document"
    html = client.post("/verify", data={"credential": ours["award"].credential_jwt}).get_data(as_text=True)
    assert "✔ Verified" in html and 'data-verdict="verified"' in html


def test_foreign_issuers_with_bound_keys_verify(client, web):
    # did:key
    assert client.post("/api/v1/verify", json={"credential": bf.foreign_credential()}).json["verified"] is True
    # did:web with its key in its DID document, as Data Integrity and as VC-JWT (kid = DID URL)
    college = obkeys.generate()
    web.serve("did:web:college.example", did.did_document("did:web:college.example", [college.public_key],
                                                          fragments=["key-1"]))
    signed = data_integrity.sign(f.credential("did:web:college.example"), college, "did:web:college.example#key-1")
    report = client.post("/api/v1/verify", json={"credential": signed}).json
    assert report["verified"] is True and report["key_binding"]["how"] == "did-document", report["checks"]
    token = f.jwt_with(f.credential("did:web:college.example"), college, kid="did:web:college.example#key-1")
    assert client.post("/api/v1/verify", json={"jwt": token}).json["verified"] is True
    # did:web with an embedded jwk that IS its DID document's key: bound
    token = vcjwt.sign(f.credential("did:web:college.example"), college)
    assert client.post("/api/v1/verify", json={"jwt": token}).json["verified"] is True
    # https issuer publishing its JWKS under its own origin
    rsa = obkeys.generate("RS256")
    jwks = "https://college.example/.well-known/jwks.json"
    web.serve(jwks, {"keys": [dict(rsa.public_key.to_jwk(), kid="k1")]})
    token = f.jwt_with(f.credential("https://college.example/issuers/1"), rsa, kid=jwks + "#k1")
    report = client.post("/api/v1/verify", json={"jwt": token}).json
    assert report["verified"] is True and report["key_binding"]["how"] == "issuer-origin", report["checks"]


def test_status_list_signed_by_the_issuer_is_honoured(client, app, stack):
    issuer_key = obkeys.generate()
    issuer = did.did_key(issuer_key.public_key)
    files: dict = {}
    origin = _status_site(app, stack, files)
    url = f"{origin}/status/1"
    files["/status/1"] = ("application/json", json.dumps(f.di_sign_did_key(
        f.status_list(issuer, url, revoked=(7,)), issuer_key)).encode())
    revoked = f.di_sign_did_key(f.credential(issuer, status=status_entry(list_credential_url=url, index=7,
                                                                          purpose="revocation")), issuer_key)
    fine = f.di_sign_did_key(f.credential(issuer, status=status_entry(list_credential_url=url, index=8,
                                                                       purpose="revocation")), issuer_key)
    report = client.post("/api/v1/verify", json={"credential": revoked}).json
    assert report["verified"] is False and "revoked" in _check(report, "status")["message"]
    assert client.post("/api/v1/verify", json={"credential": fine}).json["verified"] is True


def test_forged_jwt_in_a_real_browser_is_amber_never_green(live_url, browser_page, ours, tmp_path):
    page = browser_page
    attacker = obkeys.generate("RS256")
    forged = vcjwt.sign(f.unsigned_copy(ours["award"].credential), attacker)
    page.goto(f"{live_url}/verify")
    page.fill("#credential", forged)
    page.click("#verify-button")
    page.wait_for_selector("#verdict")
    assert page.locator("#verdict").inner_text().strip() == "⚠ Signature valid, issuer not proven"
    color = page.eval_on_selector("#verdict", "e => getComputedStyle(e).color")
    assert color == "rgb(138, 90, 0)"  # amber (#8a5a00), not the green of a verified badge
    assert page.locator('li[data-check="key_binding"]').get_attribute("data-status") == "fail"
    page.screenshot(path=str(tmp_path / "forged.png"), full_page=True)
    # the genuine credential, same page: green
    page.fill("#credential", ours["award"].credential_jwt)
    page.click("#verify-button")
    page.wait_for_selector("#verdict")
    assert page.locator("#verdict").inner_text().strip() == "✔ Verified"
