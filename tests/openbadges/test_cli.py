"""The command line, run as a real subprocess (``python -m openbadges``)."""
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from openbadges import did, keys

ROOT = Path(__file__).resolve().parents[2]


def run(*args, check=True):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "openbadges", *map(str, args)], capture_output=True, text=True, env=env, timeout=60)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stderr}")
    return proc


CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "urn:uuid:5b8a3c0e-1d2f-4a6b-8c9d-0e1f2a3b4c5d",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://placeholder.example", "type": ["Profile"], "name": "College"},
    "validFrom": "2024-01-01T00:00:00Z",
    "name": "CLI badge",
    "credentialSubject": {
        "id": "did:example:learner",
        "type": ["AchievementSubject"],
        "achievement": {"id": "https://college.example/achievements/cli", "type": ["Achievement"], "name": "CLI",
                        "description": "Uses the command line.", "criteria": {"narrative": "Ran it."}},
    },
}


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "cred.json").write_text(json.dumps(CREDENTIAL))
    return tmp_path


def test_keygen_warns_and_protects_the_file(workdir):
    proc = run("keygen", "--out", workdir / "key.json")
    assert "UNENCRYPTED" in proc.stderr
    info = json.loads(proc.stdout)
    assert info["did"].startswith("did:key:z6Mk")
    assert (workdir / "key.json").stat().st_mode & 0o777 == 0o600
    again = run("keygen", "--out", workdir / "key.json", check=False)
    assert again.returncode == 2 and "refusing to overwrite" in again.stderr


def test_sign_and_verify_data_integrity(workdir):
    info = json.loads(run("keygen", "--out", workdir / "key.json").stdout)
    signed = run("sign", "--key", workdir / "key.json", workdir / "cred.json").stdout
    doc = json.loads(signed)
    assert doc["issuer"]["id"] == info["did"]
    assert doc["proof"]["verificationMethod"] == f"{info['did']}#{info['publicKeyMultibase']}"
    (workdir / "signed.json").write_text(signed)
    proc = run("verify", "--offline", workdir / "signed.json")
    report = json.loads(proc.stdout)
    assert report["verified"] is True and {c["check"] for c in report["checks"]} >= {"parse", "proof", "validity"}
    doc["name"] = "tampered"
    (workdir / "bad.json").write_text(json.dumps(doc))
    bad = run("verify", "--offline", workdir / "bad.json", check=False)
    assert bad.returncode == 1 and json.loads(bad.stdout)["verified"] is False


@pytest.mark.parametrize("alg", ["EdDSA", "RS256", "ES256"])
def test_sign_jwt_and_verify(workdir, alg):
    run("keygen", "--alg", alg, "--out", workdir / "key.json")
    token = run("sign", "--key", workdir / "key.json", "--format", "jwt", workdir / "cred.json").stdout.strip()
    assert token.count(".") == 2
    (workdir / "cred.jwt").write_text(token)
    proc = run("verify", "--offline", workdir / "cred.jwt", check=False)
    report = json.loads(proc.stdout)
    assert report["format"] == "jwt" and report["conformant"] is True
    if alg == "RS256":
        # RSA has no did:key: the token carries its own jwk, which proves no issuer.
        assert proc.returncode == 3 and report["verified"] is False
        assert report["key_binding"]["bound"] is False
    else:
        assert proc.returncode == 0 and report["verified"] is True
        assert report["key_binding"]["how"] == "did:key"


def test_did_web_issuer_with_local_did_document(workdir):
    key = keys.generate()
    (workdir / "key.json").write_text(key.to_keyfile())
    web = "did:web:college.example"
    (workdir / "did.json").write_text(json.dumps(did.did_document(web, [key.public_key], fragments=["key-1"])))
    cred = dict(CREDENTIAL, issuer={"id": web, "type": ["Profile"], "name": "College"})
    (workdir / "web.json").write_text(json.dumps(cred))
    doc = json.loads(run("sign", "--key", workdir / "key.json", "--did-document", workdir / "did.json", workdir / "web.json").stdout)
    assert doc["issuer"]["id"] == web and doc["proof"]["verificationMethod"] == f"{web}#key-1"
    stranger = keys.generate()
    (workdir / "other.json").write_text(stranger.to_keyfile())
    refused = run("sign", "--key", workdir / "other.json", "--did-document", workdir / "did.json", workdir / "web.json", check=False)
    assert refused.returncode == 2 and "not an assertionMethod" in refused.stderr


def png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(b"IEND", b""))


def test_bake_extract_verify_png(workdir):
    run("keygen", "--out", workdir / "key.json")
    (workdir / "signed.json").write_text(run("sign", "--key", workdir / "key.json", workdir / "cred.json").stdout)
    (workdir / "badge.png").write_bytes(png())
    run("bake", "--credential", workdir / "signed.json", workdir / "badge.png", "--out", workdir / "baked.png")
    extracted = json.loads(run("extract", workdir / "baked.png").stdout)
    assert extracted == json.loads((workdir / "signed.json").read_text())
    assert json.loads(run("verify", "--offline", workdir / "baked.png").stdout)["verified"] is True


def test_usage_errors_exit_2(workdir):
    assert run("verify", workdir / "missing.json", check=False).returncode == 2
    (workdir / "bad.key").write_text("nope")
    proc = run("sign", "--key", workdir / "bad.key", workdir / "cred.json", check=False)
    assert proc.returncode == 2 and "bad.key" in proc.stderr
    assert run("extract", workdir / "cred.json", check=False).returncode == 2
