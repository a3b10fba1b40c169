"""Portfolio tests run where storage matters against both backends: a local
folder and S3 on moto's HTTP server (boto3 speaking real HTTP to it)."""
from __future__ import annotations

import uuid

import pytest

from tests.support.s3server import moto_s3_server


@pytest.fixture(scope="session")
def s3_endpoint():
    with moto_s3_server() as url:
        yield url


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def storage_backend(request):
    return request.param


@pytest.fixture
def app_config(app_config, request):
    """Tests that ask for `storage_backend` get the app wired to that backend."""
    if "storage_backend" in request.fixturenames and request.getfixturevalue("storage_backend") == "s3":
        import boto3

        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = f"artifacts-{uuid.uuid4().hex[:12]}"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
        app_config = {**app_config, "STORAGE_URL": f"s3://{bucket}/portfolio", "STORAGE_ENDPOINT_URL": endpoint,
                      "STORAGE_REGION": "us-east-1"}
    return app_config


@pytest.fixture
def school(factory):
    return factory.school()


@pytest.fixture
def store(app):
    from service.blobstore import get_store

    with app.app_context():
        return get_store()
