"""``--online --fix --unsafe-fixes`` against Debian's docker-registry on 127.0.0.1
(tests/registry_harness.py): images pushed under the names generated files use (a tag
``latest``, no tag at all, a floating ``1.3`` with ``1.3.2`` under it, a multi-platform index, a
tag whose image was rebuilt after a digest was pinned), in generated layouts (block and flow
mappings, anchors and aliases, quotes, comments, CRLF, a BOM). After fixing: every tag is
pinned to the digest it points at now (an index's, never a platform's), a stale digest is
replaced by the current one (VIL403), nothing else changed (``fix_checks``), and another
``--fix`` finds nothing to fix. Last, a defect found offline with registry facts given: an
unsafe VIL301 fix and a digest pin applied in one round pin the heavier image's digest on the
lighter tag.
"""

from __future__ import annotations

import io
import os
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import NamedTuple

import pytest
from fix_checks import UNSAFE, assert_only_values_changed, assert_same_structure, sites_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from registry_harness import Registry, registry_module

from valohai_image_lint.cli import main

_FIXTURES = (registry_module,)  # used by name

ONLINE = ("--online", "--isolated", "--no-cache", "--select", "VIL102,VIL103,VIL104,VIL401,VIL402,VIL403")


class Pushed(NamedTuple):
    host: str
    images: dict[str, str]  # the image as written -> what --fix --unsafe-fixes makes of it
    platform_digests: frozenset[str]


@pytest.fixture(scope="module")
def pushed(registry_module: Registry) -> Pushed:
    host = registry_module.host
    app = registry_module.push("fixon/app", "latest")
    plain = registry_module.push("fixon/plain", "latest", seed="plain")
    multi = registry_module.push("fixon/multi", "1.3", platforms=("linux/amd64", "linux/arm64"))
    registry_module.push("fixon/multi", "1.3.2", platforms=("linux/amd64", "linux/arm64"))
    gpu = registry_module.push("fixon/gpu", "latest-gpu", media="docker")
    old = registry_module.push("fixon/stale", "2.0.1", seed="before the rebuild")
    new = registry_module.push("fixon/stale", "2.0.1", seed="after the rebuild")
    old_multi = registry_module.push(
        "fixon/stalemulti", "3.1.0", platforms=("linux/amd64", "linux/arm64"), seed="old"
    )
    new_multi = registry_module.push(
        "fixon/stalemulti", "3.1.0", platforms=("linux/amd64", "linux/arm64"), seed="new"
    )
    clean = registry_module.push("fixon/clean", "4.0.0")
    assert old.digest != new.digest and old_multi.digest != new_multi.digest
    assert multi.digest not in multi.children.values()
    images = {
        f"{host}/fixon/app:latest": f"{host}/fixon/app:latest@{app.digest}",  # VIL103
        f"{host}/fixon/plain": f"{host}/fixon/plain@{plain.digest}",  # VIL102
        f"{host}/fixon/multi:1.3": f"{host}/fixon/multi:1.3@{multi.digest}",  # VIL104, the index
        f"{host}/fixon/gpu:latest-gpu": f"{host}/fixon/gpu:latest-gpu@{gpu.digest}",  # VIL103
        f"{host}/fixon/stale:2.0.1@{old.digest}": f"{host}/fixon/stale:2.0.1@{new.digest}",  # VIL403
        f"{host}/fixon/stalemulti:3.1.0@{old_multi.digest}": f"{host}/fixon/stalemulti:3.1.0@{new_multi.digest}",
        f"{host}/fixon/clean:4.0.0": f"{host}/fixon/clean:4.0.0",
        f"{host}/fixon/clean:4.0.0@{clean.digest}": f"{host}/fixon/clean:4.0.0@{clean.digest}",
    }
    children = {d for image in (multi, old_multi, new_multi) for d in image.children.values()}
    return Pushed(host, images, frozenset(children))


