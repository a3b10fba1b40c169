"""An earner's badge as files: the credential JSON, its VC-JWT, and the badge
image with the credential baked in (OB 3.0 "Baked Badge", PNG and SVG), each
registered once in formats.py, which every page, route and export reads.

The image is the badge class's own (uploaded PNG/SVG, or the generated SVG).
Without an imaging library an SVG cannot be rasterised, so a PNG download of
an SVG-only badge is a plain disc in the badge's colour; a PNG badge becomes
an SVG by embedding it. Both carry the same signed credential.
"""
from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from functools import lru_cache

from openbadges import baking

from . import classes, formats
from .formats import CredentialFormat
from .models import Award

__all__ = ["DownloadError", "baked_png", "baked_svg", "credential_json", "credential_jwt", "download"]


class DownloadError(LookupError):
    """This award has no signed credential to download (pending, rejected), or not in that form."""


def _require_credential(award: Award) -> None:
    if not award.credential:
        raise DownloadError("this badge has not been issued yet")


def credential_json(award: Award) -> bytes:
    _require_credential(award)
    return json.dumps(award.credential, indent=2, ensure_ascii=False).encode("utf-8")


def credential_jwt(award: Award) -> bytes:
    _require_credential(award)
    if not award.credential_jwt:
        raise DownloadError("this badge has no VC-JWT form")
    return award.credential_jwt.encode("ascii")


def baked_png(award: Award) -> bytes:
    _require_credential(award)
    image, mime = classes.image_bytes(award.badge_class)
    if mime != "image/png":
        image = _disc_png(_colour_of(image))
    return baking.bake_png(image, award.credential)


def baked_svg(award: Award) -> bytes:
    _require_credential(award)
    image, mime = classes.image_bytes(award.badge_class)
    if mime == "image/png":
        image = _png_in_svg(image, award.badge_class.name)
    return baking.bake_svg(image, award.credential)


formats.register(CredentialFormat("json", "credential (JSON)", "application/ld+json", credential_json,
                                  media_types=("application/json", "application/ld+json"), exported=True))
formats.register(CredentialFormat("jwt", "VC-JWT", "application/vc+jwt", credential_jwt,
                                  media_types=("application/vc+jwt", "application/jwt"), exported=True,
                                  has_form=lambda award: bool(award.credential and award.credential_jwt)))
formats.register(CredentialFormat("png", "badge image (PNG)", "image/png", baked_png, image=True))
formats.register(CredentialFormat("svg", "badge image (SVG)", "image/svg+xml", baked_svg, image=True))


def download(award: Award, name: str) -> tuple[bytes, str, str]:
    """(bytes, mime type, file name) of the award in the registered format ``name``."""
    try:
        fmt = formats.get(name)
    except formats.UnknownFormat as exc:
        raise DownloadError(str(exc)) from None
    slug = re.sub(r"[^a-z0-9]+", "-", award.badge_class.name.lower()).strip("-")[:60] or "badge"
    return fmt.render(award), fmt.mime_type, f"{slug}.{fmt.extension}"


# -- image conversions -----------------------------------------------------------
def _colour_of(svg: bytes) -> tuple[int, int, int]:
    match = re.search(rb'fill="#([0-9a-fA-F]{6})"', svg)
    return tuple(bytes.fromhex(match.group(1).decode())) if match else (0x26, 0x32, 0x38)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@lru_cache(maxsize=32)
def _disc_png(rgb: tuple[int, int, int], size: int = 256) -> bytes:
    """A filled disc with a white ring on transparency, as an RGBA PNG."""
    centre, outer, ring_out, ring_in = (size - 1) / 2, size * 0.47, size * 0.42, size * 0.395
    fill, white, clear = bytes(rgb) + b"\xff", b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"
    rows = []
    for y in range(size):
        row = bytearray(b"\x00")  # filter: none
        dy2 = (y - centre) ** 2
        for x in range(size):
            r = ((x - centre) ** 2 + dy2) ** 0.5
            row += clear if r > outer else white if ring_in < r < ring_out else fill
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + _chunk(b"IEND", b""))


def _png_in_svg(png: bytes, title: str) -> bytes:
    width, height = struct.unpack(">II", png[16:24]) if len(png) >= 24 else (256, 256)
    data = base64.b64encode(png).decode("ascii")
    label = (title.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;"))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}"><title>{label}</title>'
            f'<image width="{width}" height="{height}" href="data:image/png;base64,{data}"/></svg>').encode("utf-8")
