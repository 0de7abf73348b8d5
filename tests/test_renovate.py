"""The Renovate preset renovate/valohai.json: its regexes, run as printed, find every image of
the corpus and of the variants exactly once (with the right depName, currentValue and
currentDigest), the same regexes behave the same in Renovate's own extractor (RE2), and
renovate-config-validator accepts the preset and the README's snippet.

The regex tests need only Python. The validator and the extractor need Node.js and Renovate 39
in ``.renovate/`` (``bash tests/install-renovate`` puts it there): without them those tests skip,
and under CI=true they fail."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from valohai_image_lint.linter import image_refs
from valohai_image_lint.reference import split_name

ROOT = Path(__file__).resolve().parent.parent
PRESET = ROOT / "renovate" / "valohai.json"
README = ROOT / "README.md"
VALIDATOR = ROOT / ".renovate" / "node_modules" / ".bin" / "renovate-config-validator"
RENOVATE = ROOT / ".renovate" / "node_modules" / "renovate"
EXTRACT_JS = ROOT / "tests" / "renovate_extract.js"
YAML, PYTHON = 0, 1  # the preset's custom managers, in order
DIGEST = "sha256:" + "0123456789abcdef" * 4


class Dep(NamedTuple):
    depName: str
    currentValue: str | None
    currentDigest: str | None
    replaceString: str


def _preset() -> dict[str, Any]:
    preset: dict[str, Any] = json.loads(PRESET.read_text(encoding="utf-8"))
    return preset


def _python_regex(js: str) -> re.Pattern[str]:
    """A JS regex of the preset as Python's re: only the named groups are spelled differently.
    Renovate compiles them with the flag "g" alone, so no MULTILINE or DOTALL here either."""
    assert "(?<=" not in js and "(?<!" not in js and "(?=" not in js and "(?!" not in js  # RE2 has none
    return re.compile(js.replace("(?<", "(?P<"))


def extract(manager: int, text: str) -> list[Dep]:
    """Renovate's "recursive" matchStringsStrategy (modules/manager/custom/regex/strategies.ts):
    each regex runs over every match of the one before, the named groups of all levels are merged,
    and the last level's match is the replaceString."""
    regexes = [_python_regex(js) for js in _preset()["customManagers"][manager]["matchStrings"]]

    def recurse(content: str, level: int, groups: dict[str, str]) -> Iterator[Dep]:
        if level == len(regexes):
            yield Dep(groups["depName"], groups.get("currentValue"), groups.get("currentDigest"), content)
            return
        for match in regexes[level].finditer(content):
            assert match.group(0), "an empty match would loop in Renovate's regexMatchAll"
            found = {name: value for name, value in match.groupdict().items() if value is not None}
            yield from recurse(match.group(0), level + 1, {**groups, **found})

    return list(recurse(text, 0, {}))


def _found(deps: list[Dep]) -> list[tuple[str, str | None, str | None]]:
    for dep in deps:
        assert dep.replaceString == dep.depName + ":" + str(dep.currentValue) + (
            "@" + dep.currentDigest if dep.currentDigest else ""
        ), dep  # the bare reference, which autoReplaceStringTemplate writes back
    return [(dep.depName, dep.currentValue, dep.currentDigest) for dep in deps]


