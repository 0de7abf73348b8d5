"""Following a suggestion never introduces a finding (issue 13).

Every suggestion the knowledge tables can produce (each family's names x each tag form the rules
handle) is linted in the same place, with the same settings and date:

- an image suggested in place of a version (VIL102, VIL103, VIL104, VIL302) draws no warning or
  error: VIL104 keeps the version line the author wrote (python:3.10 -> 3.10.20), and names no
  release of a line that has ended by the date (VIL302 says where to move);
- a lighter variant suggested by VIL301 (its message and its fix) draws no warning or error that
  the original did not already have.
"""

from __future__ import annotations

import re

import pytest

from valohai_image_lint import LintConfig, Severity, lint_text
from valohai_image_lint.edits import apply_edits
from valohai_image_lint.knowledge import FAMILIES, RUNTIMES
from valohai_image_lint.linter import image_refs
from valohai_image_lint.tags import EXACT_VERSIONS, SUFFIX_WORDS

TODAYS = ("2026-11-30", "2025-06-01")
VERSION_RULES = ("VIL102", "VIL103", "VIL104", "VIL302")
_SUGGESTED = re.compile(r'(?:such as|consider) "?([^\s";]+)"?')


def _names() -> list[str]:
    """Each family's concrete names, as a valohai.yaml writes them."""
    names = []
    for family in FAMILIES:
        for glob in family.names:
            name = glob.replace("*", "example").removeprefix("docker.io/").removeprefix("library/")
            names.append(name)
    return names


def _tags(name: str) -> list[str | None]:
    """Every tag form the rules handle for ``name``'s family."""
    canonical = (
        name if "." in name.split("/")[0] else "docker.io/" + ("library/" + name if "/" not in name else name)
    )
    words = sorted(SUFFIX_WORDS.get(canonical, frozenset()) | {"slim", "gpu", "devel", "jupyter", "runtime"})
    tags: list[str | None] = [None, "latest", "jupyter", *(f"latest-{w}" for w in words)]
    for line in EXACT_VERSIONS.get(canonical, {}):
        if line:
            tags += [line, f"{line}.0", *(f"{line}-{w}" for w in words)]
    for runtime in RUNTIMES.values():
        for release in runtime.releases:
            tags += [release.version, f"{release.version}.1", f"{release.version}.1-slim"]
            if release.codename:
                tags += [release.codename, f"{release.codename}-slim", f"3.9.18-{release.codename}"]
    tags += ["11.8.0-cudnn8-devel-ubuntu18.04", "2.2.0-cuda12.1-cudnn8-devel", "1.13.1-gpu-jupyter"]
    tags += ["3.9-alpine3.12", "python3.7", "py36", "5.0.0-tf1.15.5", "10.0-base-centos7", "2023.09-0"]
    return list(dict.fromkeys(tags))


def _lint(image: str, today: str, endpoint: bool = False) -> list[tuple[str, Severity]]:
    text = (
        f"- endpoint: {{name: serve, image: '{image}', port: 8000, server-command: x}}\n"
        if endpoint
        else f"- step: {{name: train, image: '{image}', command: x}}\n"
    )
    return [(d.code, d.severity) for d in lint_text(text, config=LintConfig(today=today))]


def _serious(found: list[tuple[str, Severity]]) -> set[str]:
    return {code for code, severity in found if severity in (Severity.WARNING, Severity.ERROR)}


def _suggestions(image: str, message: str) -> list[str]:
    name = image.split("@")[0].rsplit(":", 1)[0] if ":" in image.split("/")[-1] else image.split("@")[0]
    out = []
    for found in _SUGGESTED.findall(message):
        if found.startswith(("`", "a ")):
            continue
        out.append(found if ("/" in found or ":" in found) else f"{name}:{found}")
    return out


CASES = [(name, tag) for name in _names() for tag in _tags(name)]


@pytest.mark.parametrize("today", TODAYS)
def test_following_a_suggestion_introduces_no_finding(today: str) -> None:
    problems = []
    seen = 0
    for name, tag in CASES:
        image = name if tag is None else f"{name}:{tag}"
        text = f"- step: {{name: train, image: '{image}', command: x}}\n"
        found = lint_text(text, config=LintConfig(today=today))
        before = _serious([(d.code, d.severity) for d in found])
        for d in found:
            if d.code not in (*VERSION_RULES, "VIL301"):
                continue
            suggested = _suggestions(image, d.message)
            if d.fix is not None:  # the image the fix writes (an edit of part or all of the value)
                (fixed,) = image_refs(apply_edits(text, d.fix.edits), "valohai.yaml")
                suggested.append(fixed.raw)
            for new in suggested:
                seen += 1
                after = _serious(_lint(new, today))
                allowed = before if d.code == "VIL301" else set()
                if after - allowed:
                    problems.append(f"{image} --{d.code}--> {new}: {sorted(after - allowed)}")
    assert seen > 100  # the enumeration reaches the suggestions
    assert problems == []


def test_a_suggestion_is_a_full_version() -> None:
    """VIL302 names a tag only with a full published version (x.y.z), which no rule calls floating."""
    for name, tag in CASES:
        if tag is None:
            continue
        for d in lint_text(
            f"- step: {{name: t, image: '{name}:{tag}'}}\n",
            config=LintConfig(today="2026-11-30", select=("VIL302",)),
        ):
            for new in _suggestions(f"{name}:{tag}", d.message):
                assert re.search(r":[0-9]+\.[0-9]+\.[0-9]+", new), (name, tag, new)
