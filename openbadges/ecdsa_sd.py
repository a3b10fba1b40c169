"""``ecdsa-sd-2023`` derived proofs (W3C "Data Integrity ECDSA Cryptosuites
v1.0", sections 3.5 and 3.6): verification only.

A holder turns the issuer's base proof into a derived proof that discloses
part of the credential. What a verifier gets, CBOR-encoded after the header
``0xd9 0x5d 0x01``: the issuer's base signature, a one-time P-256 public key,
one signature per disclosed non-mandatory statement, the map from canonical
blank-node labels to the issuer's HMAC labels, and the indexes of the
mandatory statements.

Verification: canonicalize the disclosed document (RDFC-1.0), give its blank
nodes the HMAC labels, sort; the mandatory statements are hashed and, with
the proof-configuration hash and the one-time key, must carry the issuer's
base signature; every other statement must carry its own signature by the
one-time key. So every statement of the disclosed document is signed, and
nothing can be added or changed.

A base proof (header ``0xd9 0x5d 0x00``) is for the holder, never for a
verifier: it is refused, as the specification says.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from . import canonical, multibase
from .jsonld import DocumentLoader
from .keys import KeyMaterialError, PublicKey

__all__ = ["SUITE", "DerivedProof", "SdProofError", "parse_derived_proof", "verify_derived"]

SUITE = "ecdsa-sd-2023"
_BASE_HEADER, _DERIVED_HEADER = b"\xd9\x5d\x00", b"\xd9\x5d\x01"
_P256_MULTIKEY = b"\x80\x24"
_MAX_ITEMS = 100_000  # far beyond any credential; bounds what a hostile proofValue can ask for
# an N-Quads literal or IRI (kept as they are: text that looks like a label is not a blank node)
# or a canonical blank-node label (relabelled)
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|<[^>]*>|_:c14n(\d+)')


class SdProofError(ValueError):
    """The proof value is not a well-formed ecdsa-sd-2023 derived proof."""


@dataclass(frozen=True)
class DerivedProof:
    base_signature: bytes
    public_key: bytes  # the one-time key, multikey bytes (0x8024 + compressed P-256 point)
    signatures: tuple[bytes, ...]
    label_map: dict[str, str]  # "c14nN" -> "u<base64url HMAC>"
    mandatory_indexes: tuple[int, ...]


# --- CBOR (RFC 8949), only what a derived proof holds: unsigned integers, byte
# strings, arrays and maps of definite length. Anything else is refused.

def _cbor_head(data: bytes, pos: int) -> tuple[int, int, int]:
    if pos >= len(data):
        raise SdProofError("proofValue CBOR is truncated")
    major, info = data[pos] >> 5, data[pos] & 0x1F
    pos += 1
    if info < 24:
        return major, info, pos
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None or pos + size > len(data):
        raise SdProofError("proofValue CBOR uses an indefinite or bad length")
    return major, int.from_bytes(data[pos:pos + size], "big"), pos + size


def _cbor_item(data: bytes, pos: int, depth: int):
    if depth > 4:
        raise SdProofError("proofValue CBOR is nested too deeply")
    major, arg, pos = _cbor_head(data, pos)
    if major == 0:
        return arg, pos
    if major == 2:
        if pos + arg > len(data):
            raise SdProofError("proofValue CBOR byte string is truncated")
        return data[pos:pos + arg], pos + arg
    if arg > _MAX_ITEMS:
        raise SdProofError("proofValue CBOR has too many items")
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = _cbor_item(data, pos, depth + 1)
            items.append(item)
        return items, pos
    if major == 5:
        entries = {}
        for _ in range(arg):
            key, pos = _cbor_item(data, pos, depth + 1)
            value, pos = _cbor_item(data, pos, depth + 1)
            if not isinstance(key, int) or key in entries:
                raise SdProofError("proofValue label map keys must be distinct integers")
            entries[key] = value
        return entries, pos
    raise SdProofError(f"proofValue CBOR major type {major} is not part of a derived proof")


def _cbor_decode(data: bytes):
    item, pos = _cbor_item(data, 0, 0)
    if pos != len(data):
        raise SdProofError("proofValue CBOR has trailing bytes")
    return item


def _bytes(value, name: str, length: int | None = None) -> bytes:
    if not isinstance(value, bytes) or (length is not None and len(value) != length):
        raise SdProofError(f"{name} must be {'a byte string' if length is None else f'{length} bytes'}")
    return value


def parse_derived_proof(proof_value) -> DerivedProof:
    """parseDerivedProofValue (3.5.8) with decompressLabelMap (3.5.6)."""
    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise SdProofError("proofValue must be base64url multibase ('u')")
    try:
        raw = multibase.decode(proof_value)
    except multibase.MultibaseError as exc:
        raise SdProofError(f"proofValue: {exc}") from None
    if raw.startswith(_BASE_HEADER):
        raise SdProofError("this is a base proof, meant for the holder: a verifier needs a derived proof")
    if not raw.startswith(_DERIVED_HEADER):
        raise SdProofError("proofValue does not start with the ecdsa-sd-2023 derived-proof header")
    parts = _cbor_decode(raw[3:])
    if not isinstance(parts, list) or len(parts) != 5:
        raise SdProofError("a derived proof has five components")
    base_signature, public_key, signatures, compressed, mandatory = parts
    if not isinstance(signatures, list) or not isinstance(compressed, dict) or not isinstance(mandatory, list):
        raise SdProofError("derived proof components have the wrong types")
    public_key = _bytes(public_key, "the one-time public key", 35)
    if not public_key.startswith(_P256_MULTIKEY):
        raise SdProofError("the one-time public key is not a P-256 Multikey")
    label_map = {f"c14n{k}": multibase.encode(_bytes(v, "a label map value"), "u")
                 for k, v in compressed.items()}
    if len(set(label_map.values())) != len(label_map):
        raise SdProofError("the label map gives two blank nodes the same label")
    if not all(isinstance(i, int) for i in mandatory) or len(set(mandatory)) != len(mandatory):
        raise SdProofError("mandatory indexes must be distinct integers")
    return DerivedProof(
        base_signature=_bytes(base_signature, "the base signature", 64),
        public_key=public_key,
        signatures=tuple(_bytes(s, "a statement signature", 64) for s in signatures),
        label_map=label_map,
        mandatory_indexes=tuple(mandatory),
    )


def _relabel(nquads: str, label_map: dict[str, str]) -> list[str]:
    """labelReplacementCanonicalizeJsonLd with createLabelMapFunction (3.4.2, 3.4.4),
    from canonical N-Quads: every _:c14nN becomes its HMAC label; then sorted."""
    def swap(match: re.Match) -> str:
        if match.group(1) is None:
            return match.group(0)
        label = label_map.get(f"c14n{match.group(1)}")
        if label is None:
            raise SdProofError(f"the label map has no label for blank node _:c14n{match.group(1)}")
        return "_:" + label

    return sorted(_TOKEN.sub(swap, line) + "\n" for line in nquads.splitlines())


def create_verify_data(document: dict, proof: dict, *, loader: DocumentLoader | None = None):
    """createVerifyData (3.5.7): (proofHash, parsed proof, mandatory hash, non-mandatory statements)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = unsecured.get("@context")
    proof_hash = hashlib.sha256(canonical.canonicalize(config, loader=loader).encode()).digest()
    parsed = parse_derived_proof(proof.get("proofValue"))
    statements = _relabel(canonical.canonicalize(unsecured, loader=loader), parsed.label_map)
    wanted = set(parsed.mandatory_indexes)
    if any(i < 0 or i >= len(statements) for i in wanted):
        raise SdProofError("a mandatory index points past the disclosed statements")
    mandatory = [s for i, s in enumerate(statements) if i in wanted]
    non_mandatory = [s for i, s in enumerate(statements) if i not in wanted]
    mandatory_hash = hashlib.sha256("".join(mandatory).encode("utf-8")).digest()
    return proof_hash, parsed, mandatory_hash, non_mandatory