# (text, what is found). One image a case; [] where nothing is found on purpose.
YAML_CASES: list[tuple[str, list[tuple[str, str | None, str | None]]]] = [
    ("image: python:3.11", [("python", "3.11", None)]),
    ('image: "python:3.11"', [("python", "3.11", None)]),
    ("image: 'python:3.11'", [("python", "3.11", None)]),
    (f"image: python:3.11.9@{DIGEST}", [("python", "3.11.9", DIGEST)]),
    (f'image: "python:3.11.9@{DIGEST}"', [("python", "3.11.9", DIGEST)]),
    (f"image: 'python:3.11.9@{DIGEST}'  # pinned", [("python", "3.11.9", DIGEST)]),
    ("image: registry.example.com:5000/team/app:1.0", [("registry.example.com:5000/team/app", "1.0", None)]),
    ("image: localhost:5000/app:1.0", [("localhost:5000/app", "1.0", None)]),
    ("image: ghcr.io/acme/trainer:2024.1-cuda", [("ghcr.io/acme/trainer", "2024.1-cuda", None)]),
    ("image: tensorflow/tensorflow:2.16.1-gpu", [("tensorflow/tensorflow", "2.16.1-gpu", None)]),
    ("image: &img python:3.11", [("python", "3.11", None)]),
    ('image: &img "python:3.11"', [("python", "3.11", None)]),
    ("image: python:3.11  # pinned: see python:3.12", [("python", "3.11", None)]),
    ("image:   python:3.11   ", [("python", "3.11", None)]),
    ("image: python:3.11\r", [("python", "3.11", None)]),
    ("- image: python:3.11", [("python", "3.11", None)]),
    # Decided: no tag, no find. The docker datasource refreshes a digest against its tag; without
    # one Renovate would look up `latest` (digest-only) or discard the dependency (untagged).
    (f"image: python@{DIGEST}", []),
    ("image: python", []),
    # Not an image, or not one string of the YAML.
    ("image: '{{ image }}'", []),
    ("image: ${IMAGE}", []),
    ("image: python:${PY}", []),
    ("image: <<registry/image:tag>>", []),
    ("image: $IMAGE", []),
    ("image: python:3.11 and more", []),
    ("image: python:3.11#nocomment", []),
    ('image: python:3.11"', []),
    ("image: \"python:3.11'", []),
    ('image: "merge node image"', []),
    ("image: *img", []),
    ("# image: python:3.11", []),
    ("    # image: python:3.11", []),
    ("base-image: python:3.11", []),
    ("docker_image: python:3.11", []),
    ("images: python:3.11", []),
    ("description: image: python:3.11", []),
    ("default: python:3.11", []),
]


def _step(line: str) -> str:
    """The line as a step's, or, for a list item (``- image: ...``), as a top-level item."""
    if line.startswith("- "):
        return f"- step:\n    name: train\n    image: python:3.12.7\n{line}\n"
    return f"- step:\n    name: train\n    {line}\n    command: python train.py\n"


@pytest.mark.parametrize(("line", "expected"), YAML_CASES, ids=[case[0] for case in YAML_CASES])
def test_yaml_variants(line: str, expected: list[tuple[str, str | None, str | None]]) -> None:
    text = _step(line)
    assert _found(extract(YAML, line)) == expected  # also on the file's first line, with no newline
    found = _found(extract(YAML, text))
    # The linter's own parser agrees wherever the text is YAML it can read.
    parsed = [(split_name(ref.raw)[0], ref.tag, ref.digest) for ref in image_refs(text, "valohai.yaml")]
    assert found == [found for found in parsed if found[1] is not None]
    if line.startswith("- "):
        found.remove(("python", "3.12.7", None))
    assert found == expected


def test_consecutive_image_lines_and_crlf_files_each_find_every_image() -> None:
    text = "- image: python:3.11\n- image: 'ubuntu:24.04'\n- step:\n    image: &a alpine:3.20\n"
    expected = [("python", "3.11", None), ("ubuntu", "24.04", None), ("alpine", "3.20", None)]
    assert _found(extract(YAML, text)) == expected
    assert _found(extract(YAML, text.replace("\n", "\r\n"))) == expected


PYTHON_CASES: list[tuple[str, list[tuple[str, str | None, str | None]]]] = [
    ('valohai.prepare(step="x", image="python:3.11")', [("python", "3.11", None)]),
    ("valohai.prepare(step='x', image='python:3.11')", [("python", "3.11", None)]),
    ('valohai.prepare(step="x", image = "python:3.11")', [("python", "3.11", None)]),
    ('valohai.prepare(image="python:3.11", step="x")', [("python", "3.11", None)]),
    ('valohai.prepare(image="python:3.11")', [("python", "3.11", None)]),
    (
        f'valohai.prepare(\n    step="x",\n    image="python:3.11.9@{DIGEST}",\n)',
        [("python", "3.11.9", DIGEST)],
    ),
    (
        'valohai.prepare(step="x", default_parameters={"lr": float("0.1")}, image="ghcr.io/a/b:1.0")',
        [("ghcr.io/a/b", "1.0", None)],
    ),
    ('vh.prepare(step="x", image="python:3.11")', [("python", "3.11", None)]),
    ('prepare(step="x", image="python:3.11")', [("python", "3.11", None)]),
    ('valohai.prepare(step="x", image=f"python:{PY}")', []),
    ('valohai.prepare(step="x", image=IMAGE)', []),
    ('valohai.prepare(step="x", image="python:" + PY)', []),
    ('valohai.prepare(step="x", image="{{ image }}")', []),
    ('valohai.prepare(step="x", image="python")', []),
    ('valohai.prepare(step="x", docker_image="python:3.11")', []),
    ('valohai.prepare(step="x", base_image="python:3.11")', []),
    ('valohai.prepare(step="x")\nimage = "python:3.11"', []),
    ('valohai.outputs("python:3.11")', []),
]


