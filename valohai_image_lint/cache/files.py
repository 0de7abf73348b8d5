"""Where the caches live, what their entries are keyed by, and reading and writing a cache file:
read as nothing when missing, corrupt, too big or not ours; written atomically (a temporary
file renamed over the old one); never an error.

A cache folder is used only when it is the current user's own: a real folder (not a symbolic
link), owned by this user and writable by no one else (as pip and ccache check). It is created
``0700``. A cache file is opened without following symbolic links and without blocking, and
read only when it is a regular file of this user's under ``MAX_FILE_BYTES``. Anything else (a
folder someone else made, a FIFO, a link to ``/dev/zero``) means the run goes on without that
cache, silently.

A cache file is ``MAGIC``, a digest of the rest, and records: each a key (text) and a value
(bytes), in the order written, oldest first. Values are ``marshal``'s format (Python's own
``__pycache__`` format, built into the interpreter: reading it imports nothing, where ``json``
imports ``re``), checked to be well formed before ``marshal`` reads them (``load_value``): marshal
trusts the sizes it reads, and a few bytes can make it build a tuple of two billion items. The
records' frame is read without ``marshal``, so a lookup decodes only the values it needs.
"""

from __future__ import annotations

import os
import stat
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_FILE_BYTES = 2 * 2**20
"""The largest cache file read or written: the oldest records are dropped to stay under it."""
MAX_RECORD_BYTES = 256 * 2**10
"""The largest record (key and value) stored: a bigger one is not cached."""

_MAGIC = b"VILC2"
_DIGEST_SIZE = 16
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_AT_FOLDER = os.open in os.supports_dir_fd and os.rename in os.supports_dir_fd and hasattr(os, "geteuid")
"""Whether cache files are opened relative to the checked folder's descriptor (POSIX; ``os.replace``
takes the same ``dir_fd`` arguments as ``os.rename``, though ``supports_dir_fd`` lists only the
latter). Where not (Windows), they are opened by path and the owner is not checked, as pip does."""


