"""VIL302 end-of-life

## What it does
Reports an image whose tag pins a runtime or OS past its end-of-life date, judged on the day the
linter runs (`today`). Every release before the oldest supported one is covered: Python 2.6 to
3.9 (3.10 after 2026-10-31), every Ubuntu release from 4.10 (interim releases end after 9
months), every Debian release from 1.1 `buzz` to 10 `buster` (and `bullseye` after its LTS ends
in August 2026), CentOS Linux 5 to 8, Alpine 2.1 to 3.20, Node.js 4 to 21, TensorFlow 0.x and
1.x, and the CUDA images of CUDA 11.0 to 11.3 (NVIDIA's EOL chart; other CUDA versions' dates are
not known here). It reads the `python`, `ubuntu`, `debian`, `centos`, `alpine`, `node`,
`tensorflow/tensorflow` and `nvidia/cuda` images' own versions, and, in any image's tag, a Python
part (`python3.7`, `py36`, `py3.8`), an Ubuntu part (`ubuntu18.04`), an Alpine part
(`alpine3.12`), a CentOS part (`centos7`), a TensorFlow part (`tf1.15.5`, `tensorflow1.4.0`), a
CUDA part (`cuda11.1`, `cuda-11.2.2`) or a Debian codename word (`3.11.2-bullseye`). The message
names the nearest supported release, and a full-version tag for the images whose published
versions we know (a tag it suggests draws no finding itself; none for CUDA). Only the dates
recorded in `knowledge.py` are used.

## Why is this bad?
A runtime or OS past its end of life gets no security fixes, and newer packages stop supporting
it: installs start failing, and known vulnerabilities stay in the image.

## Example
```yaml
- step:
    name: train
    image: python:3.7.17
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: python:3.12.13
    command: python train.py
```

## Options
`today`: the date end of life is judged by (the command line's `--today`, else the real date).
Without a date the rule does nothing. The examples above, as of:

```toml
[tool.valohai-image-lint]
today = "2026-11-30"
```

## Fix safety
Unsafe: where the message suggests a supported tag of the same image, the fix writes it in place
of the tag (`python:3.7.17` -> `python:3.12.13`); moving to another runtime or OS release may
break the job. No fix when the message suggests no tag, the image is pinned by digest (the
digest is the old release's), or the value in the file is not the image text itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..knowledge import (
    ALPINE,
    CENTOS,
    CUDA,
    DEBIAN,
    PYTHON,
    RUNTIMES,
    TENSORFLOW,
    UBUNTU,
    Family,
    Release,
    Runtime,
    family_of,
)
from ..model import Applicability, Edit, Finding, Fix, ParsedSite, Severity
from ..rule import Rule, RuleOptions
from ..tags import EXACT_VERSIONS

_LEADING_VERSION = re.compile(r"^([0-9]+(?:\.[0-9]+)*)")
_PYTHON_PART = re.compile(r"(?<![A-Za-z0-9])(?:python|py)-?([23])\.?([0-9]{1,2})(?![0-9])")
# (runtime, pattern): a part of any image's tag naming a release; group 1 is the release's version.
_PARTS: tuple[tuple[Runtime, re.Pattern[str]], ...] = (
    (UBUNTU, re.compile(r"(?<![A-Za-z0-9])ubuntu-?([0-9]{1,2}\.[0-9]{2})(?![0-9])")),
    (ALPINE, re.compile(r"(?<![A-Za-z0-9])alpine-?([23]\.[0-9]{1,2})(?![0-9])")),
    (CENTOS, re.compile(r"(?<![A-Za-z0-9])centos-?([5-8])(?![0-9])")),
    (TENSORFLOW, re.compile(r"(?<![A-Za-z0-9])(?:tf|tensorflow)-?([0-9]+)(?=\.[0-9])")),
    (CUDA, re.compile(r"(?<![A-Za-z0-9])cuda-?([0-9]{1,2}\.[0-9]{1,2})(?![0-9])")),
)
# Families whose tag leads with the version of a runtime that is not their ``tag_runtime``: read for
# end of life, never rewritten into a suggested tag (nvidia/cuda publishes each CUDA version for its
# own set of OS releases and variants, so a rewritten tag may not exist).
_LEADING_RUNTIME: dict[str, Runtime] = {"nvidia/cuda": CUDA}
_WORD = re.compile(r"[A-Za-z]+")
_FULL_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+(?![.0-9])")
# A release the tag pins and has ended: its runtime, the release, where the tag names it
# (start, end), and the nearest release still supported (None when none is known).
_Ended = tuple[Runtime, Release, int, int, "Release | None"]


def _release(runtime: Runtime, version: str) -> Release | None:
    """The release ``version`` (``3.9.18``, ``18.04``, ``buster``) belongs to."""
    for release in runtime.releases:
        # An alias names the release only exactly (python:2 is 2.7); a prefix only extends the
        # release's own version (3.9 -> 3.9.18), so 2.6 is not read as 2.7.
        if (
            version == release.version
            or version in release.aliases
            or version.startswith(release.version + ".")
        ):
            return release
        if release.codename is not None and version == release.codename:
            return release
    return None


def _ended(release: Release, today: str) -> bool:
    return release.ended is not None and today > release.ended


def _successor(runtime: Runtime, release: Release, today: str) -> Release | None:
    """The first later release still supported on ``today`` that is not an interim one."""
    later = runtime.releases[runtime.releases.index(release) + 1 :]
    return next((r for r in later if not r.interim and not _ended(r, today)), None)


def _found(family: Family | None, tag: str) -> list[tuple[Runtime, Release, int, int]]:
    """Every runtime release the tag pins, with the span of the tag text naming it."""
    found: list[tuple[Runtime, Release, int, int]] = []
    own = RUNTIMES.get(family.tag_runtime) if family is not None and family.tag_runtime else None
    if own is None and family is not None:
        own = _LEADING_RUNTIME.get(family.key)
    if own is not None:
        match = _LEADING_VERSION.match(tag) or _WORD.match(tag)
        if match is not None:
            release = _release(own, match.group(0).lower())
            if release is not None:
                found.append((own, release, match.start(), match.end()))
    for match in _PYTHON_PART.finditer(tag):
        release = _release(PYTHON, f"{match.group(1)}.{match.group(2)}")
        if release is not None:
            found.append((PYTHON, release, match.start(), match.end()))
    for runtime, pattern in _PARTS:
        for match in pattern.finditer(tag):
            release = _release(runtime, match.group(1))
            if release is not None:
                found.append((runtime, release, match.start(1), match.end(1)))
    # A codename word names Debian only in a tag that also names a version (3.11.2-bullseye,
    # 16-buster-slim) or in a known image family (debian:stretch, python:buster): in an unknown
    # image's tag with no version, such as myorg/app:stretch-goal, it is just a word. The oldest
    # codenames are ordinary words (etch, woody): they count only in the debian image's own tag.
    words = _WORD.finditer(tag) if family is not None or any(ch.isdigit() for ch in tag) else ()
    for match in words:
        word = match.group(0).lower()
        prev, after = tag[match.start() - 1 : match.start()], tag[match.end() : match.end() + 1]
        if prev.isdigit() or after.isdigit():
            continue  # part of a larger word such as "py3"
        release = next((r for r in DEBIAN.releases if r.codename == word), None)
        if release is not None and (release.tag_word or own is DEBIAN):
            found.append((DEBIAN, release, match.start(), match.end()))
    seen: set[tuple[str, str]] = set()
    unique = []
    for item in found:
        key = (item[0].label, item[1].version)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _spelled(written: str, runtime: Runtime, old: Release, new: Release, repository: str) -> str:
    """``new`` written as ``written`` spells ``old``: a codename, or a version."""
    if old.codename is not None and written.lower() == old.codename:
        return new.codename or new.version
    if runtime is PYTHON and (written.startswith(("python", "py"))):
        spelled = new.version if "." in written else new.version.replace(".", "")
        return re.sub(r"[23]\.?[0-9]{1,2}$", spelled, written)
    return EXACT_VERSIONS.get(repository, {}).get(new.version, new.version)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _suggested_tag(family: Family, tag: str, ended: list[_Ended]) -> str | None:
    """The tag to suggest: the ended releases replaced, its leading version a full published one
    (x.y.z, which no rule reports as floating); None when no such tag is known."""
    repository = family.names[0]
    parts, last = [], 0
    for runtime, old, start, end, new in sorted(ended, key=lambda item: item[2]):
        if runtime is CUDA:
            return None  # which builds exist for a CUDA version is not known here
        if new is None:
            continue
        parts += [tag[last:start], _spelled(tag[start:end], runtime, old, new, repository)]
        last = end
    parts.append(tag[last:])
    new_tag = "".join(parts)
    exact = EXACT_VERSIONS.get(repository, {})
    leading = _LEADING_VERSION.match(new_tag)
    if leading is not None:
        written = leading.group(0)
        line = ".".join(written.split(".")[:2])
        known = exact.get(written) or exact.get(line)
        # The newest known patch of the line, but never an older one than the one written
        # (3.11.9-buster stays 3.11.9-bookworm).
        if known is not None and (written.count(".") < 2 or _version_key(known) > _version_key(written)):
            new_tag = known + new_tag[leading.end() :]
    if family.kept_words is not None:
        head, *words = re.split(r"[-_]", new_tag)
        new_tag = "-".join([head, *(w for w in words if w in family.kept_words)])
    return new_tag if _FULL_VERSION.match(new_tag) else None


def has_ended(name: str, tag: str, today: str) -> bool:
    """Whether an image of repository ``name`` (canonical) tagged ``tag`` pins a release that
    had ended by ``today``: what this rule reports, for other rules' suggestions to avoid."""
    return any(_ended(release, today) for _, release, _, _ in _found(family_of(name), tag))


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref, site, today = parsed.ref, parsed.site, options.today
    if today is None or ref is None or ref.tag is None:
        return
    family = family_of(ref.name)
    ended: list[_Ended] = []
    for runtime, release, start, end in _found(family, ref.tag):
        if _ended(release, today):
            ended.append((runtime, release, start, end, _successor(runtime, release, today)))
    if not ended:
        return
    facts = " and ".join(
        f"{runtime.label} {_label(release)} ({runtime.ending} {_when(release)})"
        for runtime, release, *_ in ended
    )
    advice = _advice(family, ref.familiar_name, ref.tag, ended)
    yield Finding(f'image "{site.value}" pins {facts}; {advice}', site.span, _fix(parsed, family, ended))


