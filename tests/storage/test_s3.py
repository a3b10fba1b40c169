"""Behaviour specific to the S3 backend, against moto's HTTP server."""

from __future__ import annotations

import io

import pytest

from storage.s3 import MIN_PART_SIZE, S3BlobStore
from tests.storage.helpers import GeneratedStream, count_calls, leftovers

pytestmark = pytest.mark.s3
MiB = 1024 * 1024


@pytest.mark.parametrize("size", [10, 6 * MiB], ids=["single-put", "multipart"])
def test_objects_are_encrypted_server_side(s3_store, size):
    blob = s3_store.put(GeneratedStream(size))
    head = s3_store.client.head_object(Bucket=s3_store.bucket, Key=s3_store.key_for(blob.digest))
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentLength"] == size


def test_encryption_can_be_disabled(s3_endpoint, s3_store):
    plain = S3BlobStore(s3_store.bucket, "plain", endpoint_url=s3_endpoint, server_side_encryption=None)
    blob = plain.put(io.BytesIO(b"x"))
    head = plain.client.head_object(Bucket=plain.bucket, Key=plain.key_for(blob.digest))
    assert "ServerSideEncryption" not in head


def test_keys_live_under_the_prefix(s3_store):
    blob = s3_store.put(io.BytesIO(b"abc"))
    keys = [o["Key"] for o in s3_store.client.list_objects_v2(Bucket=s3_store.bucket)["Contents"]]
    d = blob.digest
    assert keys == [f"artifacts/sha256/{d[:2]}/{d[2:4]}/{d}"]


def test_large_copy_goes_in_parts(s3_store):
    # Lower the single-copy threshold so the UploadPartCopy path runs on modest data.
    s3_store.max_single_copy = MIN_PART_SIZE
    copies = count_calls(s3_store, "UploadPartCopy")
    size = 3 * MIN_PART_SIZE + 123
    blob = s3_store.put(GeneratedStream(size))
    assert len(copies) == 4
    assert s3_store.size(blob.digest) == size
    assert s3_store.verify(blob.digest)
    assert leftovers(s3_store) == []


def test_unreachable_endpoint_is_a_storage_error():
    from storage import StorageError

    store = S3BlobStore("some-bucket", endpoint_url="http://127.0.0.1:9", region_name="us-east-1")
    with pytest.raises(StorageError):
        store.check()
    with pytest.raises(StorageError):
        store.put(io.BytesIO(b"x"))
    with pytest.raises(StorageError):
        store.exists("a" * 64)