def default_directory() -> str | None:
    """``$VALOHAI_IMAGE_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/valohai-image-lint``, else
    ``~/.cache/valohai-image-lint``; None (no cache) when ``VALOHAI_IMAGE_LINT_NO_CACHE`` is set
    or there is no absolute home or cache folder. A relative variable is ignored (as the XDG
    spec says): it would name a folder of whatever repository the run happens to be in."""
    if os.environ.get("VALOHAI_IMAGE_LINT_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("VALOHAI_IMAGE_LINT_CACHE_DIR", "")
    if os.path.isabs(explicit):
        return explicit
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None  # no home directory (HOME unset, no passwd entry): no cache, not ./~
        base = os.path.join(home, ".cache")
    return os.path.join(base, "valohai-image-lint")


# -- what an answer depends on ---------------------------------------------------------------------

_DEPENDENCIES = (
    # (its top-level package, or None for an extension module; the module; its distribution's
    # name normalized)
    ("ruamel", "ruamel", "ruamel_yaml"),
    (None, "_ruamel_yaml", "ruamel_yaml_clib"),
    ("docker_image", "docker_image", "docker_image_py"),
    ("regex", "regex", "regex"),
    *((("tomli", "tomli", "tomli"),) if sys.version_info < (3, 11) else ()),  # tomllib's stand-in
)
_fingerprint: str | None = None


def code_fingerprint() -> str:
    """Everything besides its inputs that can change an answer, as text: this package's version
    and the size and modification time of each of its source files (a changed rule, even in an
    editable install, changes it), the interpreter's implementation and version, and the
    installed build of each dependency that reads the inputs. Found without importing anything
    (``importlib.metadata`` would cost the cached run more than the rest of it): computed once a
    process."""
    global _fingerprint
    if _fingerprint is None:
        from .. import __version__

        parts = [__version__, sys.implementation.name, sys.version, *_package_files(), *_dependency_builds()]
        _fingerprint = "\n".join(parts)
    return _fingerprint


def _package_files() -> list[str]:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the package, above cache/
    parts: list[str] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                stack.append(entry.path)
            elif entry.name.endswith(".py"):
                try:
                    info = entry.stat()
                except OSError:
                    continue
                parts.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
    return parts


def _dependency_builds() -> list[str]:
    """For each dependency, where the import system would find it (the first ``sys.path`` folder
    holding its module) and its ``.dist-info`` there, with the size and modification time of its
    ``RECORD`` (which lists every installed file's hash: another build, or a reinstall, changes
    it); or ``absent``. A few ``stat`` calls a folder, and one listing of the folder they are in."""
    import _imp  # built in: the suffixes the import system tries for an extension module

    suffixes = _imp.extension_suffixes()
    found: list[str] = []
    listings: dict[str, list[str]] = {}
    for package, module, distribution in _DEPENDENCIES:
        for folder in sys.path:
            folder = os.path.abspath(folder or ".")
            names = [package] if package is not None else [module + suffix for suffix in suffixes]
            if any(os.path.exists(os.path.join(folder, name)) for name in names):
                break
        else:
            found.append(f"{distribution}=absent")
            continue
        if folder not in listings:
            try:
                listings[folder] = sorted(name for name in os.listdir(folder) if name.endswith(".dist-info"))
            except OSError:
                listings[folder] = []
        stamps = [folder]
        for name in listings[folder]:
            if _distribution_of(name) == distribution:
                try:
                    info = os.stat(os.path.join(folder, name, "RECORD"))
                    stamps.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
                except OSError:
                    stamps.append(name)
        found.append(f"{distribution}={':'.join(stamps)}")
    return found


def _distribution_of(dist_info: str) -> str:
    """``ruamel.yaml-0.18.6.dist-info`` -> ``ruamel_yaml`` (names compared as the wheel spec
    normalizes them)."""
    name = dist_info.split("-", 1)[0].lower()
    return name.replace(".", "_").replace("-", "_")


def digest(data: bytes, size: int = 16) -> bytes:
    """A BLAKE2b digest of ``data``, ``size`` bytes long, without importing OpenSSL (``hashlib``
    costs a few milliseconds of every run)."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - other Pythons
        from hashlib import blake2b
    return blake2b(data, digest_size=size).digest()


# -- values --------------------------------------------------------------------------------------

_SCALARS = {ord("N"): 0, ord("T"): 0, ord("F"): 0, ord("i"): 4, ord("g"): 8}
_SIZED = frozenset(map(ord, "uatAs"))  # a 4-byte length, then that many bytes
_SHORT = frozenset(map(ord, "zZ"))  # a 1-byte length
_LIST, _LONG, _REF, _SMALL_TUPLE, _TUPLE = map(ord, "[lr)(")
_MAX_DEPTH = 32


def dump_value(value: Any) -> bytes | None:
    """``value`` in ``marshal``'s format, or None for a value marshal cannot hold."""
    import marshal  # built in: no file to load

    try:
        return marshal.dumps(value)
    except ValueError:
        return None


def load_value(data: bytes) -> Any:
    """The value of ``dump_value``'s bytes, or None when they are not exactly one well-formed
    value of the kinds the caches store (None, booleans, integers, floats, text, bytes, lists and
    tuples of them): checked first, so that every item a container claims is there and
    ``marshal`` allocates no more than the bytes describe."""
    import marshal

    if not _well_formed(data):
        return None
    try:
        return marshal.loads(data)
    except Exception:  # MemoryError included: a cache that cannot be read is a miss
        return None


def _well_formed(data: bytes) -> bool:
    end = len(data)
    position = 0
    references = 0
    left = [1]  # the items still to read at each level of nesting
    while left:
        if left[-1] == 0:
            left.pop()
            continue
        left[-1] -= 1
        if position >= end:
            return False
        code = data[position] & 0x7F
        references += data[position] >> 7  # FLAG_REF: the object gets the next reference index
        position += 1
        if code in _SCALARS:
            position += _SCALARS[code]
        elif code in _SIZED:
            position += 4 + int.from_bytes(data[position : position + 4], "little")
        elif code in _SHORT:
            position += 1 + (data[position] if position < end else 0)
        elif code == _LONG:
            position += 4 + 2 * abs(int.from_bytes(data[position : position + 4], "little", signed=True))
        elif code == _REF:
            if int.from_bytes(data[position : position + 4], "little") >= references:
                return False
            position += 4
        elif code in (_LIST, _TUPLE, _SMALL_TUPLE):
            width = 1 if code == _SMALL_TUPLE else 4
            count = int.from_bytes(data[position : position + width], "little")
            position += width
            if count > end - position or len(left) > _MAX_DEPTH:
                return False  # more items than bytes left: a size no writer of ours wrote
            left.append(count)
        else:
            return False
        if position > end:
            return False
    return position == end


# -- files ----------------------------------------------------------------------------------------


def read_records(path: str) -> dict[str, bytes] | None:
    """The records of the cache file, oldest first, or None when it is missing, not ours, not a
    regular file, over ``MAX_FILE_BYTES`` or damaged (its digest does not match)."""
    data = _read_file(path)
    if data is None or not data.startswith(_MAGIC):
        return None
    start = len(_MAGIC) + _DIGEST_SIZE
    if data[len(_MAGIC) : start] != digest(data[start:], _DIGEST_SIZE):
        return None
    try:
        return _unframe(data, start)
    except Exception:  # a frame that does not add up: no records
        return None


def write_records(path: str, records: dict[str, bytes]) -> bool:
    """Replace the file with ``records`` (each over ``MAX_RECORD_BYTES`` left out, then the oldest
    dropped until the file is under ``MAX_FILE_BYTES``), atomically; False when it cannot be
    written."""
    frames = []
    for key, value in records.items():
        encoded = key.encode("utf-8", "surrogatepass")
        if len(encoded) + len(value) + 8 <= MAX_RECORD_BYTES:
            frames.append(
                len(encoded).to_bytes(4, "little") + encoded + len(value).to_bytes(4, "little") + value
            )
    budget = MAX_FILE_BYTES - len(_MAGIC) - _DIGEST_SIZE
    kept = 0
    for frame in reversed(frames):  # the newest are kept
        if budget < len(frame):
            break
        budget -= len(frame)
        kept += 1
    body = b"".join(frames[len(frames) - kept :])
    return _write_file(path, _MAGIC + digest(body, _DIGEST_SIZE) + body)


def _unframe(data: bytes, position: int) -> dict[str, bytes] | None:
    records: dict[str, bytes] = {}
    end = len(data)
    while position < end:
        size = int.from_bytes(data[position : position + 4], "little")
        key = data[position + 4 : position + 4 + size].decode("utf-8", "surrogatepass")
        position += 4 + size
        size = int.from_bytes(data[position : position + 4], "little")
        records[key] = data[position + 4 : position + 4 + size]
        position += 4 + size
    return records if position == end else None


def _ours(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else."""
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _open_folder(folder: str, create: bool) -> int | None:
    """A descriptor of the cache folder when it is this user's own (see the module's docstring),
    made ``0700`` first when missing and ``create``; else None."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC
    try:
        descriptor = os.open(folder, flags)
    except FileNotFoundError:
        if not create:
            return None
        try:
            os.makedirs(os.path.dirname(folder), exist_ok=True)
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass  # another process made it meanwhile: checked below as any other
        except OSError:
            return None
        try:
            descriptor = os.open(folder, flags)
        except OSError:
            return None
    except OSError:  # a symbolic link (ELOOP), not a folder, not allowed
        return None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode) and _ours(info):
            return descriptor
    except OSError:
        pass
    os.close(descriptor)
    return None


