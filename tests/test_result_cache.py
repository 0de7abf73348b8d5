"""The cache of each file's diagnostics: a warm run gives the same output without parsing or
running a rule, and any change to what the result depends on lints the file again."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from valohai_image_lint.cache.files import code_fingerprint, dump_value, read_records, write_records
from valohai_image_lint.cache.results import FILE_NAME, ResultCache
from valohai_image_lint.cli import main
from valohai_image_lint.model import Applicability, Diagnostic, Edit, Fix, Severity, Span

ROOT = Path(__file__).resolve().parent.parent
CONFIG = "- step:\n    name: train\n    image: python:latest\n- step: {name: b, image: docker.io/acme/app}\n"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--isolated", *args])
    return code, capsys.readouterr().out


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    fix = Fix(
        "Use the full name",
        (Edit(Span(3, 12, 3, 25), "docker.io/library/python:latest"),),
        Applicability.SAFE,
    )
    diagnostics = [
        Diagnostic(
            "v.yaml",
            Span(3, 12, 3, 25),
            "VIL103",
            "latest-tag",
            Severity.ERROR,
            "msg \u2028 é",
            "python:latest",
            "docker.io/library/python:latest",
            'step "train"',
            fix,
            2,
        ),
        Diagnostic("v.yaml", Span(1, 1, 1, 1), "VIL006", "invalid-top-level", Severity.INFO, "m"),
    ]
    cache = ResultCache(str(tmp_path))
    key = cache.key("v.yaml", "text", "settings")
    cache.put("v.yaml", key, diagnostics, True, "concise")
    cache.save()
    assert ResultCache(str(tmp_path)).get("v.yaml", key) == diagnostics
    stored = ResultCache(str(tmp_path)).lookup("v.yaml", key)
    assert stored is not None
    assert (stored.failing, stored.output_format) == (True, "concise")
    assert ResultCache(str(tmp_path)).get("v.yaml", cache.key("v.yaml", "other text", "settings")) is None


def test_a_warm_run_parses_nothing_and_prints_the_same(tmp_path: Path) -> None:
    probe = (
        "import sys; from valohai_image_lint.cli import main; code = main(sys.argv[1:]); "
        "print('linted' if 'valohai_image_lint.linter' in sys.modules else 'cached'); sys.exit(code)"
    )
    env = dict(os.environ, VALOHAI_IMAGE_LINT_CACHE_DIR=str(tmp_path / "cache"))
    for output_format in ("concise", "json", "sarif"):
        command = [sys.executable, "-c", probe, "examples/valohai.yaml", "--output-format", output_format]
        runs = [
            subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
            )
            for _ in range(2)
        ]
        assert [run.returncode for run in runs] == [1, 1]
        assert runs[0].stdout.endswith("linted\n") or output_format != "concise"
        assert runs[1].stdout.endswith("cached\n")
        assert runs[0].stdout.rsplit("\n", 2)[0] == runs[1].stdout.rsplit("\n", 2)[0]
        assert runs[0].stderr == runs[1].stderr


@pytest.mark.parametrize("change", ["text", "settings", "today", "path"])
def test_what_the_result_depends_on_is_in_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("valohai.yaml").write_text(CONFIG, encoding="utf-8")
    assert _run(capsys, "valohai.yaml", "--today", "2026-11-30")[0] == 1
    args = ["valohai.yaml", "--today", "2026-11-30"]
    if change == "text":
        Path("valohai.yaml").write_text(
            CONFIG.replace("python:latest", "python:3.12.1-slim"), encoding="utf-8"
        )
        expected = ["VIL102"]
    elif change == "settings":
        args += ["--select", "VIL103"]
        expected = ["VIL103"]
    elif change == "today":
        Path("valohai.yaml").write_text(
            CONFIG.replace("python:latest", "python:3.11.9-slim"), encoding="utf-8"
        )
        args[2] = "2027-10-31"  # Python 3.11's last day
        assert "VIL302" not in _run(capsys, *args)[1]
        args[2] = "2027-11-01"
        expected = ["VIL102", "VIL302"]
    else:
        os.mkdir("sub")
        Path("sub/valohai.yaml").write_text(CONFIG, encoding="utf-8")
        args[0] = "sub/valohai.yaml"
        expected = ["VIL102", "VIL103"]
    _, out = _run(capsys, *args)
    assert sorted({line.split()[1] for line in out.splitlines()}) == expected


def test_a_python_file_is_linted_again_when_its_valohai_yaml_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkdir(".git")
    Path("valohai.yaml").write_text("- step: {name: train, image: python:3.12.1-slim}\n", encoding="utf-8")
    Path("train.py").write_text('import valohai\nvalohai.prepare(step="train", image="python:3.12.1-slim")\n')
    assert _run(capsys, "train.py") == (0, "")
    Path("valohai.yaml").write_text("- step: {name: train, image: python:3.11.9-slim}\n", encoding="utf-8")
    code, out = _run(capsys, "train.py")
    assert code == 1
    assert "VIL304" in out


CORRUPT = [  # bytes are written as they are; records through the cache's own writer
    b"",
    b"{",
    b"\xff" * 40,
    marshal.dumps({"x": [1]}),  # no digest
    {},
    {"x": marshal.dumps([1])},
    {"/abs/valohai.yaml": marshal.dumps(["k", [[1]], False, None])},
    {"/abs/valohai.yaml": marshal.dumps(["k", [[1]]])},  # the shape of an older version
    {"/abs/valohai.yaml": b"(\xff\xff\xff\x7f"},  # a tuple of two billion items, in 5 bytes
]


@pytest.mark.parametrize("content", CORRUPT)
def test_a_corrupt_cache_is_ignored_and_rewritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, content: object
) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    if isinstance(content, bytes):
        (cache_dir / FILE_NAME).write_bytes(content)
    else:
        assert isinstance(content, dict)
        write_records(str(cache_dir / FILE_NAME), content)
    monkeypatch.setenv("VALOHAI_IMAGE_LINT_CACHE_DIR", str(cache_dir))
    monkeypatch.chdir(tmp_path)
    Path("valohai.yaml").write_text(CONFIG, encoding="utf-8")
    first = _run(capsys, "valohai.yaml")
    assert first[0] == 1
    assert _run(capsys, "valohai.yaml") == first
    stored = read_records(str(cache_dir / FILE_NAME))
    assert stored is not None
    assert ResultCache(str(cache_dir))._slot(str(tmp_path / "valohai.yaml")) in stored


def test_an_entry_of_the_right_key_but_wrong_shape_is_linted_again(tmp_path: Path) -> None:
    cache = ResultCache(str(tmp_path))
    key = cache.key("v.yaml", "t", "")
    write_records(
        str(tmp_path / FILE_NAME), {cache._slot("v.yaml"): dump_value([key, [["bad"]], False, None]) or b""}
    )
    assert ResultCache(str(tmp_path)).get("v.yaml", key) is None


def test_no_cache_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("VALOHAI_IMAGE_LINT_CACHE_DIR", str(cache_dir))
    monkeypatch.chdir(tmp_path)
    Path("valohai.yaml").write_text(CONFIG, encoding="utf-8")
    assert _run(capsys, "valohai.yaml", "--no-cache")[0] == 1
    assert not cache_dir.exists()


def test_an_internal_error_is_never_stored(tmp_path: Path) -> None:
    cache = ResultCache(str(tmp_path))
    broken = Diagnostic("v.yaml", Span(1, 1, 1, 2), "VIL999", "internal-error", Severity.ERROR, "bug")
    cache.put("v.yaml", "k", [broken], True, None)
    cache.save()
    assert not (tmp_path / FILE_NAME).exists()


def test_concurrent_writers_merge(tmp_path: Path) -> None:
    first, second = ResultCache(str(tmp_path)), ResultCache(str(tmp_path))
    first.put("a.yaml", "ka", [], False, None)
    second.put("b.yaml", "kb", [], False, None)
    first.save()
    second.save()
    assert ResultCache(str(tmp_path)).get("a.yaml", "ka") == []
    assert ResultCache(str(tmp_path)).get("b.yaml", "kb") == []


def test_two_installs_sharing_the_cache_keep_their_own_entries(tmp_path: Path) -> None:
    """pre-commit's install and a virtual environment's differ in code: neither evicts the other."""

    def cache_of(code: str) -> ResultCache:
        cache = ResultCache(str(tmp_path))
        cache._code = code
        return cache

    for code in ("one install", "another install"):
        writer = cache_of(code)
        writer.put("v.yaml", writer.key("v.yaml", "t", ""), [], True, None)
        writer.save()
    for code in ("one install", "another install"):
        reader = cache_of(code)
        assert reader.lookup("v.yaml", reader.key("v.yaml", "t", "")) is not None


def test_the_code_fingerprint_covers_the_rules() -> None:
    fingerprint = code_fingerprint()
    assert "rules/latest_tag.py:" in fingerprint.replace(os.sep, "/")
    assert "__pycache__" not in fingerprint


def test_damaged_cache_bytes_never_raise(tmp_path: Path) -> None:
    """Every truncation and 2,000 seeded random bit flips of a real cache file, read back: None
    (the digest does not match), never an exception, a crash, or marshal building a huge list."""
    import random

    cache = ResultCache(str(tmp_path))
    diagnostic = Diagnostic("v.yaml", Span(3, 12, 3, 25), "VIL103", "latest-tag", Severity.ERROR, "msg")
    cache.put("v.yaml", cache.key("v.yaml", "t", ""), [diagnostic], True, "concise")
    cache.save()
    good = (tmp_path / FILE_NAME).read_bytes()
    damaged = tmp_path / "damaged"
    rng = random.Random(20261130)
    variants = [good[:cut] for cut in range(len(good))]
    for _ in range(2_000):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        variants.append(bytes(data))
    for data in variants:
        damaged.write_bytes(data)
        assert read_records(str(damaged)) is None
