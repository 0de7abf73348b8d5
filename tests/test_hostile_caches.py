"""Hostile caches: a cache folder or file that someone else controls, or that cannot be read
cheaply, never changes the answer and never costs much. Each case of the table is one real run
of the command line in a subprocess, timed, its peak memory (``ru_maxrss``) measured; the answer
must be the one a run without a cache gives, within generous bounds. Then the keys: each input
that can change an answer changes the code's fingerprint, so neither cache serves a stale one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from process_peak import PEAK_KIB

from valohai_image_lint import parse_image
from valohai_image_lint.cache import files
from valohai_image_lint.cache.files import dump_value, read_records, write_records
from valohai_image_lint.cache.references import ReferenceCache
from valohai_image_lint.cache.results import FILE_NAME, ResultCache
from valohai_image_lint.model import Diagnostic, Severity, Span

ROOT = Path(__file__).resolve().parent.parent
BAD = "- step:\n    name: train\n    image: python:latest\n"
OTHER_USER = 12345
MAX_SECONDS = 20.0
MAX_PEAK_KIB = 300 * 1024

PROBE = (
    """
import json, os, resource, sys, time
start = time.perf_counter()
from valohai_image_lint.cli import main
code = main(sys.argv[1:])
seconds = time.perf_counter() - start
"""
    + PEAK_KIB
    + """with open(os.environ["PROBE_OUT"], "w", encoding="utf-8") as out:
    json.dump({"code": code, "seconds": seconds, "peak_kib": peak}, out)
