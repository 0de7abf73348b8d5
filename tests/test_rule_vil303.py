"""VIL303 inconsistent-tags: one repository with different tags in one file."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import pytest
from rule_table import FIRES_ARGS, assert_fires, assert_silent, cases, only, texts

from valohai_image_lint import LintConfig, Severity, lint_text
from valohai_image_lint.linter import parse_site
from valohai_image_lint.model import ImageSite, ParsedSite, Span, ValueKind
from valohai_image_lint.rule import RuleOptions
from valohai_image_lint.rules import inconsistent_tags
from valohai_image_lint.sources.yaml_document import load
from valohai_image_lint.sources.yaml_sites import find_image_sites

CODE = "VIL303"
# VIL303 is opt-in for now (the default rule set is unchanged until the suite is migrated).
ON = LintConfig(extend_select=(CODE,))
HEX64 = "0123456789abcdef" * 4
RULE = inconsistent_tags.RULE


def steps(*images: str) -> str:
    """One block-style step per image, named s1, s2...: image ``i`` stands on line ``3 * i``."""
    return "".join(f"- step:\n    name: s{i}\n    image: {image}\n" for i, image in enumerate(images, 1))


# (id, yaml, line, column, code, message fragment)
FIRES = [
    (
        "two-steps",
        steps("python:3.12.1", "python:3.9"),
        6,
        12,
        CODE,
        'image "python:3.9" uses tag 3.9 where step "s1" (line 3) uses python:3.12.1; use one tag for the repository',
    ),
    (
        "flow",
        "- step: {name: train, image: python:3.12.1}\n- step: {name: test, image: python:3.9}\n",
        2,
        29,
        CODE,
        'image "python:3.9" uses tag 3.9 where step "train" (line 1) uses python:3.12.1',
    ),
    (
        "most-used-wins-over-first",
        steps("python:3.9", "python:3.12", "python:3.12"),
        3,
        12,
        CODE,
        'image "python:3.9" uses tag 3.9 where step "s2" (line 6) and step "s3" (line 9) use python:3.12',
    ),
    (
        "canonical-name",
        steps("python:3.12", "docker.io/library/python:3.9"),
        6,
        12,
        CODE,
        'image "docker.io/library/python:3.9" uses tag 3.9 where step "s1" (line 3) uses python:3.12',
    ),
    (
        "legacy-host",
        steps("library/python:3.12", "index.docker.io/library/python:3.9"),
        6,
        12,
        CODE,
        "uses tag 3.9 where",
    ),
    (
        "untagged-is-latest",
        steps("python:3.12", "python"),
        6,
        12,
        CODE,
        'image "python" uses no tag (so latest) where step "s1" (line 3) uses python:3.12',
    ),
    ("latest-differs", steps("python:3.12", "python:latest"), 6, 12, CODE, "uses tag latest where"),
    (
        "tag-and-digest-counts-by-tag",
        steps("python:3.12", f"python:3.9@sha256:{HEX64}"),
        6,
        12,
        CODE,
        "uses tag 3.9 where",
    ),
    ("near-versions-differ", steps("python:3.12", "python:3.12.1"), 6, 12, CODE, "uses tag 3.12.1 where"),
    (
        "commit-hashes",
        steps("acme/darknet:62b781a-cuda8.0", "acme/darknet:7f3e2c1-cuda8.0"),
        6,
        12,
        CODE,
        "uses tag 7f3e2c1-cuda8.0 where",
    ),
    (
        "same-flavor-other-release",
        steps(
            "valohai/keras:2.0.0-tensorflow1.0.1-python3.6", "valohai/keras:2.1.3-tensorflow1.4.0-python3.5"
        ),
        6,
        12,
        CODE,
        "uses tag 2.1.3-tensorflow1.4.0-python3.5 where",
    ),
    ("tag-case-matters", steps("acme/trainer:v1", "acme/trainer:V1"), 6, 12, CODE, "uses tag V1 where"),
    (
        "private-registry",
        steps("ghcr.io/acme/trainer:1.0.0", "ghcr.io/acme/trainer:1.1.0"),
        6,
        12,
        CODE,
        "uses tag 1.1.0",
    ),
    (
        "quoted",
        "- step: {name: a, image: python:3.12}\n- step: {name: b, image: 'python:3.9'}\n",
        2,
        27,
        CODE,
        "uses tag 3.9",
    ),
    (
        "endpoint",
        "- step: {name: a, image: python:3.12}\n- endpoint: {name: serve, image: python:3.9}\n",
        2,
        34,
        CODE,
        'where step "a" (line 1) uses python:3.12',
    ),
    (
        "pipeline-override",
        "- step: {name: a, image: python:3.12}\n"
        "- pipeline: {name: p, nodes: [{name: n, override: {image: python:3.9}}]}\n",
        2,
        59,
        CODE,
        'where step "a" (line 1) uses python:3.12',
    ),
    (
        "anchor-counts-its-uses",
        "- step: {name: a, image: python:3.9}\n"
        "- step: {name: b, image: &py python:3.12}\n"
        "- step: {name: c, image: *py}\n",
        1,
        26,
        CODE,
        'where step "b" (line 2) and step "c" (line 2) use python:3.12',
    ),
    (
        "extra-tag-in-several-places",
        steps("python:3.12", "python:3.12", "python:3.9", "python:3.9", "python:3.12"),
        9,
        12,
        CODE,
        'image "python:3.9" uses tag 3.9 (also on line 12) where step "s1" (line 3), step "s2" (line 6) '
        'and step "s5" (line 15) use python:3.12',
    ),
    # One release written with two tags: the other line is named with its own tag, not as if it
    # held the reported one.
    (
        "also-on-a-line-with-another-tag",
        steps("python:3.12", "python:3.9-slim", "python:3.9", "python:3.12"),
        6,
        12,
        CODE,
        'image "python:3.9-slim" uses tag 3.9-slim (also on line 9 with tag 3.9) where step "s1" (line 3) '
        'and step "s4" (line 12) use python:3.12',
    ),
    (
        "also-on-lines-same-and-other-tag",
        steps("python:3.12", "python:3.9", "python:3.9-slim", "python:3.9", "python:3.12", "python:3.12"),
        6,
        12,
        CODE,
        'image "python:3.9" uses tag 3.9 (also on lines 9 with tag 3.9-slim and 12) where',
    ),
]

# (id, yaml)
DOES_NOT_FIRE = [
    ("one-step", steps("python:3.9")),
    ("one-tag-everywhere", steps("python:3.12.1", "python:3.12.1", "python:3.12.1")),
    (
        "one-tag-written-differently",
        steps("python:3.12", "docker.io/library/python:3.12", "library/python:3.12"),
    ),
    (
        "different-repositories",
        steps("python:3.12", "pypy:3.9", "ghcr.io/acme/python:3.9", "acme/python:3.8"),
    ),
    (
        "aliases-of-one-anchor",
        "- step: {name: a, image: &py python:3.9}\n- step: {name: b, image: *py}\n"
        "- step: {name: c, image: *py}\n",
    ),
    (
        "merge-key",
        "- defaults: &d {image: python:3.9}\n- step: {<<: *d, name: a}\n- step: {<<: *d, name: b}\n",
    ),
    ("untagged-and-latest-agree", steps("python", "python:latest")),
    ("tag-with-and-without-digest", steps("python:3.12", f"python:3.12@sha256:{HEX64}")),
    ("digest-only-is-left-out", steps("python:3.12", f"python@sha256:{HEX64}")),
    ("invalid-references", steps("python:3.12", "Python:3.9", "python:3.9:1")),
    ("placeholder", steps("python:3.12", "python:${VERSION}")),
    ("non-string", steps("python:3.12", "3.9")),
    ("missing-image", "- step: {name: a, image: python:3.12}\n- step: {name: b}\n"),
    (
        "different-flavors",
        steps(
            "valohai/keras:2.0.0-tensorflow1.0.1-python3.6-cuda8.0-cudnn5-devel-ubuntu16.04",
            "valohai/keras:2.0.0-theano0.9.0rc4-python3.6-cuda8.0-cudnn5-devel-ubuntu16.04",
        ),
    ),
    ("named-builds-of-one-repository", steps("acme/app:training", "acme/app:deployment", "acme/app")),
]


@pytest.mark.parametrize(FIRES_ARGS, cases(FIRES))
def test_fires(text: str, line: int, column: int, code: str, fragment: str) -> None:
    assert_fires(
        only(lint_text(text, config=ON), CODE),
        line,
        column,
        code,
        fragment,
        severity=Severity.INFO,
        names_image=True,
        image_on_line_of=text,
    )


@pytest.mark.parametrize("text", texts(DOES_NOT_FIRE))
def test_does_not_fire(text: str) -> None:
    assert_silent(only(lint_text(text, config=ON), CODE, "VIL001"))


def _findings(text: str) -> list[tuple[int, str]]:
    return [(d.span.line, d.message) for d in only(lint_text(text, config=ON), CODE)]


def test_once_per_extra_tag() -> None:
    found = _findings(
        steps(
            "python:3.12",
            "python:3.9",
            "python:3.12",
            "python:3.9",
            "python:3.8",
            "python:3.12",
            "python:3.9",
        )
    )
    assert [line for line, _ in found] == [6, 15]
    assert 'image "python:3.9" uses tag 3.9 (also on lines 12 and 21)' in found[0][1]
    assert 'image "python:3.8" uses tag 3.8 where' in found[1][1]


def test_each_repository_on_its_own() -> None:
    found = _findings(steps("python:3.12", "python:3.9", "ubuntu:22.04", "ubuntu:24.04"))
    assert [line for line, _ in found] == [6, 12]
    assert "python:3.9" in found[0][1] and "ubuntu:24.04" in found[1][1]


@pytest.mark.parametrize(
    ("images", "reported"),
    [
        pytest.param(("python:3.9", "python:3.12"), ["python:3.12"], id="tie-goes-to-first-written"),
        pytest.param(
            ("python:3.12", "python:3.9"), ["python:3.9"], id="tie-goes-to-first-written-either-way"
        ),
        pytest.param(("python:3.9", "python:3.12", "python:3.12"), ["python:3.9"], id="most-used-wins"),
        pytest.param(
            ("python:3.9", "python:3.9", "python:3.12", "python:3.12", "python:3.12"),
            ["python:3.9"],
            id="most-used-wins-when-second",
        ),
        pytest.param(
            ("python:3.8", "python:3.9", "python:3.12"),
            ["python:3.9", "python:3.12"],
            id="three-way-tie-first-written",
        ),
        pytest.param(
            ("python", "python:3.12", "python:latest"), ["python:3.12"], id="untagged-counts-as-latest"
        ),
        pytest.param(
            ("python:3.9", f"python:3.12@sha256:{HEX64}", "python:3.12"),
            ["python:3.9"],
            id="digest-pinned-counts-by-tag",
        ),
        pytest.param(
            ("python:3.9", f"python@sha256:{HEX64}", f"python@sha256:{HEX64}", "python:3.12"),
            ["python:3.12"],
            id="digest-only-does-not-vote",
        ),
    ],
)
def test_reference_choice(images: tuple[str, ...], reported: list[str]) -> None:
    found = only(lint_text(steps(*images), config=ON), CODE)
    assert [d.image for d in found] == reported


def test_anchor_uses_count_as_votes() -> None:
    """One anchor used by three steps outvotes two steps that write another tag."""
    text = (
        "- step: {name: a, image: python:3.9}\n"
        "- step: {name: b, image: python:3.9}\n"
        "- step: {name: c, image: &py python:3.12}\n"
        "- step: {name: d, image: *py}\n"
        "- step: {name: e, image: *py}\n"
    )
    found = only(lint_text(text, config=ON), CODE)
    assert [(d.span.line, d.image) for d in found] == [(1, "python:3.9")]
    assert "(also on line 2)" in found[0].message
    assert (
        'where step "c" (line 3), step "d" (line 3) and step "e" (line 3) use python:3.12' in found[0].message
    )


def test_reported_on_the_anchor_names_its_users() -> None:
    text = (
        "- step: {name: a, image: python:3.12}\n"
        "- step: {name: b, image: python:3.12}\n"
        "- step: {name: c, image: &old python:3.9}\n"
        "- step: {name: d, image: *old}\n"
    )
    (d,) = only(lint_text(text, config=ON), CODE)
    assert d.span.line == 3
    assert d.message.endswith('(used by step "c", step "d")')


def test_suppressed_where_the_other_tag_is_written() -> None:
    text = steps("python:3.12", "python:3.9  # valohai-image-lint: ignore[VIL303] needs the old runtime")
    assert only(lint_text(text, config=ON), CODE, "VIL901") == []


def test_severity_and_selection() -> None:
    text = steps("python:3.12", "python:3.9")
    assert (
        only(lint_text(text, config=LintConfig(extend_select=(CODE,), ignore=("inconsistent-tags",))), CODE)
        == []
    )
    (d,) = only(
        lint_text(text, config=LintConfig(extend_select=(CODE,), severity={CODE: Severity.WARNING})), CODE
    )
    assert d.severity is Severity.WARNING and d.name == "inconsistent-tags"


# The page: headings, and an example that fires and a "Use instead" that does not (as
# tests/test_rule_pages.py checks for every registered rule).
HEADINGS = (
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Options",
    "## Fix safety",
)


def _yaml_block(heading: str) -> str:
    section = RULE.doc.split(heading + "\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"^```yaml\n(.*?)^```$", section, re.DOTALL | re.MULTILINE)
    assert match is not None
    return match.group(1)


def test_page() -> None:
    assert RULE.doc.startswith("VIL303 inconsistent-tags\n")
    for heading in HEADINGS:
        assert heading in RULE.doc.splitlines()
    assert CODE in [d.code for d in lint_text(_yaml_block("## Example"), config=ON)]
    use_instead = [d.code for d in lint_text(_yaml_block("## Use instead"), config=ON)]
    assert CODE not in use_instead and "VIL001" not in use_instead


# Scale: 5,000 steps. The rule is linear by design: one pass groups the sites in dicts, the
# reference's places are named once per repository, and each message names at most a few places,
# so neither the work nor the text grows with the product of sites and tags.
MANY = 5_000


class _OnePass(Sequence[ParsedSite]):
    """The sites, counting how often the rule walks them."""

    def __init__(self, sites: list[ParsedSite]) -> None:
        self.sites = sites
        self.walks = 0

    def __iter__(self) -> Iterator[ParsedSite]:
        self.walks += 1
        return iter(self.sites)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        raise AssertionError("the rule walks the sites once, it does not index them")

    def __len__(self) -> int:
        return len(self.sites)


def _parsed(images: Sequence[str]) -> list[ParsedSite]:
    """The sites ``steps(*images)`` yields, built directly: parsing 5,000 steps of YAML is the
    engine's cost, not the rule's (one end-to-end run below covers it)."""
    return [
        parse_site(
            ImageSite(ValueKind.STRING, Span(3 * i, 12, 3 * i, 12 + len(image)), (f'step "s{i}"',), image)
        )
        for i, image in enumerate(images, 1)
    ]


def test_parsed_matches_the_engine() -> None:
    images = ["python:3.12", "python:3.9", "ubuntu:22.04"]
    assert _parsed(images) == [parse_site(site) for site in find_image_sites(load(steps(*images)))]


def test_scale_half_one_tag_half_distinct_tags() -> None:
    """The worst case for naming places: every extra tag names the reference's 2,500 places."""
    half = MANY // 2
    images = ["python:3.12"] * half + [f"python:3.{i}.0" for i in range(half)]
    sites = _OnePass(_parsed(images))
    found = list(inconsistent_tags.check_file(sites, RuleOptions()))
    assert sites.walks == 1
    assert len(found) == half
    assert {len(finding.message) for _, finding in found} <= set(range(200))
    assert 'step "s1" (line 3), step "s2" (line 6), step "s3" (line 9) and 2497 more use python:3.12' in (
        found[0][1].message
    )


