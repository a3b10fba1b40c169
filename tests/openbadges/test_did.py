import pytest

from openbadges import did, keys


def test_did_key_roundtrip_and_document():
    key = keys.generate()
    d = did.did_key(key.public_key)
    assert d.startswith("did:key:z6Mk")
    doc = did.did_key_document(d)
    vm_id = f"{d}#{d[len('did:key:'):]}"
    assert doc["id"] == d
    assert doc["verificationMethod"][0] == {
        "id": vm_id, "type": "Multikey", "controller": d, "publicKeyMultibase": key.public_key.multikey,
    }
    assert vm_id in doc["assertionMethod"]
    method = did.dereference(did.DidKeyResolver(), vm_id)
    assert did.public_key_of(method).to_jwk() == key.public_key.to_jwk()


def test_did_key_rejects_garbage():
    for bad in ("did:key:", "did:key:zzzz", "did:web:example.com", "did:key:z6MkBAD0"):
        with pytest.raises(did.ResolutionError):
            did.DidKeyResolver().resolve(bad)


@pytest.mark.parametrize(
    "url,identifier,document_url",
    [
        ("https://example.edu", "did:web:example.edu", "https://example.edu/.well-known/did.json"),
        ("https://example.edu:8443/issuers/1", "did:web:example.edu%3A8443:issuers:1", "https://example.edu:8443/issuers/1/did.json"),
        ("https://w3c-ccg.github.io/user/alice", "did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
    ],
)
def test_did_web(url, identifier, document_url):
    assert did.did_web(url) == identifier
    assert did.did_web_url(identifier) == document_url


def test_did_web_refuses_plain_http():
    with pytest.raises(ValueError):
        did.did_web("http://example.edu")
    with pytest.raises(did.ResolutionError):
        did.HttpsResolver().resolve("http://example.edu/key")


def test_document_builder_chain_and_static_resolvers():
    key = keys.generate()
    web = "did:web:school.example"
    doc = did.did_document(web, [key.public_key], fragments=["key-1"])
    assert doc["verificationMethod"][0]["controller"] == web
    resolver = did.ChainResolver(did.DidKeyResolver(), did.StaticResolver({web: doc}))
    method = did.dereference(resolver, f"{web}#key-1")
    assert did.public_key_of(method).to_jwk() == key.public_key.to_jwk()
    assert did.authorizes(doc, f"{web}#key-1")
    assert not did.authorizes(doc, f"{web}#key-2")
    with pytest.raises(did.ResolutionError, match="not found"):
        did.dereference(resolver, f"{web}#key-2")
    with pytest.raises(did.ResolutionError):
        resolver.resolve("did:web:other.example")