sys.exit(code)
"""
)


@dataclass
class Run:
    code: int
    out: str
    seconds: float
    peak_kib: int


def _run(project: Path, env: dict[str, str], *argv: str) -> Run:
    report = project.parent / "probe.json"
    full_env = dict(os.environ, PROBE_OUT=str(report), **env)
    for name in ("GITHUB_ACTIONS", "XDG_CACHE_HOME", "VALOHAI_IMAGE_LINT_CACHE_DIR"):
        if name not in env:
            full_env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--isolated", *argv],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    measured = json.loads(report.read_text(encoding="utf-8"))
    return Run(done.returncode, done.stdout, measured["seconds"], measured["peak_kib"])


def _as_other_user(path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a folder to another user")
    for folder, _, names in os.walk(path):
        os.chown(folder, OTHER_USER, OTHER_USER)
        for name in names:
            os.chown(os.path.join(folder, name), OTHER_USER, OTHER_USER, follow_symlinks=False)


def _plant_clean_entry(project: Path, cache: Path) -> None:
    """What an attacker who can write the folder does: the victim's exact run stored, with its
    diagnostics replaced by none (the entry says "clean")."""
    env = {"VALOHAI_IMAGE_LINT_CACHE_DIR": str(cache)}
    assert _run(project, env, "valohai.yaml").code == 1
    entries = read_records(str(cache / FILE_NAME))
    assert entries is not None and len(entries) == 1
    ((slot, encoded),) = entries.items()
    entry = files.load_value(encoded)
    entry[1:3] = [[], False]
    write_records(str(cache / FILE_NAME), {slot: dump_value(entry) or b""})


# -- the cases: each sets up the hostile cache and says where the run is told it is -------------


def planted_entry_in_another_users_folder(project: Path, tmp: Path) -> dict[str, str]:
    xdg = tmp / "shared"
    xdg.mkdir(mode=0o777)
    os.chmod(xdg, 0o1777)  # /tmp-like
    _plant_clean_entry(project, xdg / "valohai-image-lint")
    _as_other_user(xdg / "valohai-image-lint")
    return {"XDG_CACHE_HOME": str(xdg)}


def planted_entry_in_a_world_writable_folder(project: Path, tmp: Path) -> dict[str, str]:
    cache = tmp / "cache"
    _plant_clean_entry(project, cache)
    os.chmod(cache, 0o777)
    return {"VALOHAI_IMAGE_LINT_CACHE_DIR": str(cache)}


def planted_entry_in_a_group_writable_folder(project: Path, tmp: Path) -> dict[str, str]:
    cache = tmp / "cache"
    _plant_clean_entry(project, cache)
    os.chmod(cache, 0o770)
    return {"VALOHAI_IMAGE_LINT_CACHE_DIR": str(cache)}


def planted_entry_file_of_another_user(project: Path, tmp: Path) -> dict[str, str]:
    cache = tmp / "cache"
    _plant_clean_entry(project, cache)
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    os.chown(cache / FILE_NAME, OTHER_USER, OTHER_USER)
    return {"VALOHAI_IMAGE_LINT_CACHE_DIR": str(cache)}


def symlinked_cache_folder(project: Path, tmp: Path) -> dict[str, str]:
    xdg = tmp / "xdg"
    xdg.mkdir()
    (tmp / "chosen").mkdir()
    (xdg / "valohai-image-lint").symlink_to(tmp / "chosen")
    return {"XDG_CACHE_HOME": str(xdg)}


def relative_cache_folder(project: Path, tmp: Path) -> dict[str, str]:
    return {"VALOHAI_IMAGE_LINT_CACHE_DIR": "cache-in-the-repository"}


def relative_xdg_cache_home(project: Path, tmp: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": "xdg-in-the-repository", "HOME": str(tmp / "home")}


def fifo_as_cache_file(project: Path, tmp: Path) -> dict[str, str]:
    cache = tmp / "cache"
    cache.mkdir(mode=0o700)
    os.mkfifo(cache / FILE_NAME)
    return {"VALOHAI_IMAGE_LINT_CACHE_DIR": str(cache)}


def dev_zero_link_as_cache_file(project: Path, tmp: Path) -> dict[str, str]:
    cache = tmp / "cache"
    cache.mkdir(mode=0o700)
    (cache / FILE_NAME).symlink_to("/dev/zero")
    return {"VALOHAI_IMAGE_LINT_CACHE_DIR": str(cache)}


def oversized_cache_file(project: Path, tmp: Path) -> dict[str, str]:
    cache = tmp / "cache"
    cache.mkdir(mode=0o700)
    with open(cache / FILE_NAME, "wb") as out:
        out.write(b"VILC2" + b"\0" * 16)
        out.truncate(200 * 2**20)  # sparse: 200 MB to read, none of it on the disk
    return {"VALOHAI_IMAGE_LINT_CACHE_DIR": str(cache)}


def marshal_bomb_with_a_valid_digest(project: Path, tmp: Path) -> dict[str, str]:
    """The victim's own entry replaced by five bytes that ask marshal for a tuple of two billion
    items (81 s and 16 GB of memory to marshal.loads them)."""
    cache = tmp / "cache"
    env = {"VALOHAI_IMAGE_LINT_CACHE_DIR": str(cache)}
    assert _run(project, env, "valohai.yaml").code == 1
    entries = read_records(str(cache / FILE_NAME)) or {}
    write_records(str(cache / FILE_NAME), {slot: b"(\xff\xff\xff\x7f" for slot in entries})
    return env


def huge_entry_beside_a_small_one(project: Path, tmp: Path) -> dict[str, str]:
    """A 9.9 MB config's 60,000 diagnostics stored before: the next run on a small file must not
    load them."""
    cache = tmp / "cache"
    env = {"VALOHAI_IMAGE_LINT_CACHE_DIR": str(cache)}
    assert _run(project, env, "valohai.yaml").code == 1
    big = ResultCache(str(cache))
    message = "image uses a floating tag; pin a full version " + "x" * 100
    found = [
        Diagnostic("big.yaml", Span(line, 12, line, 25), "VIL103", "latest-tag", Severity.ERROR, message)
        for line in range(1, 60_001)
    ]
    big.put(str(project / "big.yaml"), "key", found, True, None)
    big.save()
    assert os.path.getsize(cache / FILE_NAME) <= files.MAX_FILE_BYTES
    return env


Check = Callable[[Path, Path], None]


def _nothing(project: Path, tmp: Path) -> None:
    pass


def _chosen_is_empty(project: Path, tmp: Path) -> None:
    assert list((tmp / "chosen").iterdir()) == []


def _repository_untouched(project: Path, tmp: Path) -> None:
    assert sorted(path.name for path in project.iterdir()) == [".git", "valohai.yaml"]


def _cache_file_left_alone(project: Path, tmp: Path) -> None:
    assert not (tmp / "cache" / FILE_NAME).is_file() or not (tmp / "cache" / FILE_NAME).is_symlink()


CASES: list[tuple[Callable[[Path, Path], dict[str, str]], Check]] = [
    (planted_entry_in_another_users_folder, _nothing),
    (planted_entry_in_a_world_writable_folder, _nothing),
    (planted_entry_in_a_group_writable_folder, _nothing),
    (planted_entry_file_of_another_user, _nothing),
    (symlinked_cache_folder, _chosen_is_empty),
    (relative_cache_folder, _repository_untouched),
    (relative_xdg_cache_home, _repository_untouched),
    (fifo_as_cache_file, _nothing),
    (dev_zero_link_as_cache_file, _nothing),
    (oversized_cache_file, _nothing),
    (marshal_bomb_with_a_valid_digest, _nothing),
    (huge_entry_beside_a_small_one, _nothing),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / ".git").mkdir()
    (folder / "valohai.yaml").write_text(BAD, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("setup", "check"), CASES, ids=[setup.__name__ for setup, _ in CASES])
def test_a_hostile_cache_changes_nothing_and_costs_little(
    project: Path, tmp_path: Path, setup: Callable[[Path, Path], dict[str, str]], check: Check
) -> None:
    expected = _run(project, {"VALOHAI_IMAGE_LINT_NO_CACHE": "1"}, "valohai.yaml")
    assert expected.code == 1
    assert "VIL103" in expected.out
    env = setup(project, tmp_path)
    for _ in range(2):  # the run that meets the cache, then the one after its save
        run = _run(project, env, "valohai.yaml")
        assert (run.code, run.out) == (expected.code, expected.out)
        assert run.seconds < MAX_SECONDS
        assert run.peak_kib < MAX_PEAK_KIB
    check(project, tmp_path)


# -- what the caches are keyed by ------------------------------------------------------------------


@pytest.fixture
def fresh_fingerprint(monkeypatch: pytest.MonkeyPatch) -> Callable[[], str]:
    def compute() -> str:
        monkeypatch.setattr(files, "_fingerprint", None)
        return files.code_fingerprint()

    return compute


def _fake_dependency(folder: Path, version: str) -> Path:
    (folder / "regex").mkdir(exist_ok=True)
    (folder / "regex" / "__init__.py").write_text("", encoding="utf-8")
    for old in folder.glob("regex-*.dist-info"):
        (old / "RECORD").unlink()
        old.rmdir()
    info = folder / f"regex-{version}.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("regex/__init__.py,sha256=x,0\n", encoding="utf-8")
    return info


CHANGES: list[tuple[str, Callable[[pytest.MonkeyPatch, Path], None]]] = [
    ("python-version", lambda patch, tmp: patch.setattr(sys, "version", "3.12.1 (main)")),
    (
        "python-implementation",
        lambda patch, tmp: patch.setattr(sys, "implementation", SimpleNamespace(name="pypy")),
    ),
    ("package-version", lambda patch, tmp: patch.setattr("valohai_image_lint.__version__", "9.9.9")),
    ("dependency-version", lambda patch, tmp: _fake_dependency(tmp, "2.0")),
    (
        "dependency-build",  # the same version reinstalled, or another wheel of it
        lambda patch, tmp: (tmp / "regex-1.0.dist-info" / "RECORD").write_text("other\n", encoding="utf-8"),
    ),
    ("dependency-removed", lambda patch, tmp: patch.setattr(sys, "path", [str(tmp / "nothing")])),
]


@pytest.mark.parametrize("change", [change for _, change in CHANGES], ids=[name for name, _ in CHANGES])
def test_each_input_changes_the_fingerprint(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    fresh_fingerprint: Callable[[], str],
    change: Callable[[pytest.MonkeyPatch, Path], None],
) -> None:
    _fake_dependency(tmp_path, "1.0")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = fresh_fingerprint()
    assert f"regex={tmp_path}:regex-1.0.dist-info:" in before
    change(monkeypatch, tmp_path)
    assert fresh_fingerprint() != before


def test_an_edited_source_file_changes_the_fingerprint(fresh_fingerprint: Callable[[], str]) -> None:
    source = ROOT / "valohai_image_lint" / "reference.py"
    before = fresh_fingerprint()
    stamp = os.stat(source)
    try:
        os.utime(source, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
        assert fresh_fingerprint() != before
    finally:
        os.utime(source, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))


def test_both_caches_answer_only_under_the_fingerprint_they_were_stored_under(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A wrong parse and a clean result stored by another build are not served to this one."""
    monkeypatch.setattr(files, "_fingerprint", "another build")
    references = ReferenceCache(str(tmp_path))
    write_records(
        str(tmp_path / "references-v2.marshal"), {references.prefix + "python": dump_value(["no"]) or b""}
    )
    results = ResultCache(str(tmp_path))
    results.put("v.yaml", results.key("v.yaml", "t", ""), [], False, None)
    results.save()
    with pytest.raises(Exception, match="no"):
        ReferenceCache(str(tmp_path)).parse("python")  # the planted answer, for its own build
    assert ResultCache(str(tmp_path)).lookup("v.yaml", results.key("v.yaml", "t", "")) is not None
    monkeypatch.setattr(files, "_fingerprint", "this build")
    assert ReferenceCache(str(tmp_path)).parse("python") == parse_image("python")
    again = ResultCache(str(tmp_path))
    assert again.lookup("v.yaml", again.key("v.yaml", "t", "")) is None
