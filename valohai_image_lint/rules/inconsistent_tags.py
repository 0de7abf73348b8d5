"""VIL303 inconsistent-tags

## What it does
Reports a repository that one file uses with more than one tag: `python:3.9` in one step and
`python:3.12` in another. The tag most places use is the file's tag for that repository; each
other tag is reported once, at the first place it is written, naming the steps (and lines) that
use the file's tag, and the other lines of that release (with their tag when it is written
otherwise: `3.9` on one line, `3.9-slim` on another).

- The same repository is the same canonical name: `python`, `library/python`,
  `docker.io/library/python` and `index.docker.io/library/python` are one repository;
  `python` and `pypy`, or `python` and `ghcr.io/acme/python`, are two.
- An image without a tag counts as `latest`, the tag Docker pulls, so `python` and
  `python:latest` agree (VIL102 and VIL103 report those on their own).
- A reference with a tag and a digest (`python:3.12@sha256:...`) counts by its tag. A reference
  with only a digest (`python@sha256:...`) names no tag and is left out.
- Tags compare by release: `3.12` and `3.12.1` differ, but variant words (`slim`, `gpu`, `cpu`,
  `jupyter`, `py3`, `devel`, `runtime`, distribution codenames) do not count, so a CPU step on
  `2.15.0` and a GPU step on `2.15.0-gpu` agree, and so do `3.12.1` and `3.12.1-slim`.
- Only tags of one flavor are compared: the words that name what is built, not which release
  (`tensorflow` in `2.0.0-tensorflow1.0.1`, `theano` in `2.0.0-theano0.9.0`, `deployment`),
  less variant words, must be the same. `acme/app:deployment` and `acme/app:training` are two
  images built from one repository, not one image at two versions. `latest` (or no tag) has
  no flavor words: `python` and `python:3.12` are compared, `acme/app` and `acme/app:deployment`
  are not.
- Which tag is the file's tag: the one with the most uses (a value written once under an anchor
  and used by three steps through aliases counts three); a tie goes to the tag written first.
- Values that are not valid references (VIL101) or hold template placeholders (VIL004) are left
  out.

## Why is this bad?
Steps of one project usually mean to run the same software. When `train` runs `python:3.12.1`
and `evaluate` runs `python:3.9`, a model trained in one step is loaded in another under a
different interpreter and libraries: pickles fail to load, numbers drift, and "works in
training" stops meaning "works in evaluation". Usually one tag was bumped and the others were
forgotten.

## Example
```yaml
- step:
    name: train
    image: python:3.12.1
    command: python train.py
- step:
    name: evaluate
    image: python:3.9.18
    command: python evaluate.py
```

## Use instead
```yaml
- step:
    name: train
    image: python:3.12.1
    command: python train.py
- step:
    name: evaluate
    image: python:3.12.1
    command: python evaluate.py
```

If the difference is deliberate, suppress it where the other tag is written:
`image: python:3.9.18  # valohai-image-lint: ignore[VIL303]`.

## Options
None.

## Fix safety
No fix: which tag every step should use, and whether a step can move to it, is the author's
decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ..model import Finding, ParsedSite, Severity
from ..rule import Rule, RuleOptions
from ..tags import VARIANT_WORDS

IMPLIED_TAG = "latest"
MAX_NAMED = 3


def _tag_of(parsed: ParsedSite) -> str | None:
    """The tag a site counts by, or None for a site this rule leaves out."""
    ref = parsed.ref
    if ref is None or parsed.placeholder is not None:
        return None
    if ref.tag is not None:
        return ref.tag
    return None if ref.digest is not None else IMPLIED_TAG


class _TagUse:
    """The sites of one repository that use one tag, in written order, and how many places use them."""

    __slots__ = ("sites", "uses")

    def __init__(self) -> None:
        self.sites: list[ParsedSite] = []
        self.uses = 0

    def add(self, parsed: ParsedSite) -> None:
        self.sites.append(parsed)
        self.uses += len(parsed.site.contexts)


def _position(parsed: ParsedSite) -> tuple[int, int]:
    return parsed.site.span.line, parsed.site.span.column


def _listed(items: Sequence[str], total: int) -> str:
    """``a``, ``a and b``, ``a, b and c``, ``a, b, c and 2 more``: the first of ``total`` items."""
    shown = list(items[:MAX_NAMED])
    if total > len(shown):
        shown.append(f"{total - len(shown)} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _where(reference: _TagUse) -> str:
    """``step "train" (line 3) uses python:3.12.1``: the places that use the reference tag, the
    first few named (so the text, built once per repository, stays short however many there are)."""
    named: list[str] = []
    for parsed in reference.sites:
        for context in parsed.site.contexts[: MAX_NAMED - len(named)]:
            named.append(f"{context} (line {parsed.site.span.line})")
        if len(named) == MAX_NAMED:
            break
    places = _listed(named, reference.uses)
    verb = "uses" if reference.uses == 1 else "use"
    return f"{places} {verb} {reference.sites[0].site.value}"


def _other_line(parsed: ParsedSite, first: ParsedSite) -> str:
    """The line of another site of the same release, with its tag when that is written otherwise
    (``3.9-slim`` beside ``3.9``): the line alone would say it holds the first site's tag."""
    assert parsed.ref is not None and first.ref is not None
    line = str(parsed.site.span.line)
    return line if parsed.ref.tag == first.ref.tag else f"{line} with tag {_tag_of(parsed)}"


