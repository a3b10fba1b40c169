"""Fixtures that run the blob store contract against every backend."""

from __future__ import annotations

import uuid

import boto3
import pytest

from storage.local import LocalBlobStore
from storage.s3 import MIN_PART_SIZE, S3BlobStore
from tests.support.s3server import moto_s3_server


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
