"""Baking credentials into badge images and extracting them (OB 3.0 "Baked Badge").

PNG: one uncompressed `iTXt` chunk with keyword `openbadgecredential` whose text is the
compact JWS (VC-JWT) or the JSON credential. SVG: an `<openbadges:credential>` element in
namespace `https://purl.imsglobal.org/ob/v3p0` as the first child of `<svg>`, with the JWS
in its `verify` attribute or the JSON in a CDATA section. Extraction also reads Open Badges
2.0 images (PNG keyword `openbadges`, SVG `<openbadges:assertion>` in
`https://w3id.org/openbadges`) and reports them as `ob_version='2.0'`.

The PNG parser walks every chunk and checks its CRC; the SVG parser refuses DTDs and
entity declarations before handing the text to `xml.etree`. Both are size-capped.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Iterator
from xml.etree import ElementTree
from xml.sax.saxutils import quoteattr

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as defused_et

__all__ = ["Baked", "BakingError", "MAX_IMAGE_BYTES", "bake_png", "bake_svg", "extract"]

MAX_IMAGE_BYTES = 10 * 1024 * 1024

OB3_PNG_KEYWORD = b"openbadgecredential"
OB2_PNG_KEYWORD = b"openbadges"
OB3_SVG_NS = "https://purl.imsglobal.org/ob/v3p0"
OB2_SVG_NS = "https://w3id.org/openbadges"
SVG_NS = "http://www.w3.org/2000/svg"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MAX_CHUNK_LENGTH = 2**31 - 1  # PNG spec: chunk lengths are at most 2^31 - 1
_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$")


class BakingError(ValueError):
    """The image or the credential cannot be baked or extracted."""


@dataclass(frozen=True)
class Baked:
    """A credential found in an image. `payload` is the compact JWS or the JSON text."""

    format: str  # 'png' | 'svg'
    ob_version: str  # '3.0' | '2.0'
    payload: str

    @property
    def is_jwt(self) -> bool:
        return bool(_COMPACT_JWS.match(self.payload))

    def credential(self) -> dict:
        """The JSON payload parsed; raises BakingError for a JWS (verify it instead)."""
        if self.is_jwt:
            raise BakingError("payload is a compact JWS; decode it with the JWT verifier")
        try:
            value = json.loads(self.payload)
        except ValueError as exc:
            raise BakingError(f"payload is not valid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise BakingError("payload JSON is not an object")
        return value


def _payload_text(credential: dict | str) -> str:
    """Compact JWS stays as is; a dict becomes JSON; a str must be one or the other."""
    if isinstance(credential, dict):
        return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    if not isinstance(credential, str):
        raise BakingError("credential must be a dict, a JSON string or a compact JWS")
    text = credential.strip()
    if _COMPACT_JWS.match(text):
        return text
    try:
        if isinstance(json.loads(text), dict):
            return text
    except ValueError:
        pass
    raise BakingError("credential string is neither a compact JWS nor a JSON object")


def _check_size(image: bytes) -> None:
    if not isinstance(image, (bytes, bytearray, memoryview)):
        raise BakingError("image must be bytes")
    if len(image) > MAX_IMAGE_BYTES:
        raise BakingError(f"image larger than {MAX_IMAGE_BYTES} bytes")


# --- PNG -------------------------------------------------------------------------------


def _png_chunks(image: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Yield (type, data) for every chunk, checking lengths, CRCs and IHDR/IEND order."""
    if not image.startswith(_PNG_SIGNATURE):
        raise BakingError("not a PNG image (bad signature)")
    offset, first, ended = len(_PNG_SIGNATURE), True, False
    while offset < len(image):
        if ended:
            raise BakingError("data after the IEND chunk")
        if offset + 8 > len(image):
            raise BakingError("truncated PNG: incomplete chunk header")
        length, chunk_type = struct.unpack(">I4s", image[offset : offset + 8])
        if length > _MAX_CHUNK_LENGTH:
            raise BakingError(f"oversized PNG chunk ({length} bytes)")
        if not all(65 <= c <= 90 or 97 <= c <= 122 for c in chunk_type):
            raise BakingError(f"invalid PNG chunk type {chunk_type!r}")
        end = offset + 8 + length + 4
        if end > len(image):
            raise BakingError(f"truncated PNG: {chunk_type.decode()} chunk runs past the end")
        data = bytes(image[offset + 8 : offset + 8 + length])
        (crc,) = struct.unpack(">I", image[end - 4 : end])
        if zlib.crc32(chunk_type + data) != crc:
            raise BakingError(f"bad CRC in PNG {chunk_type.decode()} chunk")
        if first and chunk_type != b"IHDR":
            raise BakingError("PNG does not start with an IHDR chunk")
        first, ended = False, chunk_type == b"IEND"
        yield chunk_type, data
        offset = end
    if not ended:
        raise BakingError("truncated PNG: no IEND chunk")


