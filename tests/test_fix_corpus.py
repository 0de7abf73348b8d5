"""``--fix --unsafe-fixes`` on every file of ../shared/corpus (real-world and valohai-yaml examples).

Each file is fixed with a policy that makes fixes apply: ``private-registries`` names every
Docker Hub namespace its images use but ``library`` (``docker.io/<namespace>/*``), so VIL202
fires on every short name of them, beside VIL205 and VIL301. ``fix_checks`` checks (a)-(d) on
each (see there). Then the whole corpus, copied to a temporary folder with one config naming
every namespace, goes through ``cli.main`` once: each file is written as ``fix_text`` fixes it,
the summary line counts the fixes and what remains, and a second run fixes nothing.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from fix_checks import UNSAFE, check_fix

from valohai_image_lint import Diagnostic, LintConfig, lint_text
from valohai_image_lint.cli import main
from valohai_image_lint.fixing import fix_text
from valohai_image_lint.linter import image_refs
from valohai_image_lint.reference import DEFAULT_DOMAIN

TODAY = "2026-11-30"


def _corpus(shared: Path) -> list[Path]:
    files = sorted((shared / "corpus" / "real-world").glob("*.yaml"))
    files += sorted((shared / "corpus" / "valohai-yaml-examples").rglob("*.yaml"))
    return files


def _read(path: Path) -> str:
    # As the linter reads a file: UTF-8, line breaks as written.
    return path.read_bytes().decode("utf-8")


def _namespaces(text: str) -> set[str]:
    return {
        ref.path.split("/")[0]
        for ref in image_refs(text, "valohai.yaml")
        if ref.domain == DEFAULT_DOMAIN and "/" in ref.path and not ref.path.startswith("library/")
    }


def _config(namespaces: set[str]) -> LintConfig:
    private = tuple(f"{DEFAULT_DOMAIN}/{namespace}/*" for namespace in sorted(namespaces))
    return LintConfig(options={"private-registries": private}, today=TODAY)


def test_every_corpus_file_fixes_cleanly(shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = _corpus(shared_dir)
    assert len(files) > 150
    started = time.perf_counter()
    fixed_files, fixes, by_code = 0, 0, {}
    for path in files:
        text = _read(path)
        config = _config(_namespaces(text))

        def relint(new: str, config: LintConfig = config, name: str = str(path)) -> list[Diagnostic]:
            return lint_text(new, name, config=config)

        for d in relint(text):
            if d.fix is not None:
                by_code[d.code] = by_code.get(d.code, 0) + 1
        try:
            outcome = check_fix(text, config, relint)
        except AssertionError as exc:
            raise AssertionError(f"{path.relative_to(shared_dir)}: {exc}") from exc
        if outcome.text != text:
            fixed_files += 1
            fixes += outcome.fixed
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\ncorpus: {len(files)} files, {fixed_files} fixed, {fixes} fixes applied; "
            f"fixes offered by rule: {dict(sorted(by_code.items()))}; {elapsed:.1f} s"
        )
    assert fixed_files > 20 and fixes >= fixed_files


def test_the_command_line_fixes_the_corpus_as_fix_text_does(
    shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _corpus(shared_dir)
    namespaces: set[str] = set()
    originals: dict[str, str] = {}
    for index, path in enumerate(files):
        text = _read(path)
        namespaces |= _namespaces(text)
        name = f"f{index:03d}-{path.name}"
        (tmp_path / name).write_bytes(path.read_bytes())
        originals[name] = text
    (tmp_path / ".git").mkdir()
    private = ", ".join(f'"{DEFAULT_DOMAIN}/{namespace}/*"' for namespace in sorted(namespaces))
    (tmp_path / "valohai-image-lint.toml").write_text(
        f'private-registries = [{private}]\ntoday = "{TODAY}"\n', encoding="utf-8"
    )
    config = _config(namespaces)
    expected_fixed, expected_remaining = 0, 0
    expected: dict[str, str] = {}
    for name, text in originals.items():

        def relint(new: str, name: str = name) -> list[Diagnostic]:
            return lint_text(new, name, config=config)

        outcome = fix_text(text, relint(text), config, UNSAFE, relint)
        assert outcome.problem is None
        expected[name] = outcome.text
        expected_fixed += outcome.fixed
        expected_remaining += len(relint(outcome.text))
    monkeypatch.chdir(tmp_path)
    names = sorted(originals)
    assert main(["--fix-only", "--unsafe-fixes", *names]) == 0
    assert capsys.readouterr() == ("", f"Fixed {expected_fixed} problems ({expected_remaining} remaining).\n")
    for name in names:
        assert (tmp_path / name).read_bytes() == expected[name].encode("utf-8"), name
    assert main(["--fix-only", "--unsafe-fixes", *names]) == 0
    assert capsys.readouterr() == ("", f"Fixed 0 problems ({expected_remaining} remaining).\n")
    for name in names:
        assert (tmp_path / name).read_bytes() == expected[name].encode("utf-8"), name
    shutil.rmtree(tmp_path / ".git")