def _read_file(path: str) -> bytes | None:
    folder, name = os.path.split(path)
    flags = os.O_RDONLY | _NOFOLLOW | _CLOEXEC | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        if _AT_FOLDER:
            at = _open_folder(folder, create=False)
            if at is None:
                return None
            try:
                descriptor = os.open(name, flags, dir_fd=at)
            finally:
                os.close(at)
        else:  # pragma: no cover - Windows
            descriptor = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        if _AT_FOLDER and not _ours(info):
            return None
        chunks = []
        left = MAX_FILE_BYTES + 1  # a file that grows while read is refused too
        while left > 0:
            chunk = os.read(descriptor, min(left, 2**20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks) if left > 0 else None
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _write_file(path: str, data: bytes) -> bool:
    """Write a temporary file beside ``path`` (a name no other process picks: this process's id
    and random bytes, created exclusively) and rename it over ``path``. Not ``tempfile``, which
    imports ``shutil``, ``random`` and more: a few milliseconds of every run that writes."""
    folder, name = os.path.split(path)
    temporary = f".cache-{os.getpid()}-{os.urandom(6).hex()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | getattr(os, "O_BINARY", 0)
    at: int | None = None
    try:
        if _AT_FOLDER:
            at = _open_folder(folder, create=True)
            if at is None:
                return False
        else:  # pragma: no cover - Windows
            os.makedirs(folder, exist_ok=True)
            temporary = os.path.join(folder, temporary)
            name = path
        handle = os.open(temporary, flags, 0o600, dir_fd=at)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, name, src_dir_fd=at, dst_dir_fd=at)
        except BaseException:
            os.unlink(temporary, dir_fd=at)
            raise
    except OSError:
        return False
    finally:
        if at is not None:
            os.close(at)
    return True
