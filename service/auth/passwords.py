"""Argon2id password hashing (argon2-cffi, RFC 9106 parameters)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_PROFILES = {
    # argon2-cffi's defaults follow RFC 9106's second recommended option.
    "production": PasswordHasher(),
    # Minimal cost, only for the test suite (config refuses it in production).
    "fast": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}

MIN_PASSWORD_LENGTH = 10


def _hasher() -> PasswordHasher:
    return _PROFILES[current_app.config.get("PASSWORD_HASH_PROFILE", "production")]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same effort as a real check so timing does not reveal
        # which accounts exist.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        problems.append("must be at most 1024 characters")
    return problems
