"""The forms an issued badge credential takes, registered once.

Every place that offers a badge in more than one form reads this registry
instead of its own list: the earner's downloads (`/my/badges/<id>/download/<name>`
and the links on "My badges"), the public baked images (`/badges/<id>/image.<name>`),
content negotiation at the credential's own URL (`Accept:` one of `media_types`),
and "export everything I own". Adding a form is its library code (in `openbadges/`)
plus one `register(...)` call beside its render function (`downloads.py`); the
verifier needs nothing here, because `openbadges.verify` recognises its input by
content (JSON, compact JWT, PNG, SVG).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Award

__all__ = ["CredentialFormat", "UnknownFormat", "by_media_type", "get", "images", "negotiable", "register",
           "registered"]


@dataclass(frozen=True)
class CredentialFormat:
    name: str  # in URLs and file names: lower-case letters and digits
    label: str  # link text on "My badges"
    mime_type: str
    render: Callable[["Award"], bytes]  # raises downloads.DownloadError when the award has no such form
    suffix: str = ""  # the file extension; the name by default
    media_types: tuple[str, ...] = ()  # served at credential_url() to a client that asks for one of these
    image: bool = False  # a baked badge image: public at baked_image_url(), shown on the badge page
    exported: bool = False  # written into the earner's "export everything I own"
    has_form: Callable[["Award"], bool] = lambda award: bool(award.credential)  # exists for this award?

    @property
    def extension(self) -> str:
        return self.suffix or self.name


class UnknownFormat(LookupError):
    """No registered credential form has that name."""


_REGISTRY: dict[str, CredentialFormat] = {}


def register(fmt: CredentialFormat) -> CredentialFormat:
    if not fmt.name.isalnum() or fmt.name != fmt.name.lower():
        raise ValueError(f"a format name is lower-case letters and digits: {fmt.name!r}")
    if fmt.name in _REGISTRY and _REGISTRY[fmt.name] != fmt:
        raise ValueError(f"credential format {fmt.name!r} is registered twice")
    _REGISTRY[fmt.name] = fmt
    return fmt


def registered() -> tuple[CredentialFormat, ...]:
    """In registration order (the order of the download links)."""
    return tuple(_REGISTRY.values())


def get(name: str) -> CredentialFormat:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownFormat(f"unknown format {name!r}; one of {', '.join(_REGISTRY)}") from None


def images() -> Iterator[CredentialFormat]:
    return (fmt for fmt in _REGISTRY.values() if fmt.image)


def negotiable() -> list[str]:
    """Every media type the credential URL answers, in registration order (the first is the default)."""
    return [media for fmt in _REGISTRY.values() for media in fmt.media_types]


def by_media_type(media_type: str | None) -> CredentialFormat | None:
    return next((fmt for fmt in _REGISTRY.values() if media_type in fmt.media_types), None)
