"""The one glob matcher: a table per kind of glob, globs that make a backtracking matcher hang,
and a differential test against the regular expressions the globs were translated to before."""

from __future__ import annotations

import re
import time
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valohai_image_lint.globs import Glob, InvalidGlob, image_name_glob, image_tag_glob, path_glob

# (glob, anchored, text, matches)
PATH_GLOBS = [
    ("valohai.yaml", False, "valohai.yaml", True),
    ("valohai.yaml", False, "a/b/valohai.yaml", True),
    ("valohai.yaml", False, "a/xvalohai.yaml", False),
    ("valohai.yaml", True, "a/valohai.yaml", False),
    ("*.yaml", False, "a/valohai.yaml", True),
    ("*.yaml", False, "a.yaml/b", False),
    ("a/*.yaml", True, "a/valohai.yaml", True),
    ("a/*.yaml", True, "a/b/valohai.yaml", False),
    ("a/**/x", True, "a/x", True),
    ("a/**/x", True, "a/b/c/x", True),
    ("a/**/x", True, "ab/x", False),
    ("a/**", True, "a/b/c", True),
    ("a/**", True, "a", False),
    ("a**b", False, "ax/yb", True),
    ("a?c", False, "abc", True),
    ("a?c", False, "a/c", False),
    ("v[ae]nv", False, "venv", True),
    ("v[!ae]nv", False, "vinv", True),
    ("v[^ae]nv", False, "venv", False),
    ("a[!b]c", True, "a/c", True),  # a class may take '/'
    ("[a-c]x", False, "bx", True),
    ("[a-c]x", False, "dx", False),
    ("[-a]", False, "-", True),
    ("[a-]", False, "-", True),
    ("[a-c-e]", False, "-", True),
    ("[a-c-e]", False, "d", False),
    ("\\#file", False, "#file", True),
    ("\\*", False, "*", True),
    ("\\*", False, "x", False),
    ("a[b", False, "a[b", True),  # a '[' that no ']' closes is itself
    ("a]", False, "a]", True),
    ("trailing\\", False, "trailing\\", True),
    ("**/x", True, "x\ny/x", False),  # the same: no line break before the last folder
    ("**/x", True, "xy/z/x", True),
    ("**", True, "a\nb", False),  # '**' was '.*', which stops at a line break
    ("*", True, "a\nb", True),
    ("", False, "a/", True),
]

# (glob, text, matches): image name globs
NAME_GLOBS = [
    ("docker.io/library/*", "docker.io/library/python", True),
    ("docker.io/library/*", "docker.io/acme/python", False),
    ("ghcr.io/acme/**", "ghcr.io/acme/ml/trainer", True),
    ("ghcr.io/acme/**", "ghcr.io/acme/", False),
    ("ghcr.io/acme/**/trainer", "ghcr.io/acme/trainer", True),
    ("ghcr.io/acme/**/trainer", "ghcr.io/acme/a/b/trainer", True),
    ("ghcr.io/ac**", "ghcr.io/acme/ml/trainer", True),
    ("**.example.com/*", "registry.example.com/x", True),
    ("**.example.com/*", "docker.io/evil/registry.example.com/x", False),
    ("ghcr.io/acme?trainer", "ghcr.io/acme/trainer", False),
    ("ghcr.io/acme[!x]trainer", "ghcr.io/acme/trainer", False),
    ("ghcr.io/team-[^a-c]", "ghcr.io/team-d", True),
    ("[fc00::1]:5000/*", "[fc00::1]:5000/x", True),
    ("[fc00::1]:5000/*", "f:5000/x", False),
    ("ghcr.io/x[!-a]", "ghcr.io/x5", False),  # "[^/-a]": the '/' opens a range
    ("ghcr.io/x[!-a]", "ghcr.io/xb", True),
]

# (glob, text, matches): image tag globs
TAG_GLOBS = [
    ("3.11*", "3.11.9", True),
    ("3.11*", "3.12", False),
    ("3.1?", "3.12", True),
    ("3.[0-9]*-slim", "3.12.4-slim", True),
    ("[!0-9]*", "latest", True),
    ("**", "anything", True),
]

# (glob, reason): path globs that cannot be compiled, with the messages re gave
INVALID_PATH_GLOBS = [
    ("[z-a]", "bad character range z-a"),
    ("x/[!b-a]", "bad character range b-a"),
    ("[a-\\]", "bad character range a-\\\\"),
    ("[]", "unterminated character set"),
    ("a[!]", "unterminated character set"),
]