@st.composite
def layouts(draw: st.DrawFn, images: list[str]) -> str:
    """A valohai.yaml naming each image once (some again through an alias), in generated shapes."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = ["# online fixes"]
    order = draw(st.permutations(images))
    anchors: list[str] = []
    for index, image in enumerate(order):
        quote = draw(st.sampled_from(["", "'", '"']))
        anchor = ""
        if draw(st.booleans()):
            anchor = f"&a{index} "
            anchors.append(f"a{index}")
        value = f"{anchor}{quote}{image}{quote}"
        shape = draw(st.sampled_from(["block", "flow", "override"]))
        if shape == "block":
            lines += ["- step:", f"    name: s{index}", f"    image: {value}  # {image}", "    command: run"]
        elif shape == "flow":
            lines.append(f"- step: {{name: s{index}, image: {value}, command: run}}")
        else:
            lines += [
                "- pipeline:",
                f"    name: p{index}",
                "    nodes:",
                f"      - {{name: n, type: execution, step: s0, override: {{image: {value}}}}}",
                "    edges: []",
            ]
        if anchors and draw(st.booleans()):
            lines.append(f"- endpoint: {{name: e{index}, image: *{draw(st.sampled_from(anchors))}}}")
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    return ("\ufeff" if draw(st.booleans()) else "") + text


def _run(folder: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main([*ONLINE, *argv])
    finally:
        os.chdir(cwd)
    return code, out.getvalue(), err.getvalue()


def test_online_fixes_pin_every_tag_and_refresh_stale_digests(
    pushed: Pushed, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "no-docker-config"
    empty.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(empty))
    images = sorted(pushed.images)

    @settings(
        max_examples=8,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(layouts(images))
    def check(text: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            (root / ".git").mkdir()
            path = root / "valohai.yaml"
            path.write_bytes(text.encode("utf-8"))
            to_fix = sum(1 for image in images if pushed.images[image] != image)
            code, out, err = _run(root, "--fix", "valohai.yaml")  # safe ones only: VIL403
            assert code == 1, (out, err)
            assert err.endswith("Fixed 2 problems (4 remaining).\n"), err
            path.write_bytes(text.encode("utf-8"))
            code, out, err = _run(root, "--fix", "--unsafe-fixes", "valohai.yaml")
            assert (code, out, err) == (0, "", f"Fixed {to_fix} problems (0 remaining).\n")
            written = path.read_bytes().decode("utf-8")
            assert written.startswith("\ufeff") == text.startswith("\ufeff")
            assert [s.value for s in sites_of(written)] == [pushed.images[s.value] for s in sites_of(text)]  # type: ignore[index]
            assert not any(child in written for child in pushed.platform_digests)
            assert_only_values_changed(text, written)
            assert_same_structure(text, written, [])
            assert _run(root, "--fix", "--unsafe-fixes", "valohai.yaml") == (
                0,
                "",
                "Fixed 0 problems (0 remaining).\n",
            )
            assert path.read_bytes().decode("utf-8") == written
            assert _run(root, "--diff", "--unsafe-fixes", "valohai.yaml") == (0, "", "")

    check()


# -- found offline, with the registry's facts given ----------------------------------------------

DIGEST = "sha256:" + "ab" * 32


def _facts_for(text: str):  # type: ignore[no-untyped-def]
    from valohai_image_lint.facts import ImageFacts, Manifest, Status, lookup_key
    from valohai_image_lint.linter import image_refs

    index = "application/vnd.oci.image.index.v1+json"
    return {
        lookup_key(ref): ImageFacts(lookup_key(ref), Status.FOUND, manifest=Manifest(DIGEST, index))
        for ref in image_refs(text, "valohai.yaml")
    }


@pytest.mark.parametrize("image", ["python:3.12", "continuumio/anaconda3", "continuumio/anaconda3:latest"])
def test_a_pin_is_never_applied_with_a_fix_that_replaces_the_value(image: str) -> None:
    from valohai_image_lint import LintConfig, lint_text
    from valohai_image_lint.fixing import fix_text

    text = f"- step:\n    name: train\n    image: {image}\n    command: python train.py\n"
    config = LintConfig(today="2026-11-30", online=True)
    facts = _facts_for(text)
    found = lint_text(text, config=config, facts=facts)
    assert {d.code for d in found if d.fix is not None} >= {"VIL301"}
    outcome = fix_text(text, found, config, UNSAFE, lambda new: lint_text(new, config=config, facts=facts))
    (site,) = sites_of(outcome.text)
    # The digest pinned belongs to `image`, so it may only stand after `image` itself.
    assert site.value is not None
    assert site.value == f"{image}@{DIGEST}" or DIGEST not in site.value, site.value
