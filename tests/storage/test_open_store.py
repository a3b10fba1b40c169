"""open_store URL parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import open_store
from storage.local import LocalBlobStore
from storage.s3 import S3BlobStore


def test_local_urls(tmp_path):
    for url in (str(tmp_path), f"file://{tmp_path}", f"file://localhost{tmp_path}"):
        store = open_store(url)
        assert isinstance(store, LocalBlobStore) and store.root == Path(tmp_path)


def test_s3_url_with_options():
    store = open_store(
        "s3://my-bucket/some/prefix/",
        endpoint_url="http://127.0.0.1:9",
        region_name="eu-west-1",
        server_side_encryption=None,
    )
    assert isinstance(store, S3BlobStore)
    assert store.bucket == "my-bucket" and store.prefix == "some/prefix/"
    assert store.key_for("a" * 64) == f"some/prefix/sha256/aa/aa/{'a' * 64}"
    assert store.client.meta.region_name == "eu-west-1"


def test_s3_url_without_prefix():
    store = open_store("s3://my-bucket", region_name="us-east-1")
    assert store.prefix == "" and store.key_for("b" * 64).startswith("sha256/bb/bb/")


@pytest.mark.parametrize(
    "url, message",
    [
        ("", "required"),
        ("ftp://host/x", "unsupported"),
        ("s3:///prefix", "bucket"),
        ("file://otherhost/x", "local"),
    ],
)
def test_bad_urls(url, message):
    with pytest.raises(ValueError, match=message):
        open_store(url)


def test_local_rejects_options(tmp_path):
    with pytest.raises(ValueError, match="no options"):
        open_store(str(tmp_path), endpoint_url="http://x")


def test_part_size_below_s3_minimum_is_refused():
    with pytest.raises(ValueError, match="part_size"):
        open_store("s3://my-bucket", region_name="us-east-1", part_size=1024)
