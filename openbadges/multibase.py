"""Multibase (base58btc ``z``, base64url-no-pad ``u``) and multicodec prefixes.

Only the encodings Data Integrity and did:key need; anything else is refused
with :class:`MultibaseError` rather than guessed.
"""
from __future__ import annotations

from . import b64url

__all__ = [
    "MultibaseError",
    "ED25519_PUB",
    "ED25519_PRIV",
    "P256_PUB",
    "P384_PUB",
    "b58encode",
    "b58decode",
    "encode",
    "decode",
    "encode_multikey",
    "decode_multikey",
]

# Multicodec varint prefixes (https://github.com/multiformats/multicodec).
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"
P256_PUB = b"\x80\x24"  # 0x1200 as an unsigned varint
P384_PUB = b"\x81\x24"  # 0x1201
_CODECS = {ED25519_PUB: "ed25519-pub", ED25519_PRIV: "ed25519-priv", P256_PUB: "p256-pub", P384_PUB: "p384-pub"}

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
_ALPHABET_BYTES = _ALPHABET.encode()
_DIGITS = bytes.maketrans(_ALPHABET_BYTES, bytes(range(58)))


class MultibaseError(ValueError):
    """Malformed or unsupported multibase / multicodec input."""


def b58encode(data: bytes) -> str:
    """Bitcoin base58 (no multibase prefix)."""
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_ALPHABET[r])
    # Each leading zero byte is written as a leading "1".
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    raw = text.encode("utf-8", "surrogatepass")
    if raw.translate(None, _ALPHABET_BYTES):  # something outside the alphabet
        ch = next(c for c in text if c not in _INDEX)
        raise MultibaseError(f"invalid base58btc character {ch!r}")
    # digit values by translate, summed 10 at a time in small ints: a proofValue (88 characters) is
    # decoded on every verification, and big-int arithmetic per character was most of its cost
    digits = raw.translate(_DIGITS)
    n = 0
    for start in range(0, len(digits), 10):
        chunk = digits[start:start + 10]
        value = 0
        for d in chunk:
            value = value * 58 + d
        n = n * 58 ** len(chunk) + value
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def encode(data: bytes, base: str = "z") -> str:
    """Multibase-encode ``data``: ``z`` (base58btc) or ``u`` (base64url, no padding)."""
    if base == "z":
        return "z" + b58encode(data)
    if base == "u":
        return "u" + b64url.encode(data)
    raise MultibaseError(f"unsupported multibase prefix {base!r}")


def decode(text: str) -> bytes:
    """Decode a ``z`` or ``u`` multibase string."""
    if not isinstance(text, str) or not text:
        raise MultibaseError("multibase value must be a non-empty string")
    prefix, body = text[0], text[1:]
    if prefix == "z":
        return b58decode(body)
    if prefix == "u":
        try:
            return b64url.decode(body)
        except ValueError:
            raise MultibaseError("invalid base64url characters or length") from None
    raise MultibaseError(f"unsupported multibase prefix {prefix!r}")


def encode_multikey(codec: bytes, key: bytes) -> str:
    """``z`` + base58btc(multicodec prefix || raw key), the Multikey format."""
    if codec not in _CODECS:
        raise MultibaseError("unknown multicodec prefix")
    return encode(codec + key, "z")


def decode_multikey(text: str) -> tuple[str, bytes]:
    """Return ``(codec_name, raw_key)`` for a Multikey string."""
    raw = decode(text)
    for prefix, name in _CODECS.items():
        if raw.startswith(prefix):
            return name, raw[len(prefix):]
    raise MultibaseError("unknown or missing multicodec prefix")
