"""`PORT=5101 make run` must not sign credentials for :5000 silently (issue 12)."""
from __future__ import annotations

import os
import subprocess


def test_make_run_derives_the_public_url_from_host_and_port():
    # A PUBLIC_BASE_URL in the environment wins by design; this checks the derived default.
    env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "MAKEFLAGS", "MAKELEVEL")}
    out = subprocess.run(["make", "-n", "run", "PORT=5101"], capture_output=True, text=True, check=True,
                         env=env).stdout
    assert "as http://127.0.0.1:5101" in out
    out = subprocess.run(["make", "-n", "run", "HOST=0.0.0.0", "PORT=8080"], capture_output=True, text=True,
                         check=True, env=env).stdout
    assert "as http://127.0.0.1:8080" in out


def test_development_warns_when_served_elsewhere_than_its_public_url(app_config, tmp_path, caplog):
    from service import create_app

    app = create_app(dict(app_config, SERVICE_ENV="development", PUBLIC_BASE_URL="http://127.0.0.1:5000"))
    client = app.test_client()
    page = client.get("/login", base_url="http://127.0.0.1:5101").get_data(as_text=True)
    assert "origin-warning" in page and "PUBLIC_BASE_URL=http://127.0.0.1:5101" in page
    assert any("PUBLIC_BASE_URL is http://127.0.0.1:5000" in r.getMessage() for r in caplog.records)
    assert "origin-warning" not in client.get("/login", base_url="http://127.0.0.1:5000").get_data(as_text=True)
    with app.app_context():
        from service.extensions import db

        db.engine.dispose()
