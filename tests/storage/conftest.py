"""Fixtures that run the blob store contract against every backend."""

from __future__ import annotations

import contextlib
import os
import time
import uuid

import boto3
import pytest

from storage.local import LocalBlobStore
from storage.s3 import MIN_PART_SIZE, S3BlobStore
from tests.support.s3server import moto_s3_server, set_clock_offset


@pytest.fixture(scope="session")
def s3_endpoint():
    with moto_s3_server() as url:
        yield url


@pytest.fixture
def s3_client(s3_endpoint):
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")


@pytest.fixture
def s3_store(s3_endpoint, s3_client):
    bucket = f"blobs-{uuid.uuid4().hex[:12]}"  # a fresh bucket per test
    s3_client.create_bucket(Bucket=bucket)
    # Smallest legal part size, so multipart is exercised with modest data.
    return S3BlobStore(bucket, "artifacts", endpoint_url=s3_endpoint, part_size=MIN_PART_SIZE)


@pytest.fixture
def local_store(tmp_path):
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def store(request):
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def backdate(request):
    """``with backdate(store, seconds):`` everything the store writes inside the block is
    ``seconds`` old when it ends (S3: the server's clock is set back meanwhile; local:
    the block's files get their modification time set back), instead of sleeping."""

    @contextlib.contextmanager
    def aged(store, seconds: float):
        if isinstance(store, S3BlobStore):
            endpoint = request.getfixturevalue("s3_endpoint")
            set_clock_offset(endpoint, -seconds)
            try:
                yield
            finally:
                set_clock_offset(endpoint, 0)
            return
        before = {p for p in store.root.rglob("*") if p.is_file()}
        yield
        then = time.time() - seconds
        for path in store.root.rglob("*"):
            if path.is_file() and path not in before:
                os.utime(path, (then, then))

    return aged
