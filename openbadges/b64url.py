"""base64url without padding (RFC 4648 section 5, as JOSE and multibase 'u' use it):
the library's one encoder and one strict decoder."""
from __future__ import annotations

import base64
import binascii
import re

_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode(text: str) -> bytes:
    """Refuses padding, characters outside the alphabet, impossible lengths and
    non-zero trailing bits (ValueError), where the standard library would silently
    skip them: one byte string has exactly one text, so a changed character of a
    token never decodes to the same bytes (RFC 4648 section 3.5)."""
    if not isinstance(text, str) or not _ALPHABET.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not unpadded base64url") from None
    if len(text) % 4 and encode(data) != text:
        raise ValueError("not canonical base64url (non-zero trailing bits)")
    return data
