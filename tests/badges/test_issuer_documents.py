"""The public documents verifiers fetch: profile, DID document, JWKS, keys,
achievements, credentials."""
from __future__ import annotations

from openbadges import did as obdid
from openbadges.keys import PublicKey


def test_did_document_lists_multikeys_controlled_by_the_issuer(app, client, factory):
    from service.badges import keys, urls

    org = factory.org()
    keys.ensure_keys(org)
    response = client.get(f"/issuers/{org.slug}/did.json")
    assert response.status_code == 200 and response.mimetype == "application/did+json"
    doc = response.get_json()
    did = f"did:web:badges.test:issuers:{org.slug}"
    assert doc["id"] == did == urls.issuer_did(org.slug)
    assert obdid.did_web_url(did) == f"https://badges.test/issuers/{org.slug}/did.json"
    [method] = doc["verificationMethod"]
    assert method == {"id": f"{did}#ed25519-1", "type": "Multikey", "controller": did,
                      "publicKeyMultibase": method["publicKeyMultibase"]}
    assert doc["assertionMethod"] == [method["id"]]
    assert "https://w3id.org/security/multikey/v1" in doc["@context"]


def test_did_web_percent_encodes_a_port(app):
    from service.badges import urls

    app.config["PUBLIC_BASE_URL"] = "https://localhost:8443"
    with app.test_request_context():
        assert urls.issuer_did("riverside") == "did:web:localhost%3A8443:issuers:riverside"


def test_profile_json_and_html(app, client, factory):
    org = factory.org()
    body = client.get(f"/issuers/{org.slug}", headers={"Accept": "application/json"}).get_json()
    assert body["id"] == f"did:web:badges.test:issuers:{org.slug}"
    assert body["type"] == ["Profile"] and body["name"] == org.name
    page = client.get(f"/issuers/{org.slug}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and org.name in page.get_data(as_text=True)
    assert client.get("/issuers/nobody/did.json").status_code == 404


def test_jwks_and_per_key_jwk(app, client, factory):
    from service.badges import keys

    org = factory.org()
    rows = keys.ensure_keys(org)
    jwks = client.get("/.well-known/jwks.json").get_json()
    kid = f"https://badges.test/issuers/{org.slug}/keys/rs256-1"
    [entry] = [k for k in jwks["keys"] if k["kid"] == kid]
    assert entry["alg"] == "RS256" and entry["kty"] == "RSA" and "d" not in entry
    single = client.get(f"/issuers/{org.slug}/keys/rs256-1").get_json()
    assert single == entry
    assert PublicKey.from_jwk(single).to_jwk() == rows["jwt"].public_jwk
    assert client.get(f"/issuers/{org.slug}/keys/rs256-9").status_code == 404
    # every signing key is published, the Ed25519 one too
    ed_kid = f"https://badges.test/issuers/{org.slug}/keys/ed25519-1"
    [ed] = [k for k in jwks["keys"] if k["kid"] == ed_kid]
    assert ed["kty"] == "OKP" and ed["alg"] == "EdDSA" and "d" not in ed
    assert PublicKey.from_jwk(ed).to_jwk() == rows["data_integrity"].public_jwk


def test_achievement_and_generated_image(app, client, factory):
    from tests.support.badges import badge_class

    org = factory.org()
    bc = badge_class(org, name="Data Detective")
    body = client.get(f"/achievements/{bc.id}").get_json()
    assert body["type"] == ["Achievement"] and body["name"] == "Data Detective"
    assert body["alignment"][0]["targetCode"] == "CR.1" and "competency_id" not in body["alignment"][0]
    image = client.get(f"/achievements/{bc.id}/image")
    assert image.mimetype == "image/svg+xml" and b">DD</text>" in image.data
    assert "sandbox" in image.headers["Content-Security-Policy"]
    assert client.get("/achievements/not-a-uuid").status_code == 404


def test_uploaded_image_checks(app, client, factory):
    org = factory.org()
    teacher = factory.person("teacher", org)
    auth = factory.auth(teacher)
    bc = client.post("/api/v1/badge-classes", headers=auth, json={
        "name": "Painter", "description": "d", "criteria_narrative": "c"}).get_json()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    ok = client.put(f"/api/v1/badge-classes/{bc['id']}/image", headers=auth, data=png,
                    content_type="application/octet-stream")
    assert ok.status_code == 200 and ok.get_json()["has_image"] is True
    assert client.get(f"/achievements/{bc['id']}/image").data == png
    evil = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    refused = client.put(f"/api/v1/badge-classes/{bc['id']}/image", headers=auth, data=evil)
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "image"
