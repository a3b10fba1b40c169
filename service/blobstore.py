"""The app's artifact store, opened once per process from STORAGE_URL."""
from __future__ import annotations

from flask import current_app


def get_store():
    store = current_app.extensions.get("blobstore")
    if store is None:
        from storage import open_store

        config = current_app.config
        options = {}
        if config["STORAGE_URL"].startswith("s3://"):
            sse = config.get("STORAGE_SSE", "AES256")
            options = {"endpoint_url": config.get("STORAGE_ENDPOINT_URL"),
                       "region_name": config.get("STORAGE_REGION"),
                       "server_side_encryption": None if sse in (None, "", "none") else sse}
        store = open_store(config["STORAGE_URL"], **options)
        current_app.extensions["blobstore"] = store
    return store