# (glob, reason): image name globs that cannot be compiled
INVALID_NAME_GLOBS = [
    ("ghcr.io/[a-c", "a '[' class is not closed with ']'"),
    ("ghcr.io/a]", "a ']' has no '[' to close"),
    ("ghcr.io/[]", "a '[...]' class is empty"),
    ("ghcr.io/[!]", "a '[...]' class is empty"),
    ("ghcr.io/[[]", "a '[...]' class cannot hold '['"),
    ("ghcr.io[/]x", "a '[...]' class cannot hold '/'"),
    ("ghcr.io/[c-a]", "the range 'c-a' in a '[...]' class is out of order"),
    ("ghcr.io/[!-.]", "the range '/-.' in a '[...]' class is out of order"),
]


@pytest.mark.parametrize(("glob", "anchored", "text", "expected"), PATH_GLOBS)
def test_path_globs(glob: str, anchored: bool, text: str, expected: bool) -> None:
    assert path_glob(glob, anchored).matches(text) is expected


@pytest.mark.parametrize(("glob", "text", "expected"), NAME_GLOBS)
def test_image_name_globs(glob: str, text: str, expected: bool) -> None:
    assert image_name_glob(glob).matches(text) is expected


@pytest.mark.parametrize(("glob", "text", "expected"), TAG_GLOBS)
def test_image_tag_globs(glob: str, text: str, expected: bool) -> None:
    assert image_tag_glob(glob).matches(text) is expected


@pytest.mark.parametrize(("glob", "reason"), INVALID_PATH_GLOBS)
def test_invalid_path_globs(glob: str, reason: str) -> None:
    with pytest.raises(InvalidGlob) as raised:
        path_glob(glob, True)
    assert raised.value.reason == reason


@pytest.mark.parametrize(("glob", "reason"), INVALID_NAME_GLOBS)
def test_invalid_image_name_globs(glob: str, reason: str) -> None:
    with pytest.raises(InvalidGlob) as raised:
        image_name_glob(glob)
    assert raised.value.reason == reason


EVIL = "*a" * 10 + "*b"
EVIL_CROSSING = "**a" * 10 + "**b"
# (glob, a text it does not match, one it matches)
PATHOLOGICAL = [
    (path_glob(EVIL, False), "a" * 100, "x/" + "a" * 100 + "b"),
    (path_glob(EVIL, True), "a" * 50 + "/" + "a" * 50 + "b", "a" * 100 + "b"),
    (path_glob(EVIL_CROSSING, True), "a/" * 100, "a/" * 100 + "b"),
    (path_glob("**/" + EVIL, True), "a/" * 50 + "a" * 100, "a/" * 50 + "a" * 100 + "b"),
    (image_name_glob("ghcr.io/" + EVIL), "ghcr.io/" + "a" * 100, "ghcr.io/" + "a" * 100 + "b"),
    (image_name_glob("ghcr.io/" + EVIL_CROSSING), "ghcr.io/" + "a/" * 100, "ghcr.io/" + "a/" * 100 + "b"),
    (image_tag_glob(EVIL), "a" * 127, "a" * 127 + "b"),
]


@pytest.mark.parametrize(("glob", "no", "yes"), PATHOLOGICAL)
def test_globs_that_make_a_backtracking_matcher_hang_finish_at_once(glob: Glob, no: str, yes: str) -> None:
    """Each of these took a backtracking regex past a minute; the bound here is generous (ten
    runs take a few milliseconds), so a loaded machine cannot make it fail, and a matcher that
    backtracks cannot pass it."""
    started = time.process_time()
    for _ in range(10):
        assert not glob.matches(no)
        assert glob.matches(yes)
    assert time.process_time() - started < 2.0


def test_the_work_grows_linearly_with_the_text() -> None:
    """Ten thousand characters against eleven stars: a backtracking matcher would need about
    10_000 ** 10 steps."""
    glob = path_glob(EVIL, True)
    started = time.process_time()
    assert not glob.matches("a" * 10_000)
    assert glob.matches("a" * 10_000 + "b")
    assert time.process_time() - started < 5.0


# -- the reference: the regular expressions the globs were translated to before ------------------