def _message(extra: _TagUse, where: str) -> str:
    first = extra.sites[0]
    assert first.ref is not None
    uses = f"tag {first.ref.tag}" if first.ref.tag is not None else f"no tag (so {IMPLIED_TAG})"
    others = [_other_line(p, first) for p in extra.sites[1 : MAX_NAMED + 1]]
    lines = "line" if len(extra.sites) == 2 else "lines"
    also = f" (also on {lines} {_listed(others, len(extra.sites) - 1)})" if others else ""
    return f'image "{first.site.value}" uses {uses}{also} where {where}; use one tag for the repository'


def _reference_tag(tags: dict[str, _TagUse]) -> str:
    """The most used tag; on a tie, the one written first (``tags`` is in written order)."""
    best = ""
    for tag, use in tags.items():
        if not best or use.uses > tags[best].uses:
            best = tag
    return best


def _release_of(tag: str) -> str:
    """What a tag says about the release, without variant words: ``1.14.0-gpu-py3`` and
    ``1.14.0-py3`` are one release (a GPU step and a CPU step), as are ``3.12.1`` and
    ``3.12.1-slim``, and ``cpu`` and ``gpu``."""
    words = [word for word in re.split(r"([-_.])", tag)]
    kept: list[str] = []
    for word in words:
        if word.lower() in VARIANT_WORDS:
            if kept and kept[-1] in "-_.":
                kept.pop()
            continue
        kept.append(word)
    return "".join(kept).strip("-_.")


_STEM = re.compile(r"[A-Za-z]*")


def _flavor_of(tag: str) -> tuple[str, ...]:
    """The words of a tag that name what is built, not which release: each word's leading letters
    (``tensorflow`` of ``tensorflow1``, ``python`` of ``python3.6``), less variant words and
    ``latest``. Words starting with a digit (versions, commit hashes) name a release. Tags of
    different flavors (``2.0.0-tensorflow1.0.1-...`` and ``2.0.0-theano0.9.0-...``, or
    ``deployment`` and ``latest``) are different images built from one repository, not drift."""
    words = (word.lower() for word in re.split(r"[-_.]", tag))
    stems = (_STEM.match(word).group(0) for word in words if word not in VARIANT_WORDS)  # type: ignore[union-attr]
    return tuple(stem for stem in stems if stem and stem not in VARIANT_WORDS and stem != IMPLIED_TAG)


def check_file(sites: Sequence[ParsedSite], options: RuleOptions) -> Iterator[tuple[ParsedSite, Finding]]:
    """Group the sites by repository and tag in dicts, in one pass over the sites in written order,
    then report every tag of a repository but its reference tag. Linear in the number of sites:
    the engine's sites come in written order (or nearly), which ``sorted`` passes through in
    linear time, and each message names at most a few places, the reference's text built once."""
    repositories: dict[str, dict[str, _TagUse]] = {}
    for parsed in sorted(sites, key=_position):
        tag = _tag_of(parsed)
        if tag is None:
            continue
        assert parsed.ref is not None
        key = f"{parsed.ref.name} {'-'.join(_flavor_of(tag))}"
        repositories.setdefault(key, {}).setdefault(_release_of(tag), _TagUse()).add(parsed)
    for tags in repositories.values():
        if len(tags) < 2:
            continue
        reference_tag = _reference_tag(tags)
        where = _where(tags[reference_tag])
        for tag, extra in tags.items():
            if tag != reference_tag:
                first = extra.sites[0]
                yield first, Finding(_message(extra, where), first.site.span)


RULE = Rule(
    code="VIL303",
    name="inconsistent-tags",
    severity=Severity.INFO,
    summary="The same repository is used with different tags in one file",
    doc=__doc__ or "",
    check_file=check_file,
)
