"""Where media files (lesson pictures, videos, captions, renditions) are kept: ONE interface,
two stores. A folder under the instance path by default; an S3-compatible object store when
``LMS_MEDIA_S3_URL`` is set, so that several web nodes and the job workers share the files.

Keys are content addresses (the SHA-256 of the bytes), so writing a file twice writes it once
and a key never changes meaning; nothing here knows about lessons or who may see what."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

CHUNK = 256 * 1024


class MissingMedia(LookupError):
    """The store holds no file under this key."""


class MediaStore(Protocol):
    name: str

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Keep ``data`` under ``key`` (idempotent: same key, same bytes)."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int:
        """The file's length in bytes; MissingMedia when absent."""

    def read(self, key: str, start: int = 0, stop: int | None = None) -> bytes:
        """Bytes ``start`` up to (not including) ``stop``; MissingMedia when absent."""

    def delete(self, key: str) -> None: ...


def chunks(store: MediaStore, key: str, start: int, stop: int) -> Iterator[bytes]:
    """The bytes from ``start`` to ``stop`` in pieces, so a large video never sits in memory."""
    position = start
    while position < stop:
        end = min(stop, position + CHUNK)
        yield store.read(key, position, end)
        position = end


class FolderStore:
    """Files under a folder, two levels of fan-out (``ab/abcdef…``), written atomically."""

    name = "folder"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise ValueError(f"bad media key {key!r}")
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        if path.exists() and path.stat().st_size == len(data):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise MissingMedia(key) from None

    def read(self, key: str, start: int = 0, stop: int | None = None) -> bytes:
        try:
            with self._path(key).open("rb") as source:
                source.seek(start)
                return source.read(-1 if stop is None else max(0, stop - start))
        except FileNotFoundError:
            raise MissingMedia(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Store:
    """An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, …) reached at ``endpoint``."""

    name = "s3"

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        key_id: str | None = None,
        secret: str | None = None,
        region: str = "us-east-1",
        prefix: str = "media/",
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            region_name=region,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}),
        )

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def put(self, key: str, data: bytes, content_type: str) -> None:
        if self.exists(key):
            return
        self.client.put_object(
            Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type
        )

    def _head(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise MissingMedia(key)
        return int(head["ContentLength"])

    def read(self, key: str, start: int = 0, stop: int | None = None) -> bytes:
        from botocore.exceptions import ClientError

        if stop is not None and stop <= start:
            return b""
        extra = {}
        if start or stop is not None:
            extra["Range"] = f"bytes={start}-{'' if stop is None else stop - 1}"
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key), **extra)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                raise MissingMedia(key) from None
            raise
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def store_from_config(config: Any, instance_path: str = "instance") -> MediaStore:
    """The store the settings name: S3 when ``MEDIA_S3_URL`` is set, else the folder (under
    the instance path unless ``MEDIA_ROOT`` names one)."""
    if config.get("MEDIA_S3_URL"):
        return S3Store(
            config["MEDIA_S3_URL"],
            config["MEDIA_S3_BUCKET"],
            config.get("MEDIA_S3_KEY_ID") or None,
            config.get("MEDIA_S3_SECRET") or None,
            config.get("MEDIA_S3_REGION") or "us-east-1",
        )
    root = config.get("MEDIA_ROOT") or os.path.join(
        config.get("INSTANCE_PATH") or instance_path, "media"
    )
    return FolderStore(root)


def media_store() -> MediaStore:
    """The application's store (made once per application)."""
    extensions = current_app.extensions
    if "lms_media_store" not in extensions:
        extensions["lms_media_store"] = store_from_config(
            current_app.config, current_app.instance_path
        )
    return extensions["lms_media_store"]
