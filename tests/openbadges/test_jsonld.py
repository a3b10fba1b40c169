import pytest

from openbadges.jsonld import ContextNotAvailable, DocumentLoader, bundled_contexts, default_loader

V2 = "https://www.w3.org/ns/credentials/v2"


def test_serves_every_bundled_context():
    loader = default_loader()
    for url in bundled_contexts():
        result = loader(url)
        assert result["documentUrl"] == url and "@context" in result["document"]


def test_unknown_url_raises_without_network():
    with pytest.raises(ContextNotAvailable, match="not bundled"):
        default_loader()("https://example.org/evil-context")


def test_returned_documents_are_private_copies():
    loader = default_loader()
    loader(V2)["document"]["@context"]["id"] = "hacked"
    assert loader(V2)["document"]["@context"]["id"] == "@id"


def test_extra_contexts_cannot_replace_bundled_ones():
    loader = DocumentLoader({V2: {"@context": {}}, "https://x.example/ctx": {"@context": {"a": "https://a/"}}})
    assert loader(V2)["document"] == bundled_contexts()[V2]
    assert "https://x.example/ctx" in loader
