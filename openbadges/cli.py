"""``openbadges`` command line: keygen, sign, verify, bake, extract.

Exit status: 0 success (for ``verify``: verified), 1 not verified / failed,
2 bad usage or unusable input, 3 (``verify``) conformant - signature valid - but
the key is not proven to be the issuer's.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from datetime import datetime, timezone

from . import data_integrity, did, keys
from . import jwt as vcjwt
from .verify import verify

__all__ = ["main"]


class CliError(Exception):
    pass


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None


def _load_json(path: str) -> dict:
    try:
        value = json.loads(_read(path))
    except ValueError as exc:
        raise CliError(f"{path} is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise CliError(f"{path} must hold a JSON object")
    return value


def _cmd_keygen(args) -> int:
    key = keys.generate(args.alg)
    try:
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CliError(f"{args.out} exists; refusing to overwrite a key") from None
    except OSError as exc:
        raise CliError(f"cannot create {args.out}: {exc.strerror}") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(key.to_keyfile())
    print(
        f"warning: {args.out} holds an UNENCRYPTED private key (mode 0600). Keep it offline; "
        "the service stores keys wrapped with a key-encryption key instead.",
        file=sys.stderr,
    )
    out = {"alg": key.alg, "publicJwk": key.public_key.to_jwk()}
    if key.alg in ("EdDSA", "ES256"):
        out["did"] = did.did_key(key.public_key)
        out["publicKeyMultibase"] = key.public_key.multikey
    print(json.dumps(out, indent=2))
    return 0


def _did_web_method(issuer: str, key: keys.PrivateKey, did_document_path: str | None) -> str:
    """Verification method id of ``key`` in the did:web issuer's DID document."""
    if did_document_path:
        document = _load_json(did_document_path)
    else:
        try:
            document = did.HttpsResolver().resolve(issuer)
        except did.ResolutionError as exc:
            raise CliError(f"cannot fetch the DID document of {issuer}: {exc}") from None
    if document.get("id") != issuer:
        raise CliError(f"DID document id {document.get('id')!r} is not {issuer}")
    mine = key.public_key.to_jwk()
    for method in document.get("verificationMethod") or []:
        try:
            theirs = did.public_key_of(method).to_jwk()
        except did.ResolutionError:
            continue
        if theirs == mine and did.authorizes(document, method.get("id", ""), "assertionMethod"):
            return method["id"] if method["id"].startswith(issuer) else issuer + method["id"]
    raise CliError(f"the key is not an assertionMethod of {issuer}; refusing to sign in its name")


def _cmd_sign(args) -> int:
    try:
        key = keys.PrivateKey.from_keyfile(_read(args.key))
    except keys.KeyMaterialError as exc:
        raise CliError(f"{args.key}: {exc}") from None
    credential = _load_json(args.credential)
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if isinstance(issuer_id, str) and issuer_id.startswith("did:web:"):
        method = _did_web_method(issuer_id, key, args.did_document)
    elif key.alg in ("EdDSA", "ES256"):
        issuer_id = did.did_key(key.public_key)
        method = f"{issuer_id}#{key.public_key.multikey}"
        if isinstance(issuer, dict):
            credential["issuer"] = dict(issuer, id=issuer_id)
        else:
            credential["issuer"] = issuer_id
    else:
        method = None  # RSA has no did:key; the JWT carries the public JWK
    if args.format == "jwt":
        credential.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
        if "validFrom" not in credential and "issuanceDate" not in credential:
            credential["validFrom"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        kid = method if (method and not method.startswith("did:key:")) else None
        try:
            print(vcjwt.sign(credential, key, kid=kid))
        except vcjwt.JwtError as exc:
            raise CliError(str(exc)) from None
        return 0
    if key.alg != "EdDSA":
        raise CliError("data-integrity (eddsa-rdfc-2022) needs an Ed25519 key; use --format jwt for RS256/ES256")
    credential.pop("proof", None)
    try:
        signed = data_integrity.sign(credential, key, method)
    except data_integrity.ProofError as exc:
        raise CliError(str(exc)) from None
    print(json.dumps(signed, indent=2, ensure_ascii=False))
    return 0


def _cmd_verify(args) -> int:
    data = _read(args.file)
    if args.offline:
        resolver, fetcher = did.DidKeyResolver(), None
    else:
        https = did.HttpsResolver()
        resolver, fetcher = did.ChainResolver(did.DidKeyResolver(), https), https.resolve
    report = verify(data, resolver=resolver, status_fetcher=fetcher)
    print(report.to_json(indent=2))
    if report.verified:
        return 0
    return 3 if report.conformant else 1  # 3: signature valid, issuer not proven


def _cmd_bake(args) -> int:
    from . import baking

    image = _read(args.image)
    payload = _read(args.credential).decode("utf-8", "replace").strip()
    credential = payload if vcjwt.looks_like_jwt(payload) else _load_json(args.credential)
    try:
        baked = baking.bake_svg(image, credential) if image.lstrip()[:1] == b"<" else baking.bake_png(image, credential)
    except baking.BakingError as exc:
        raise CliError(str(exc)) from None
    with open(args.out, "wb") as fh:
        fh.write(baked)
    return 0


def _cmd_extract(args) -> int:
    from . import baking

    try:
        baked = baking.extract(_read(args.image))
    except baking.BakingError as exc:
        raise CliError(str(exc)) from None
    print(baked.payload)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="openbadges", description="Open Badges 3.0 keys, signing and verification")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("keygen", help="create a signing key file (unencrypted)")
    p.add_argument("--out", required=True, help="key file to create (JWK JSON, mode 0600)")
    p.add_argument("--alg", default="EdDSA", choices=["EdDSA", "RS256", "ES256"])
    p.set_defaults(func=_cmd_keygen)

    p = sub.add_parser("sign", help="sign a credential (JSON on stdout, or the compact JWT)")
    p.add_argument("--key", required=True)
    p.add_argument("--format", default="data-integrity", choices=["data-integrity", "jwt"])
    p.add_argument("--did-document", help="did.json of a did:web issuer (instead of fetching it)")
    p.add_argument("credential")
    p.set_defaults(func=_cmd_sign)

    p = sub.add_parser("verify", help="verify a JSON credential, compact JWT or baked PNG/SVG")
    p.add_argument("file")
    p.add_argument("--offline", action="store_true", help="resolve did:key only; no network, no status lists")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("bake", help="embed a credential in a PNG or SVG")
    p.add_argument("--credential", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("image")
    p.set_defaults(func=_cmd_bake)

    p = sub.add_parser("extract", help="print the credential baked into an image")
    p.add_argument("image")
    p.set_defaults(func=_cmd_extract)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"openbadges {args.command}: {exc}", file=sys.stderr)
        return 2