def test_scale_one_tag_everywhere() -> None:
    sites = _OnePass(_parsed(["python:3.12.1"] * MANY))
    assert list(inconsistent_tags.check_file(sites, RuleOptions())) == []
    assert sites.walks == 1


def test_scale_one_extra_tag_in_many_places() -> None:
    """End to end, through the engine."""
    found = only(lint_text(steps(*["python:3.12"] * (MANY - 1000), *["python:3.9"] * 1000), config=ON), CODE)
    assert len(found) == 1
    assert "(also on lines 12006, 12009, 12012 and 996 more)" in found[0].message
    assert len(found[0].message) < 300


@pytest.mark.parametrize(
    "images",
    [
        ("tensorflow/tensorflow:1.14.0-py3", "tensorflow/tensorflow:1.14.0-gpu-py3"),
        ("valohai/yolov3-tf2:cpu", "valohai/yolov3-tf2:gpu"),
        ("python:3.12.1", "python:3.12.1-slim"),
        ("python:3.12.1-slim-bookworm", "python:3.12.1"),
    ],
    ids=["cpu-and-gpu-steps", "cpu-and-gpu-words", "slim-variant", "codename-variant"],
)
def test_variants_of_one_release_agree(images: tuple[str, ...]) -> None:
    assert only(lint_text(steps(*images), config=ON), CODE) == []
