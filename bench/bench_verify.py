"""Verification throughput, one run, one credential shape.

    .venv/bin/python bench/bench_verify.py [--seconds 2]

Prints verifications/second for Data Integrity (eddsa-rdfc-2022) and VC-JWT
(RS256, EdDSA), raw Ed25519 verifies/s, and Digital Bazaar's verifier on the
same signed credential (timed inside node, needs tests/interop/node_modules),
with the ratios against the targets: DI >= 3x Digital Bazaar; VC-JWT >= 0.5x
raw Ed25519. Also ecdsa-sd-2023 derived-proof verification against Digital
Bazaar's (informative).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openbadges import canonical, data_integrity as di, did, keys  # noqa: E402
from openbadges import jwt as vcjwt  # noqa: E402
from openbadges.verify import verify  # noqa: E402

MAX_ITERATIONS = 200_000


def credential(issuer: str, n: int = 0) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Bench College"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": f"Lab safety #{n}",
        "credentialSubject": {
            "id": f"did:example:learner{n}",
            "type": ["AchievementSubject"],
            "achievement": {"id": "https://college.example/achievements/lab-safety", "type": ["Achievement"],
                            "name": "Lab safety", "description": "Follows the lab safety protocol.",
                            "criteria": {"narrative": "Scored 3 or 4 on every rubric row."}},
            "result": [{"type": ["Result"], "value": "4"}],
        },
    }


def rate(fn, seconds: float, warmup: int = 20) -> float:
    """Calls per second of fn(i), bounded by time and MAX_ITERATIONS."""
    for i in range(warmup):
        fn(i)
    n, start = 0, time.perf_counter()
    deadline = start + seconds
    while n < MAX_ITERATIONS:
        fn(n)
        n += 1
        if n % 16 == 0 and time.perf_counter() > deadline:
            break
    return n / (time.perf_counter() - start)


def digital_bazaar_rate(signed: dict, iterations: int, cryptosuite: str = "eddsa-rdfc-2022") -> float | None:
    harness = ROOT / "tests/interop/harness.mjs"
    if not (ROOT / "tests/interop/node_modules").is_dir():
        return None
    request = {"op": "bench", "credential": signed, "iterations": iterations, "cryptosuite": cryptosuite}
    proc = subprocess.run(["node", str(harness)], input=json.dumps(request),
                          capture_output=True, text=True, timeout=600, cwd=harness.parent)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return None
    out = json.loads(proc.stdout)
    if out["verified"] != iterations:
        raise SystemExit(f"Digital Bazaar failed to verify the bench credential: {out}")
    return out["per_second"]


def digital_bazaar_derive(credential: dict) -> dict | None:
    harness = ROOT / "tests/interop/harness.mjs"
    if not (ROOT / "tests/interop/node_modules").is_dir():
        return None
    request = {"op": "sd-derive", "credential": credential,
               "mandatoryPointers": ["/issuer", "/validFrom", "/credentialSubject/achievement"],
               "selectivePointers": ["/credentialSubject/id", "/name"]}
    proc = subprocess.run(["node", str(harness)], input=json.dumps(request), capture_output=True, text=True,
                          timeout=600, cwd=harness.parent)
    return json.loads(proc.stdout)["derived"] if proc.returncode == 0 else None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--db-iterations", type=int, default=300)
    args = parser.parse_args()

    ed = keys.generate("EdDSA")
    rsa = keys.generate("RS256")
    issuer = did.did_key(ed.public_key)
    vm = f"{issuer}#{ed.public_key.multikey}"
    base = credential(issuer)
    signed = di.sign(base, ed, vm)
    distinct = [di.sign(credential(issuer, n), ed, vm) for n in range(200)]
    jwt_ed = vcjwt.sign(base, ed)
    jwt_rs = vcjwt.sign(dict(base, issuer=dict(base["issuer"], id="https://college.example/issuer")), rsa)
    assert di.verify(signed, issuer=issuer).verified and verify(signed).verified
    assert vcjwt.verify(jwt_ed).verified and vcjwt.verify(jwt_rs).verified

    s = args.seconds
    results = {}
    results["di_proof"] = rate(lambda i: di.verify(signed, issuer=issuer), s)
    results["di_proof_distinct"] = rate(lambda i: di.verify(distinct[i % 200], issuer=issuer), s)
    results["di_report"] = rate(lambda i: verify(signed), s)
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    results["generic_canon_per_s"] = rate(lambda i: canonical.canonicalize_generic(unsigned), s, warmup=3)
    results["fast_canon_per_s"] = rate(lambda i: canonical.canonicalize(unsigned), s)
    results["jwt_eddsa"] = rate(lambda i: vcjwt.verify(jwt_ed), s)
    results["jwt_rs256"] = rate(lambda i: vcjwt.verify(jwt_rs), s)
    results["jwt_eddsa_report"] = rate(lambda i: verify(jwt_ed), s)
    msg = os.urandom(64)
    sig = ed.sign(msg)
    pub = ed.public_key.key
    results["raw_ed25519"] = rate(lambda i: pub.verify(sig, msg), s, warmup=100)
    results["digital_bazaar"] = digital_bazaar_rate(signed, args.db_iterations)
    # ecdsa-sd-2023: Digital Bazaar issues the bench credential (P-256 did:key) and derives it, disclosing
    # the recipient and name on top of issuer, dates and achievement; both sides verify that derived credential
    derived = digital_bazaar_derive(base)
    if derived is not None:
        assert di.verify(derived).verified
        results["sd_proof"] = rate(lambda i: di.verify(derived), s)
        results["digital_bazaar_sd"] = digital_bazaar_rate(derived, max(args.db_iterations // 3, 20), "ecdsa-sd-2023")
    else:
        results["sd_proof"] = results["digital_bazaar_sd"] = None

    print(f"Python {sys.version.split()[0]}, {args.seconds:.1f} s per measurement, same credential throughout\n")
    rows = [
        ("Data Integrity verify (proof only, eddsa-rdfc-2022)", "di_proof"),
        ("Data Integrity verify, 200 distinct credentials", "di_proof_distinct"),
        ("Data Integrity full report verify()", "di_report"),
        ("VC-JWT verify EdDSA", "jwt_eddsa"),
        ("VC-JWT verify RS256", "jwt_rs256"),
        ("VC-JWT EdDSA full report verify()", "jwt_eddsa_report"),
        ("raw Ed25519 verify (cryptography)", "raw_ed25519"),
        ("RDFC-1.0 canonicalize, fast path (docs/s)", "fast_canon_per_s"),
        ("RDFC-1.0 canonicalize, generic pyld (docs/s)", "generic_canon_per_s"),
        ("Digital Bazaar vc.verifyCredential (node)", "digital_bazaar"),
        ("ecdsa-sd-2023 derived proof verify", "sd_proof"),
        ("Digital Bazaar ecdsa-sd-2023 verifyCredential (node)", "digital_bazaar_sd"),
    ]
    for label, key in rows:
        value = results[key]
        print(f"{label:<55} {value:>10.0f} /s" if value else f"{label:<55} {'n/a':>10}")
    print()
    db = results["digital_bazaar"]
    if db:
        ratio = results["di_proof"] / db
        print(f"DI proof verify / Digital Bazaar   = {ratio:5.1f}x  (target >= 3x): {'OK' if ratio >= 3 else 'MISSED'}")
        full = results["di_report"] / db
        print(f"DI full report  / Digital Bazaar   = {full:5.1f}x  (includes JSON schema, dates; informative)")
        if results["digital_bazaar_sd"]:
            sd = results["sd_proof"] / results["digital_bazaar_sd"]
            print(f"SD proof verify / Digital Bazaar   = {sd:5.1f}x  (ecdsa-sd-2023; informative)")
    else:
        print("Digital Bazaar rate not measured (npm ci in tests/interop first)")
    for key, label in (("jwt_eddsa", "VC-JWT EdDSA"), ("jwt_rs256", "VC-JWT RS256")):
        ratio = results[key] / results["raw_ed25519"]
        print(f"{label:<12} / raw Ed25519         = {ratio:5.2f}x  (target >= 0.5x): {'OK' if ratio >= 0.5 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