def _old_glob_to_regex(glob: str) -> str:
    """discovery._glob_to_regex as it was: .gitignore lines and config path globs."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        ch = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("/.*")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = glob[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        elif ch == "\\" and i + 1 < len(glob):
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def _old_path_regex(glob: str, anchored: bool) -> re.Pattern[str] | None:
    """The old regex of a path glob (without its leading '/'), or None where re refused it."""
    prefix = "" if anchored else "(?:.*/)?"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile(prefix + _old_glob_to_regex(glob))
    except re.error:
        return None


def _old_image_regex(glob: str, in_name: bool) -> re.Pattern[str]:
    """patterns._regex_source as it was, for globs that patterns._class accepted."""
    parts: list[str] = []
    i = 0
    literal = re.match(r"\[[0-9a-fA-F.]*:[0-9a-fA-F:.]*\]", glob) if in_name else None
    if literal:
        parts.append(re.escape(literal.group()))
        i = literal.end()
    while i < len(glob):
        ch = glob[i]
        if ch == "*":
            j = i
            while j < len(glob) and glob[j] == "*":
                j += 1
            if not in_name:
                parts.append(".*")
            elif j - i == 1 or "/" not in glob[:i]:
                parts.append("[^/]*")
            elif glob[i - 1 : i] == "/" and j == len(glob):
                parts.append(".+")
            elif glob[i - 1 : i] == "/" and glob[j : j + 1] == "/":
                parts.append("(?:.*/)?")
                j += 1
            else:
                parts.append(".*")
            i = j
        elif ch == "?":
            parts.append("[^/]" if in_name else ".")
            i += 1
        elif ch == "[":
            start = i + 1
            negate = glob[start : start + 1] in ("!", "^")
            start += negate
            end = glob.index("]", start)
            body = glob[start:end]
            parts.append((f"[^{'/' if in_name else ''}{body}]") if negate else f"[{body}]")
            i = end + 1
        else:
            parts.append(re.escape(ch))
            i += 1
    return re.compile("".join(parts))


_EMPTY_CLASS = re.compile(r"\[[!^]?\]")
# Few stars, short texts: the reference backtracks, but not for long.
_PATH_PIECES = st.sampled_from(
    [
        "a",
        "b",
        "/",
        "*",
        "**",
        "?",
        "[ab]",
        "[!a]",
        "[^/]",
        "[a-c]",
        "[-]",
        "\\",
        "\\*",
        "[",
        "]",
        ".",
        "\n",
        "[]",
        "[!]",
        "[z-a]",
        "[\\-a]",
        "**/",
        "/**",
    ]
)
_TEXTS = st.text(alphabet="ab/.\n-[]\\*c", max_size=12)
_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@_SETTINGS
@given(pieces=st.lists(_PATH_PIECES, max_size=6), anchored=st.booleans(), texts=st.lists(_TEXTS, max_size=6))
def test_path_globs_agree_with_the_old_regexes(pieces: list[str], anchored: bool, texts: list[str]) -> None:
    """Every path glob matches what its old regex matched, and fails to compile where re failed;
    the one difference: an empty class ("[]", "[!]") now never compiles, where re sometimes read
    the text after it as members of the class."""
    glob = "".join(pieces)
    old = _old_path_regex(glob, anchored)
    try:
        new = path_glob(glob, anchored)
    except InvalidGlob:
        assert old is None or _EMPTY_CLASS.search(glob)
        return
    assert old is not None
    for text in texts:
        assert new.matches(text) is (old.fullmatch(text) is not None), (glob, anchored, text)


def test_path_globs_fail_to_compile_with_the_messages_re_gave() -> None:
    for glob, reason in INVALID_PATH_GLOBS:
        if not _EMPTY_CLASS.search(glob):
            with pytest.raises(re.error) as raised:
                re.compile(_old_glob_to_regex(glob))
            assert raised.value.msg == reason


_NAME_PIECES = st.sampled_from(
    [
        "a",
        "b",
        "/",
        ".",
        ":",
        "-",
        "*",
        "**",
        "?",
        "[ab]",
        "[!a]",
        "[^a-c]",
        "[-a]",
        "[a-]",
        "/**",
        "/**/",
        "**/",
    ]
)
_NAME_TEXTS = st.text(alphabet="ab/.:-c\n", max_size=12)


@_SETTINGS
@given(
    host=st.sampled_from(["", "[fc00::1]:5000/", "[ab]/", "ghcr.io/", "*.io/"]),
    pieces=st.lists(_NAME_PIECES, max_size=6),
    in_name=st.booleans(),
    texts=st.lists(_NAME_TEXTS, max_size=6),
)
def test_image_globs_agree_with_the_old_regexes(
    host: str, pieces: list[str], in_name: bool, texts: list[str]
) -> None:
    glob = host + "".join(pieces)
    new = image_name_glob(glob) if in_name else image_tag_glob(glob)
    old = _old_image_regex(glob, in_name)
    for text in [host + text for text in texts] + texts:
        assert new.matches(text) is (old.fullmatch(text) is not None), (glob, in_name, text)


def _best_time(glob: Glob, text: str, runs: int = 5, repeats: int = 20) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        for _ in range(repeats):
            glob.matches(text)
        best = min(best, time.perf_counter() - started)
    return best


def test_an_adversarial_glob_costs_what_a_plain_one_does_times_its_length() -> None:
    """The issue's budget, relative to a plain match: eleven stars against a text that passes
    every quick check (it starts and ends as the glob wants, and the '/' keeps it from matching)
    cost at most their number of states times what a one-star glob costs on the same text."""
    text = "a" * 1_000 + "/" + "a" * 1_000 + "b"
    evil, plain = path_glob(EVIL, True), path_glob("a*b", True)
    assert not evil.matches(text) and not plain.matches(text)
    assert _best_time(evil, text) <= 30 * _best_time(plain, text) + 0.005
