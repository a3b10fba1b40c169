from __future__ import annotations

import base64

import pytest

from service.config import ConfigError, load_config, normalise_database_url


def test_defaults_are_embedded(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "STORAGE_URL", "SECRET_KEY", "PUBLIC_BASE_URL", "KEY_ENCRYPTION_KEY", "SERVICE_ENV"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'service.db'}"
    assert config["STORAGE_URL"] == str(tmp_path / "blobs")
    assert config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    assert len(config["KEY_ENCRYPTION_KEY_BYTES"]) == 32


def test_environment_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/app")
    monkeypatch.setenv("STORAGE_URL", "s3://bucket/prefix")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://badges.example.org/")
    config = load_config(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/app"
    assert config["STORAGE_URL"] == "s3://bucket/prefix"
    assert config["PUBLIC_BASE_URL"] == "https://badges.example.org"


def test_production_refuses_default_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVICE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("KEY_ENCRYPTION_KEY", raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://badges.example.org")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    with pytest.raises(ConfigError, match="KEY_ENCRYPTION_KEY"):
        load_config(str(tmp_path))
    monkeypatch.setenv("KEY_ENCRYPTION_KEY", base64.urlsafe_b64encode(b"k" * 32).decode())
    monkeypatch.setenv("PASSWORD_HASH_PROFILE", "production")
    assert load_config(str(tmp_path))["SESSION_COOKIE_SECURE"] is True


def test_bad_kek_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("KEY_ENCRYPTION_KEY", "too-short")
    with pytest.raises(ConfigError):
        load_config(str(tmp_path))


def test_database_url_normalisation():
    assert normalise_database_url("postgresql://a/b") == "postgresql+psycopg://a/b"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_production_answers_with_hsts_and_development_does_not(app_config, tmp_path, monkeypatch):
    from service import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    production = {**app_config, "SERVICE_ENV": "production", "TESTING": False, "SECRET_KEY": "s" * 40,
                  "KEY_ENCRYPTION_KEY": base64.urlsafe_b64encode(b"k" * 32).decode(),
                  "PUBLIC_BASE_URL": "https://badges.example.org", "PASSWORD_HASH_PROFILE": "production"}
    for path in ("/healthz", "/login", "/api/v1/me"):
        response = create_app(production).test_client().get(path)
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in create_app(app_config).test_client().get("/login").headers
