"""Offline JSON-LD document loader: serves only the bundled contexts.

Credentials are canonicalized with these exact context files, so a context is
never fetched at run time (a fetched context could change what a signature
means). Unknown URLs raise :class:`ContextNotAvailable`.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Mapping

__all__ = ["ContextNotAvailable", "DocumentLoader", "bundled_contexts", "default_loader"]


class ContextNotAvailable(LookupError):
    """A JSON-LD context URL that is not bundled (and will not be fetched)."""

    def __init__(self, url: str):
        super().__init__(f"JSON-LD context {url!r} is not bundled; refusing to fetch it")
        self.url = url


@lru_cache(maxsize=1)
def bundled_contexts() -> Mapping[str, dict]:
    """URL -> parsed context document, read once from ``openbadges/contexts``."""
    folder = resources.files("openbadges") / "contexts"
    index = json.loads((folder / "index.json").read_text("utf-8"))
    return MappingProxyType(
        {url: json.loads((folder / name).read_text("utf-8")) for url, name in index.items()}
    )


class DocumentLoader:
    """A pyld ``documentLoader``. ``extra`` adds contexts (e.g. test fixtures);
    bundled ones cannot be overridden, so a caller cannot swap a vocabulary."""

    def __init__(self, extra: Mapping[str, dict] | None = None):
        contexts = dict(extra or {})
        contexts.update(bundled_contexts())
        self._contexts = contexts

    def __contains__(self, url: str) -> bool:
        return url in self._contexts

    @property
    def urls(self) -> frozenset[str]:
        return frozenset(self._contexts)

    def __call__(self, url, options=None):
        doc = self._contexts.get(url)
        if doc is None:
            raise ContextNotAvailable(str(url))
        # pyld may annotate what it is handed; give it a private copy.
        return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(doc)}


_DEFAULT = DocumentLoader()


def default_loader() -> DocumentLoader:
    return _DEFAULT
