"""Settings read from the environment, with safe defaults for a laptop.

Every setting has one name, used both as the environment variable and as the
Flask config key. Production refuses to start with a development secret.
"""
from __future__ import annotations

import base64
import os
from datetime import timedelta
from pathlib import Path

from openbadges.jwt import ALGORITHMS as JWT_ALGORITHMS

# Development defaults. They are public (they are in this file), so production
# refuses them; see `check_production_safety`.
DEV_SECRET_KEY = "dev-secret-key-not-for-production"
DEV_KEY_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"dev-kek-not-for-production-32by!").decode()


class ConfigError(RuntimeError):
    """The service cannot start with this configuration."""


def normalise_database_url(url: str) -> str:
    """Accept the common `postgres://` and `postgresql://` spellings and pin psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    env = os.environ
    instance = Path(instance_path)
    config = {
        "SERVICE_ENV": env.get("SERVICE_ENV", "development"),
        "SECRET_KEY": env.get("SECRET_KEY", DEV_SECRET_KEY),
        "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{instance / 'service.db'}"),
        "STORAGE_URL": env.get("STORAGE_URL", str(instance / "blobs")),
        # Only for S3-compatible stores that are not AWS (MinIO, moto, Ceph...).
        "STORAGE_ENDPOINT_URL": env.get("STORAGE_ENDPOINT_URL") or None,
        "STORAGE_REGION": env.get("STORAGE_REGION") or None,
        # Server-side encryption for S3: AES256 (default), aws:kms, or "none" for
        # stores that do not offer it.
        "STORAGE_SSE": env.get("STORAGE_SSE", "AES256"),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "KEY_ENCRYPTION_KEY": env.get("KEY_ENCRYPTION_KEY", DEV_KEY_ENCRYPTION_KEY),
        # Largest accepted upload, in bytes (default 2 GiB).
        "MAX_UPLOAD_BYTES": int(env.get("MAX_UPLOAD_BYTES", str(2 * 1024**3))),
        # Largest request body of an ordinary endpoint (JSON, forms); only the
        # endpoints marked in service/body_limits.py accept more.
        "BODY_LIMIT_BYTES": int(env.get("BODY_LIMIT_BYTES", str(1024 * 1024))),
        # Largest body of a document endpoint: verification input, framework
        # imports, CSV rosters, badge images.
        "DOCUMENT_BODY_LIMIT_BYTES": int(env.get("DOCUMENT_BODY_LIMIT_BYTES", str(16 * 1024 * 1024))),
        # A browser sign-in ends after this many hours (server-side, service/auth/sessions.py).
        "SESSION_LIFETIME_HOURS": float(env.get("SESSION_LIFETIME_HOURS", "12")),
        # Wrong passwords per e-mail address, and per client address, before
        # sign-in is refused for LOGIN_LOCKOUT_SECONDS (service/auth/throttle.py).
        "LOGIN_MAX_FAILURES": int(env.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(env.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "50")),
        "LOGIN_LOCKOUT_SECONDS": int(env.get("LOGIN_LOCKOUT_SECONDS", "900")),
        # A password-reset link works once, for this many minutes.
        "PASSWORD_RESET_MINUTES": int(env.get("PASSWORD_RESET_MINUTES", "60")),
        # Lifetime of an API token when the caller does not ask for less.
        "API_TOKEN_DEFAULT_DAYS": int(env.get("API_TOKEN_DEFAULT_DAYS", "30")),
        # "fast" is only for the test suite: Argon2 at production cost makes
        # thousands of test logins slow without testing anything more.
        "PASSWORD_HASH_PROFILE": env.get("PASSWORD_HASH_PROFILE", "production"),
        # SQLite only: the journal mode set on every connection. "wal" lets readers
        # and one writer proceed at once (the default "delete" blocks every reader
        # while a write commits, and makes writers wait in sleeps of up to 100 ms);
        # use "delete" only where WAL cannot work (a network filesystem).
        "SQLITE_JOURNAL_MODE": env.get("SQLITE_JOURNAL_MODE", "wal").lower(),
        # Where background jobs run: "inline" (a thread in this process) or a Redis URL.
        "JOB_QUEUE_URL": env.get("JOB_QUEUE_URL", "inline"),
        # How long a job worker's claim lasts without renewal; a dead worker's
        # jobs resume after this (service/jobs.py).
        "JOB_LEASE_SECONDS": int(env.get("JOB_LEASE_SECONDS", "60")),
        # A failed job that retries (the badge rule check after a score) waits
        # this long before its second attempt, doubling each time after.
        "JOB_RETRY_SECONDS": float(env.get("JOB_RETRY_SECONDS", "60")),
        # Inline runner: how often each web process looks for jobs whose lease
        # lapsed (their process died) and resumes them; 0 turns it off.
        "JOB_SWEEP_SECONDS": float(env.get("JOB_SWEEP_SECONDS", "60")),
        # Algorithm of the VC-JWT twin of each credential: RS256 is the one every
        # OB 3.0 verifier must support (integrity.md); ES256 and EdDSA also work.
        "JWT_ALGORITHM": env.get("JWT_ALGORITHM", "RS256"),
        # Where uploads are spooled while hashed and inspected (default: the
        # system temp dir). Put it on the same disk as local storage for speed.
        "UPLOAD_TMP_DIR": env.get("UPLOAD_TMP_DIR") or None,
        # host:port pairs on private networks that the verifier may fetch
        # credentials from (loopback and private ranges are refused otherwise).
        # Outgoing mail (service/mail.py). Without SMTP_HOST nothing is sent;
        # messages are only logged.
        "SMTP_HOST": env.get("SMTP_HOST") or None,
        "SMTP_PORT": int(env.get("SMTP_PORT", "25")),
        "SMTP_USERNAME": env.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or None,
        "SMTP_SECURITY": env.get("SMTP_SECURITY", "none"),
        "SMTP_TIMEOUT": float(env.get("SMTP_TIMEOUT", "10")),
        "MAIL_FROM": env.get("MAIL_FROM", "no-reply@localhost"),
        "BADGE_FETCH_ALLOW_PRIVATE": [
            item.strip() for item in env.get("BADGE_FETCH_ALLOW_PRIVATE", "").split(",") if item.strip()
        ],
    }
    if overrides:
        config.update(overrides)
    config["DATABASE_URL"] = normalise_database_url(config["DATABASE_URL"])
    config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    if config["SQLITE_JOURNAL_MODE"] not in ("wal", "delete"):
        raise ConfigError("SQLITE_JOURNAL_MODE must be wal or delete")
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(config["DATABASE_URL"])
    production = config["SERVICE_ENV"] == "production"
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config["SESSION_COOKIE_SECURE"] = production
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=config["SESSION_LIFETIME_HOURS"])
    # The cookie is re-sent only when it changes (service/auth/cookies.py).
    config["SESSION_REFRESH_EACH_REQUEST"] = False
    config["TESTING"] = config.get("TESTING", config["SERVICE_ENV"] == "testing")
    if str(config["SMTP_SECURITY"]).lower() not in ("none", "starttls", "tls"):
        raise ConfigError("SMTP_SECURITY must be none, starttls or tls")
    if config["JWT_ALGORITHM"] not in JWT_ALGORITHMS:
        raise ConfigError(f"JWT_ALGORITHM must be one of {', '.join(JWT_ALGORITHMS)}")
    if production:
        check_production_safety(config)
    config["KEY_ENCRYPTION_KEY_BYTES"] = decode_kek(config["KEY_ENCRYPTION_KEY"])
    return config


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        from .sqlite_writes import QueuedWritesConnection

        # Several threads (the dev server, inline jobs) share one file; wait for
        # the write lock rather than failing at once, queued (sqlite_writes.py).
        return {"connect_args": {"timeout": 30, "factory": QueuedWritesConnection}}
    # No pool_pre_ping: service/db.py pings only connections that sat idle.
    return {}


def decode_kek(value: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError as exc:
        raise ConfigError("KEY_ENCRYPTION_KEY must be 32 bytes, base64url-encoded") from exc
    if len(raw) != 32:
        raise ConfigError("KEY_ENCRYPTION_KEY must be 32 bytes, base64url-encoded")
    return raw


def check_production_safety(config: dict) -> None:
    problems = []
    if config["SECRET_KEY"] == DEV_SECRET_KEY or len(config["SECRET_KEY"]) < 32:
        problems.append("SECRET_KEY is the development default or shorter than 32 characters")
    if config["KEY_ENCRYPTION_KEY"] == DEV_KEY_ENCRYPTION_KEY:
        problems.append("KEY_ENCRYPTION_KEY is the development default")
    if not config["PUBLIC_BASE_URL"].startswith("https://"):
        problems.append("PUBLIC_BASE_URL must be an https:// origin in production")
    if config["PASSWORD_HASH_PROFILE"] != "production":
        problems.append("PASSWORD_HASH_PROFILE must be 'production'")
    if problems:
        raise ConfigError("refusing to start in production: " + "; ".join(problems))