def _fix(parsed: ParsedSite, family: Family | None, ended: list[_Ended]) -> Fix | None:
    """The unsafe fix that writes the suggested supported tag in place of the tag, when the
    message suggests one for the same image, no digest pins the old one, and the file holds the
    value verbatim."""
    ref, site = parsed.ref, parsed.site
    if ref is None or ref.tag is None or ref.digest is not None or family is None or site.value != ref.raw:
        return None
    if family.tag_runtime is None or (family.suggest_name or ref.familiar_name) != ref.familiar_name:
        return None  # the suggestion names another image
    if any(new is None for *_, new in ended):
        return None
    new_tag = _suggested_tag(family, ref.tag, ended)
    span = parsed.tag_span()
    if new_tag is None or span is None:
        return None
    return Fix(f'Move to "{new_tag}"', (Edit(span, new_tag),), Applicability.UNSAFE)


def _label(release: Release) -> str:
    """``3.9``, ``18.04``; a Debian release with its codename, as tags name it: ``10 buster``."""
    if release in DEBIAN.releases:
        return f"{release.version} {release.codename}"
    return release.label or release.version


def _when(release: Release) -> str:
    said = release.said
    return f"on {said}" if said[:1].isdigit() else f"in {said}"


def _advice(family: Family | None, familiar: str, tag: str, ended: list[_Ended]) -> str:
    newer = [(runtime, new) for runtime, _, _, _, new in ended if new is not None]
    if len(newer) < len(ended):
        return "move to a supported release"
    if family is not None and family.tag_runtime is not None:
        new_tag = _suggested_tag(family, tag, ended)
        if new_tag is not None:
            shown = family.suggest_name or familiar
            return f'move to a supported tag such as "{shown}:{new_tag}"'
    wanted = " and ".join(f"{runtime.label} {_label(new)}" for runtime, new in newer)
    return f"move to a tag with {wanted} or newer"


RULE = Rule(
    code="VIL302",
    name="end-of-life",
    severity=Severity.WARNING,
    summary="The tag pins a runtime or OS past its end of life",
    doc=__doc__ or "",
    check=check,
)