def _itxt_fields(data: bytes) -> tuple[bytes, int, bytes]:
    """(keyword, compression flag, text bytes) of an iTXt chunk."""
    try:
        keyword, rest = data.split(b"\x00", 1)
        compressed, _method = rest[0], rest[1]
        _language, rest = rest[2:].split(b"\x00", 1)
        _translated, text = rest.split(b"\x00", 1)
    except (ValueError, IndexError):
        raise BakingError("malformed iTXt chunk") from None
    return keyword, compressed, text


def _chunk(chunk_type: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", zlib.crc32(chunk_type + data))


def bake_png(image: bytes, credential: dict | str) -> bytes:
    """Return `image` with the credential in an `openbadgecredential` iTXt chunk.

    An existing `openbadgecredential` chunk is replaced; the new one goes right after
    IHDR so readers that stop at the first match find it early.
    """
    _check_size(image)
    text = _payload_text(credential).encode("utf-8")
    # keyword, NUL, compression flag 0, method 0, empty language tag, empty translated keyword
    itxt = _chunk(b"iTXt", OB3_PNG_KEYWORD + b"\x00\x00\x00" + b"\x00" + b"\x00" + text)
    out = [_PNG_SIGNATURE]
    for chunk_type, data in _png_chunks(image):
        if chunk_type == b"iTXt" and _itxt_fields(data)[0] == OB3_PNG_KEYWORD:
            continue
        out.append(_chunk(chunk_type, data))
        if chunk_type == b"IHDR":
            out.append(itxt)
    return b"".join(out)


def _extract_png(image: bytes) -> Baked:
    found: dict[bytes, list[bytes]] = {OB3_PNG_KEYWORD: [], OB2_PNG_KEYWORD: []}
    for chunk_type, data in _png_chunks(image):
        if chunk_type != b"iTXt":
            continue
        keyword, compressed, text = _itxt_fields(data)
        if keyword in found:
            if compressed:
                raise BakingError(f"{keyword.decode()} iTXt chunk is compressed (MUST NOT be)")
            found[keyword].append(text)
    for keyword, version in ((OB3_PNG_KEYWORD, "3.0"), (OB2_PNG_KEYWORD, "2.0")):
        texts = found[keyword]
        if len(texts) > 1:
            raise BakingError(f"PNG holds {len(texts)} {keyword.decode()} chunks; at most one allowed")
        if texts:
            try:
                return Baked("png", version, texts[0].decode("utf-8").strip())
            except UnicodeDecodeError:
                raise BakingError("iTXt text is not UTF-8") from None
    raise BakingError("PNG holds no baked credential")


# --- SVG -------------------------------------------------------------------------------

# Start tag of the root <svg> (optionally prefixed), quotes respected.
_SVG_START = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?svg\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>")
_XMLNS_OB = re.compile(r"\sxmlns:openbadges\s*=\s*([\"'])(.*?)\1")


def _svg_text(image: bytes) -> str:
    try:
        text = bytes(image).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BakingError("SVG is not UTF-8 text") from None
    return text


def _svg_root(text: str) -> ElementTree.Element:
    # Many editors write a DOCTYPE (1EdTech's own baked SVGs have one): it is
    # read; entity declarations (billion laughs) and external references are
    # refused by defusedxml.
    try:
        root = defused_et.fromstring(text, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except ElementTree.ParseError as exc:
        raise BakingError(f"SVG is not well-formed XML: {exc}") from None
    except DefusedXmlException as exc:
        raise BakingError(f"SVG with entity declarations or external references is refused: {exc!r}") from None
    if root.tag not in (f"{{{SVG_NS}}}svg", "svg"):
        raise BakingError("not an SVG image (root element is not <svg>)")
    return root


def _svg_credentials(root: ElementTree.Element, namespace: str, name: str) -> list[ElementTree.Element]:
    return list(root.iter(f"{{{namespace}}}{name}"))


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA; split the section around it
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def bake_svg(image: bytes, credential: dict | str) -> bytes:
    """Return the SVG with an `<openbadges:credential>` as the first child of `<svg>`.

    Any existing OB 3.0 credential element is removed first; the rest of the document is
    kept byte for byte.
    """
    _check_size(image)
    payload = _payload_text(credential)
    text = _svg_text(image)
    root = _svg_root(text)
    if _svg_credentials(root, OB3_SVG_NS, "credential"):
        text = _remove_ob3_elements(text)
    start = _SVG_START.search(text)
    if start is None:
        raise BakingError("cannot locate the <svg> start tag")
    start_tag = start.group(0)
    declared = _XMLNS_OB.search(start_tag)
    local_ns = ""
    if declared is None:
        cut = len(start_tag) - (2 if start.group(1) else 1)
        start_tag = start_tag[:cut] + f' xmlns:openbadges="{OB3_SVG_NS}"' + start_tag[cut:]
    elif declared.group(2) != OB3_SVG_NS:
        # prefix already bound (e.g. to the OB 2.0 namespace): rebind it on the element only
        local_ns = f' xmlns:openbadges="{OB3_SVG_NS}"'
    if _COMPACT_JWS.match(payload):
        element = f"<openbadges:credential{local_ns} verify={quoteattr(payload)}></openbadges:credential>"
    else:
        element = f"<openbadges:credential{local_ns}>{_cdata(payload)}</openbadges:credential>"
    if start.group(1):  # self-closing <svg/>
        opening = start_tag[:-2].rstrip() + ">"
        closing_tag = "</" + start_tag[1:].split(None, 1)[0].rstrip("/>") + ">"
        baked = text[: start.start()] + opening + element + closing_tag + text[start.end() :]
    else:
        baked = text[: start.start()] + start_tag + element + text[start.end() :]
    out = baked.encode("utf-8")
    check = _extract_svg(out)  # the result must read back as exactly this credential
    if check.ob_version != "3.0" or check.payload != payload.strip():
        raise BakingError("baked SVG does not read back correctly")
    return out


def _remove_ob3_elements(text: str) -> str:
    prefixes = {m.group(1) for m in re.finditer(r"xmlns:([\w.-]+)\s*=\s*[\"']" + re.escape(OB3_SVG_NS) + r"[\"']", text)}
    for prefix in prefixes:
        p = re.escape(prefix)
        text = re.sub(rf"<{p}:credential\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?/>", "", text)
        text = re.sub(rf"<{p}:credential\b.*?</{p}:credential\s*>", "", text, flags=re.DOTALL)
    root = _svg_root(text)
    if _svg_credentials(root, OB3_SVG_NS, "credential"):
        raise BakingError("could not replace the existing OB 3.0 credential in this SVG")
    return text


def _extract_svg(image: bytes) -> Baked:
    root = _svg_root(_svg_text(image))
    for namespace, name, version in ((OB3_SVG_NS, "credential", "3.0"), (OB2_SVG_NS, "assertion", "2.0")):
        elements = _svg_credentials(root, namespace, name)
        if len(elements) > 1:
            raise BakingError(f"SVG holds {len(elements)} <openbadges:{name}> elements; at most one allowed")
        if elements:
            element = elements[0]
            payload = element.get("verify") or "".join(element.itertext())
            payload = payload.strip()
            if not payload:
                raise BakingError(f"<openbadges:{name}> element is empty")
            return Baked("svg", version, payload)
    raise BakingError("SVG holds no baked credential")


# --- both ------------------------------------------------------------------------------


def _looks_like_svg(image: bytes) -> bool:
    head = bytes(image[:1024]).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"<svg" in bytes(image[:65536]).lower()


def extract(image: bytes) -> Baked:
    """Find the baked credential in a PNG or SVG image (OB 3.0, or OB 2.0 as a fallback)."""
    _check_size(image)
    if bytes(image[:8]) == _PNG_SIGNATURE:
        return _extract_png(image)
    if _looks_like_svg(image):
        return _extract_svg(image)
    raise BakingError("not a PNG or SVG image")
