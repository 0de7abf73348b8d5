"""Where the caches live, and reading and writing a cache file: read as nothing when missing or
corrupt, written atomically (a temporary file renamed over the old one), never an error.

Two encodings: JSON for the reference cache, and ``marshal`` (the format of Python's own
``__pycache__``, which needs no import) for the result cache, which is read on every run.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def default_directory() -> str | None:
    """``$VALOHAI_IMAGE_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/valohai-image-lint``, else
    ``~/.cache/valohai-image-lint``; None (no cache) when ``VALOHAI_IMAGE_LINT_NO_CACHE`` is set
    or there is no absolute home or cache folder."""
    if os.environ.get("VALOHAI_IMAGE_LINT_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("VALOHAI_IMAGE_LINT_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None  # no home directory (HOME unset, no passwd entry): no cache, not ./~
        base = os.path.join(home, ".cache")
    if not os.path.isabs(base):
        return None
    return os.path.join(base, "valohai-image-lint")


def _read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def read_json(path: str) -> Any:
    """The file's JSON value, or None when it is missing, unreadable or not JSON."""
    import json

    data = _read_bytes(path)
    try:
        return None if data is None else json.loads(data)
    except ValueError:  # not JSON, or not UTF-8
        return None


def read_marshal(path: str) -> Any:
    """The file's ``marshal`` value, or None when it is missing, unreadable or corrupt."""
    import marshal  # built in: no file to load

    data = _read_bytes(path)
    try:
        return None if data is None else marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None


def write_json(path: str, value: Any) -> bool:
    """Replace the file with ``value`` as JSON atomically; False when the folder is not writable."""
    import json

    return _write_atomically(path, json.dumps(value).encode("utf-8"))


def write_marshal(path: str, value: Any) -> bool:
    """Replace the file with ``value`` marshalled, atomically; False when it cannot be written."""
    import marshal

    try:
        data = marshal.dumps(value)
    except ValueError:  # a value marshal cannot hold: no cache rather than an error
        return False
    return _write_atomically(path, data)


def _write_atomically(path: str, data: bytes) -> bool:
    import tempfile

    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".cache-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return False
    return True
