"""Reading and writing a cache file: JSON, read as nothing when missing or corrupt, written
atomically (a temporary file renamed over the old one), never an error."""

from __future__ import annotations

import json
import os
from typing import Any


def read_json(path: str) -> Any:
    """The file's JSON value, or None when it is missing, unreadable or not JSON."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def write_json(path: str, value: Any) -> bool:
    """Replace the file with ``value`` atomically; False when the folder is not writable."""
    import tempfile

    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".cache-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(value, stream)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return False
    return True
