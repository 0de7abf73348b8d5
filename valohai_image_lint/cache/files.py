"""Where the caches live, and reading and writing a cache file: read as nothing when missing or
corrupt, written atomically (a temporary file renamed over the old one), never an error.

The files are ``marshal``'s format (Python's own ``__pycache__`` format, built into the
interpreter: reading it imports nothing, where ``json`` imports ``re``). They are written by
this tool into the user's own cache folder, which is trusted as ``__pycache__`` is.
"""

from __future__ import annotations

import os

from ..reading import read_bytes

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


_MAGIC = b"VILC1"


def digest(data: bytes, size: int = 16) -> bytes:
    """A BLAKE2b digest of ``data``, ``size`` bytes long, without importing OpenSSL (``hashlib``
    costs a few milliseconds of every run)."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - other Pythons
        from hashlib import blake2b
    return blake2b(data, digest_size=size).digest()


def read_marshal(path: str) -> Any:
    """The file's ``marshal`` value, or None when it is missing, unreadable or damaged. The
    payload is checked against its digest first: ``marshal`` trusts the sizes it reads, and a
    flipped bit can make it try to build a list of a billion items."""
    import marshal  # built in: no file to load

    data = read_bytes(path)
    if data is None or not data.startswith(_MAGIC):
        return None
    start = len(_MAGIC) + 16
    payload = data[start:]
    if data[len(_MAGIC) : start] != digest(payload):
        return None
    try:
        return marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None


def write_marshal(path: str, value: Any) -> bool:
    """Replace the file with ``value`` marshalled (after a digest of it), atomically; False when
    it cannot be written."""
    import marshal

    try:
        payload = marshal.dumps(value)
    except ValueError:  # a value marshal cannot hold: no cache rather than an error
        return False
    return _write_atomically(path, _MAGIC + digest(payload) + payload)


def _write_atomically(path: str, data: bytes) -> bool:
    """Write a temporary file beside ``path`` (a name no other process picks: this process's id
    and random bytes, created exclusively) and rename it over ``path``. Not ``tempfile``, which
    imports ``shutil``, ``random`` and more: a few milliseconds of every run that writes."""
    directory = os.path.dirname(path)
    temporary = os.path.join(directory, f".cache-{os.getpid()}-{os.urandom(6).hex()}.tmp")
    try:
        os.makedirs(directory, exist_ok=True)
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
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
