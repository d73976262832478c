"""Uploaded files handed to background jobs: stored under MEDIA_ROOT/imports, read back by path."""

import uuid
from pathlib import Path

from django.conf import settings


def store_upload(uploaded, *, max_bytes: int | None = None) -> str:
    """Save an uploaded file and return its path relative to MEDIA_ROOT."""
    max_bytes = max_bytes or settings.IMPORT_MAX_BYTES
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"imports/{uuid.uuid4().hex}.csv"
    with open(Path(settings.MEDIA_ROOT) / relative, "wb") as target:
        for chunk in uploaded.chunks():
            target.write(chunk)
    return relative


def read_upload(relative: str) -> bytes:
    return (Path(settings.MEDIA_ROOT) / relative).read_bytes()


def read_limited(uploaded, max_bytes: int) -> bytes | None:
    """The upload's bytes, or None when it is larger than ``max_bytes`` (read no further)."""
    if uploaded.size is not None and uploaded.size > max_bytes:
        return None
    data = b"".join(uploaded.chunks())
    return None if len(data) > max_bytes else data
