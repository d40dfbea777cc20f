"""The media store's one interface, against a folder and against a real S3-compatible HTTP
server (moto's ThreadedMotoServer, reached with boto3 like any S3 endpoint): the same
contract, and lesson media served with range requests from either."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from lms.content.models import MediaFile
from lms.core.storage import FolderStore, MediaStore, MissingMedia, S3Store, store_from_config
from lms.db import db

pytest.importorskip("moto")


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_store(endpoint: str, bucket: str) -> S3Store:
    store = S3Store(endpoint, bucket, "test-key", "test-secret")
    store.client.create_bucket(Bucket=bucket)
    return store


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path) -> MediaStore:
    if request.param == "folder":
        return FolderStore(tmp_path / "media")
    return s3_store(request.getfixturevalue("s3_endpoint"), f"lms-{tmp_path.name[-20:].lower()}")


def test_the_store_keeps_reads_in_ranges_and_deletes(store: MediaStore):
    data = bytes(range(256)) * 4000  # ~1 MB
    key = hashlib.sha256(data).hexdigest()
    assert not store.exists(key)
    with pytest.raises(MissingMedia):
        store.size(key)
    store.put(key, data, "video/mp4")
    store.put(key, data, "video/mp4")  # the same key twice writes once
    assert store.exists(key) and store.size(key) == len(data)
    assert store.read(key) == data
    assert store.read(key, 1000, 1010) == data[1000:1010]
    assert store.read(key, len(data) - 5) == data[-5:]
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(MissingMedia):
        store.read(key)


def test_s3_is_used_when_configured(s3_endpoint, tmp_path):
    config = {
        "MEDIA_S3_URL": s3_endpoint,
        "MEDIA_S3_BUCKET": "lms-config",
        "MEDIA_S3_KEY_ID": "k",
        "MEDIA_S3_SECRET": "s",
        "INSTANCE_PATH": str(tmp_path),
    }
    assert isinstance(store_from_config(config), S3Store)
    assert isinstance(store_from_config({"INSTANCE_PATH": str(tmp_path)}), FolderStore)


def test_a_second_web_node_serves_what_the_first_stored(app, s3_endpoint, client):
    """Two nodes share the bucket: a file kept through one store object is served, in ranges,
    through another made from the same settings (as on another machine)."""
    from lms.content import media
    from lms.core.roles import Role
    from tests.factories import make_user

    writer = s3_store(s3_endpoint, "lms-shared")
    reader = S3Store(s3_endpoint, "lms-shared", "test-key", "test-secret")
    app.extensions["lms_media_store"] = writer
    try:
        data = b"\x89PNG\r\n\x1a\n" + bytes(5000)
        row = media.keep(data, "image/png", "image", "media/a.png")
        app.extensions["lms_media_store"] = reader
        client.login_as(make_user(Role.CITY_ADMIN))
        whole = client.get(f"/media/{row.id}")
        assert whole.status_code == 200 and whole.data == data
        part = client.get(f"/media/{row.id}", headers={"Range": "bytes=8-15"})
        assert part.status_code == 206 and part.data == data[8:16]
        assert part.headers["Content-Range"] == f"bytes 8-15/{len(data)}"
        assert db.session.get(MediaFile, row.id).sha256 == hashlib.sha256(data).hexdigest()
    finally:
        app.extensions.pop("lms_media_store", None)