def verify_derived(document: dict, proof: dict, issuer_key: PublicKey, *,
                   loader: DocumentLoader | None = None) -> tuple[bool, str]:
    """Verify Derived Proof (3.6.7 / 3.5.x): ``(verified, reason)``. Raises
    :class:`SdProofError` or ``canonical.CanonicalizationError`` on malformed input."""
    proof_hash, parsed, mandatory_hash, non_mandatory = create_verify_data(document, proof, loader=loader)
    if len(parsed.signatures) != len(non_mandatory):
        return False, (f"{len(non_mandatory)} disclosed statements but {len(parsed.signatures)} signatures "
                       "(statements added or removed)")
    # serializeSignData (3.5.3): proofHash || one-time public key (multikey bytes) || mandatoryHash
    if not issuer_key.verify(parsed.base_signature, proof_hash + parsed.public_key + mandatory_hash):
        return False, "base signature does not match (mandatory statements, proof options or key altered)"
    try:
        one_time = PublicKey.from_multikey(multibase.encode(parsed.public_key, "z"))
    except KeyMaterialError as exc:
        raise SdProofError(f"one-time public key: {exc}") from None
    for index, (signature, statement) in enumerate(zip(parsed.signatures, non_mandatory)):
        if not one_time.verify(signature, statement.encode("utf-8")):
            return False, f"disclosed statement {index} does not match its signature (altered)"
    return True, f"{len(parsed.mandatory_indexes)} mandatory and {len(non_mandatory)} selectively " \
                 "disclosed statements signed"