@pytest.mark.parametrize(("call", "expected"), PYTHON_CASES, ids=[case[0] for case in PYTHON_CASES])
def test_python_variants(call: str, expected: list[tuple[str, str | None, str | None]]) -> None:
    source = f"import valohai\nimport valohai as vh\nfrom valohai import prepare\n\n{call}\n"
    assert _found(extract(PYTHON, source)) == expected
    parsed = [(split_name(ref.raw)[0], ref.tag, ref.digest) for ref in image_refs(source, "train.py")]
    assert [found for found in parsed if found[1] is not None] == expected


def test_file_match() -> None:
    yaml_patterns, python_patterns = (
        [re.compile(pattern) for pattern in manager["fileMatch"]] for manager in _preset()["customManagers"]
    )
    for path in ("valohai.yaml", "valohai.yml", "sub/dir/valohai.yaml"):
        assert any(pattern.search(path) for pattern in yaml_patterns), path
    for path in ("my-valohai.yaml", "valohai.yaml.bak", "valohai.json", "x/valohai.yaml/y"):
        assert not any(pattern.search(path) for pattern in yaml_patterns), path
    assert any(pattern.search("src/train.py") for pattern in python_patterns)
    assert not any(pattern.search("train.pyc") for pattern in python_patterns)


# Corpus files where the regexes and the linter's parser cannot agree, with the reason and what the
# regexes find there.
CORPUS_EXCEPTIONS: dict[str, tuple[str, int]] = {
    "Jeromeshw__ee__valohai.yaml": (
        "not valid YAML (VIL001: a line without its ':'): the parser reads no image at all, while the"
        " regexes, which read lines, still find its four well-formed image lines",
        4,
    ),
}


def _corpus_files(shared: Path) -> list[Path]:
    return sorted(p for p in (shared / "corpus").rglob("*") if p.suffix in (".yaml", ".yml"))


def test_corpus_every_tagged_image_found_once(shared_dir: Path) -> None:
    """Per corpus file: what the regexes find is what the linter's parser finds with a tag
    (placeholders and references that do not parse excluded, as image_refs excludes them), but in
    the listed exceptions."""
    from valohai_image_lint import lint_text

    files = _corpus_files(shared_dir)
    assert len(files) >= 200
    total = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        found = sorted(_found(extract(YAML, text)))
        total += len(found)
        expected = [(split_name(ref.raw)[0], ref.tag, ref.digest) for ref in image_refs(text, "valohai.yaml")]
        if path.name in CORPUS_EXCEPTIONS:
            assert expected == [], path.name
            assert "VIL001" in {diagnostic.code for diagnostic in lint_text(text, str(path))}
            assert len(found) == CORPUS_EXCEPTIONS[path.name][1], path.name
            continue
        assert found == sorted(ref for ref in expected if ref[1] is not None), path.name
    assert {path.name for path in files} >= set(CORPUS_EXCEPTIONS)
    assert total >= 450, total


# Renovate itself: the validator and its regex extractor (RE2), when installed.


def _renovate_or_skip() -> str:
    node = shutil.which("node")
    if node is None or not VALIDATOR.exists() or not RENOVATE.is_dir():
        reason = "no node, or no Renovate 39 in .renovate/ (bash tests/install-renovate installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return node


def _offline_env() -> dict[str, str]:
    """The validator needs no network: proxies that lead nowhere make sure it uses none."""
    dead = "http://127.0.0.1:9"
    return {**os.environ, "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "http_proxy": dead, "https_proxy": dead}


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    _renovate_or_skip()
    return subprocess.run(
        [str(VALIDATOR), "--strict", str(path)],
        env=_offline_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_installed_renovate_is_39() -> None:
    _renovate_or_skip()
    version = json.loads((RENOVATE / "package.json").read_text(encoding="utf-8"))["version"]
    assert version.startswith("39."), version


def test_validator_accepts_the_preset() -> None:
    result = _validate(PRESET)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Config validated successfully" in result.stdout + result.stderr


def test_validator_refuses_a_broken_preset(tmp_path: Path) -> None:
    """The validator does judge the regexes: a lookahead (which RE2 lacks) is refused."""
    preset = _preset()
    preset["customManagers"][YAML]["matchStrings"][0] += "(?=x)"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(preset), encoding="utf-8")
    result = _validate(broken)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Invalid regExp for customManagers" in result.stdout + result.stderr


def _readme_renovate_snippet() -> str:
    section = README.read_text(encoding="utf-8").split("\n## Renovate\n", 1)[1].split("\n## ", 1)[0]
    snippets = re.findall(r"```json\n(.*?)```", section, flags=re.DOTALL)
    assert len(snippets) == 1, snippets
    return str(snippets[0])


def test_readme_snippet_extends_this_preset() -> None:
    config = json.loads(_readme_renovate_snippet())
    assert config == {"extends": ["github><owner>/valohai-image-lint//renovate/valohai"]}
    # github>owner/repo//path names path + ".json" in that repository: this file.
    assert config["extends"][0].split("//", 1)[1] + ".json" == PRESET.relative_to(ROOT).as_posix()


def test_validator_accepts_the_readme_snippet(tmp_path: Path) -> None:
    """The validator checks the snippet's structure; it does not fetch the github> preset."""
    config = tmp_path / "renovate.json"
    config.write_text(_readme_renovate_snippet(), encoding="utf-8")
    result = _validate(config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Config validated successfully" in result.stdout + result.stderr


def _renovate_extract(cases: list[tuple[int, str]]) -> list[list[Dep]]:
    """Renovate's own regex manager (extractPackageFile, with RE2) on each (manager, text)."""
    node = _renovate_or_skip()
    result = subprocess.run(
        [node, str(EXTRACT_JS), str(PRESET), str(RENOVATE)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [[Dep(**dep) for dep in deps] for deps in json.loads(result.stdout)]


def test_renovate_extracts_what_the_python_translation_extracts(shared_dir: Path) -> None:
    cases = [(YAML, _step(line)) for line, _ in YAML_CASES]
    cases += [(YAML, "- image: python:3.11\r\n- image: 'ubuntu:24.04'\r\n")]
    cases += [(PYTHON, f"import valohai\n{call}\n") for call, _ in PYTHON_CASES]
    cases += [(YAML, path.read_text(encoding="utf-8")) for path in _corpus_files(shared_dir)]
    renovate = _renovate_extract(cases)
    assert len(renovate) == len(cases)
    for (manager, text), deps in zip(cases, renovate, strict=True):
        assert deps == extract(manager, text), text[:200]


@pytest.mark.parametrize(
    ("upgrade", "written"),
    [
        ({"depName": "python", "newValue": "3.11.10"}, "python:3.11.10"),
        ({"depName": "python", "newValue": "3.11.9", "newDigest": DIGEST}, f"python:3.11.9@{DIGEST}"),
        (
            {"depName": "registry.example.com:5000/team/app", "newValue": "1.1", "newDigest": DIGEST},
            f"registry.example.com:5000/team/app:1.1@{DIGEST}",
        ),
    ],
)
def test_renovate_writes_back_the_reference(upgrade: dict[str, str], written: str) -> None:
    """autoReplaceStringTemplate, compiled by Renovate's templating, replaces the bare reference:
    a new tag, a new digest, or a digest added to a tag (pinDigests)."""
    node = _renovate_or_skip()
    for manager in _preset()["customManagers"]:
        script = (
            "const t = require(process.argv[1] + '/dist/util/template/index.js');"
            "process.stdout.write(t.compile(process.argv[2], JSON.parse(process.argv[3]), false));"
        )
        result = subprocess.run(
            [node, "-e", script, str(RENOVATE), manager["autoReplaceStringTemplate"], json.dumps(upgrade)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert result.stdout == written
