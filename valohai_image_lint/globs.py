"""Wildcard globs: the one module that matches them, in time linear in the text.

Three kinds of glob are written by users, and each is compiled here:

- path globs (:func:`path_glob`): the lines of a ``.gitignore`` and the ``exclude`` and
  ``per-file-ignores`` keys. ``*`` and ``?`` stay within a folder name, ``**`` crosses folders
  (``**/`` is zero or more folders, a trailing ``/**`` everything below), ``[...]`` is a class
  (``[!...]`` or ``[^...]`` negates it, and a class may hold ``/``), ``\\x`` is ``x``; a glob that
  is not anchored matches from the start of the path or after any ``/``;
- image name globs (:func:`image_name_glob`), over canonical image names, as ``allowed-images``
  and ``private-registries`` write them: ``*`` and ``?`` stay within a path component and so do
  the classes, ``**`` crosses components (a trailing ``/**`` is one or more further components,
  ``/**/`` zero or more), but never in the registry host, and a bracketed IPv6 host is text;
- image tag globs (:func:`image_tag_glob`): a tag has no components, so ``*`` and ``**`` agree.

A glob compiles to a :class:`Glob`: a chain of steps, each matching one character of a set or any
number of them, run over the text as a set of states (the bits of an int), as Thompson's
construction does: at most ``len(glob) x len(text)`` work and no backtracking, so no glob,
however many ``*`` it holds, can stall a run. The character sets and the steps are exactly those
of the regular expressions that the globs were translated to before, line breaks included (what
was ``.`` in them matches anything but a line break).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple


class InvalidGlob(ValueError):
    """A glob that cannot be compiled; ``reason`` says why, without the glob's text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CharSet(NamedTuple):
    """The characters one step of a glob accepts: ``chars`` and the inclusive code point
    ``ranges``, or everything else when ``negated``."""

    chars: frozenset[str]
    ranges: tuple[tuple[int, int], ...] = ()
    negated: bool = False

    def accepts(self, ch: str) -> bool:
        """Whether ``ch`` (one character) is in the set."""
        inside = ch in self.chars or any(low <= ord(ch) <= high for low, high in self.ranges)
        return inside is not self.negated

    @property
    def literal(self) -> str | None:
        """The one character the set holds, when it holds exactly one."""
        if self.negated or self.ranges or len(self.chars) != 1:
            return None
        return next(iter(self.chars))


class Step(NamedTuple):
    """One step of a glob: a character of ``chars``, or any number of them when ``repeat``.
    A step that ``opens_optional_pair`` reads nothing and may skip the two steps after it."""

    chars: CharSet
    repeat: bool = False
    opens_optional_pair: bool = False


NOT_SLASH = CharSet(frozenset("/"), negated=True)
"""Any character within a folder name or path component."""
NOT_NEWLINE = CharSet(frozenset("\n"), negated=True)
"""Any character but a line break: what crossing ``**`` accepts."""
SLASH = CharSet(frozenset("/"))
NOTHING = CharSet(frozenset())


def _literal(ch: str) -> Step:
    return Step(CharSet(frozenset(ch)))


# (any line then "/")?: zero or more folders. The first step reads nothing, so that the pair can
# be skipped only before it has read anything.
_ANY_FOLDERS = (
    Step(NOTHING, repeat=True, opens_optional_pair=True),
    Step(NOT_NEWLINE, repeat=True),
    Step(SLASH),
)


class Glob:
    """A compiled glob: ``matches`` says whether it matches a whole text."""

    __slots__ = (
        "_accept",
        "_masks",
        "_pairs",
        "_prefix",
        "_repeats",
        "_required",
        "_start",
        "_steps",
        "_suffix",
    )

    def __init__(self, steps: tuple[Step, ...]) -> None:
        self._steps = steps
        self._repeats = sum(1 << i for i, step in enumerate(steps) if step.repeat)
        self._pairs = sum(1 << i for i, step in enumerate(steps) if step.opens_optional_pair)
        self._accept = 1 << len(steps)
        self._masks: dict[str, tuple[int, int]] = {}
        # Literal runs every match holds: a quick way to turn most texts down without a run.
        runs: list[str] = []
        current: list[str] = []
        optional = {i + k for i, step in enumerate(steps) if step.opens_optional_pair for k in (1, 2)}
        for index, step in enumerate(steps):
            literal = step.chars.literal
            if literal is not None and not step.repeat and index not in optional:
                current.append(literal)
                continue
            runs.append("".join(current))
            current = []
        runs.append("".join(current))
        self._prefix = runs[0]
        self._start = self._close(1 << len(self._prefix))
        self._suffix = runs[-1] if len(runs) > 1 else ""
        self._required = tuple(run for run in runs[1:-1] if run)

    def _close(self, states: int) -> int:
        """``states`` and the states reachable from them without reading a character."""
        repeats, pairs = self._repeats, self._pairs
        while True:
            # A state before a run of repeating steps also stands before each later step of the run
            # and the step after it: adding the run's bits carries a state through to its end.
            closed = states | (((states & repeats) + repeats) ^ repeats)
            closed |= (closed & pairs) << 3
            if closed == states:
                return closed
            states = closed

    def _masks_of(self, ch: str) -> tuple[int, int]:
        """The steps that read ``ch`` and move on, and those that read it and stay."""
        masks = self._masks.get(ch)
        if masks is None:
            move = stay = 0
            for index, step in enumerate(self._steps):
                if step.chars.accepts(ch):
                    if step.repeat:
                        stay |= 1 << index
                    else:
                        move |= 1 << index
            masks = self._masks[ch] = (move, stay)
        return masks

    def matches(self, text: str) -> bool:
        """Whether the glob matches all of ``text``."""
        prefix, suffix = self._prefix, self._suffix
        if not text.startswith(prefix) or not text.endswith(suffix) or len(prefix) + len(suffix) > len(text):
            return False
        for run in self._required:
            if run not in text:
                return False
        states = self._start  # the literal prefix is read already
        masks, masks_of, repeats = self._masks, self._masks_of, self._repeats
        if self._pairs:
            close = self._close
            for ch in text[len(prefix) :]:
                move, stay = masks.get(ch) or masks_of(ch)
                states = close(((states & move) << 1) | (states & stay))
                if not states:
                    return False
        else:  # no optional pair: one pass of the closure is all of it
            for ch in text[len(prefix) :]:
                move, stay = masks.get(ch) or masks_of(ch)
                states = ((states & move) << 1) | (states & stay)
                states |= ((states & repeats) + repeats) ^ repeats
                if not states:
                    return False
        return bool(states & self._accept)

    def __repr__(self) -> str:
        return f"Glob({self._steps!r})"


def _class(body: str) -> CharSet:
    """A class's members as a regular expression's ``[...]`` reads them (``body`` after an
    opening ``^``): ``a-z`` is a range, a ``-`` first or last is itself; a bad range or an empty
    body is an :class:`InvalidGlob` with the message ``re`` gave."""
    chars: set[str] = set()
    ranges: list[tuple[int, int]] = []
    if not body:
        raise InvalidGlob("unterminated character set")
    i = 0
    while i < len(body):
        low = body[i]
        if body[i + 1 : i + 2] == "-" and i + 2 < len(body):
            high = body[i + 2]
            if high < low:
                raise InvalidGlob(f"bad character range {_written(low)}-{_written(high)}")
            ranges.append((ord(low), ord(high)))
            i += 3
        else:
            chars.add(low)
            i += 1
    return CharSet(frozenset(chars), tuple(ranges))


def _written(ch: str) -> str:
    """How a class member was written in the regular expression the globs used to become."""
    return "\\\\" if ch == "\\" else ch


@lru_cache(maxsize=512)
def path_glob(glob: str, anchored: bool) -> Glob:
    """A path glob (a ``.gitignore`` line, an ``exclude`` or ``per-file-ignores`` key) without its
    leading ``/``, matched against ``/``-separated paths; unless ``anchored``, from the start or
    after any ``/``. :class:`InvalidGlob` when a class cannot be read."""
    steps: list[Step] = [] if anchored else list(_ANY_FOLDERS)
    i = 0
    while i < len(glob):
        ch = glob[i]
        if glob.startswith("**/", i):
            steps.extend(_ANY_FOLDERS)
            i += 3
            continue
        if glob.startswith("/**", i) and i + 3 == len(glob):
            steps += [Step(SLASH), Step(NOT_NEWLINE, repeat=True)]
            i += 3
            continue
        if glob.startswith("**", i):
            steps.append(Step(NOT_NEWLINE, repeat=True))
            i += 2
            continue
        if ch == "*":
            steps.append(Step(NOT_SLASH, repeat=True))
        elif ch == "?":
            steps.append(Step(NOT_SLASH))
        elif ch == "[" and glob.find("]", i + 1) != -1:
            end = glob.find("]", i + 1)
            body = glob[i + 1 : end]
            negated = body[:1] in ("!", "^")
            members = _class(body[1:] if negated else body)
            steps.append(Step(members._replace(negated=negated)))
            i = end
        elif ch == "\\" and i + 1 < len(glob):
            i += 1
            steps.append(_literal(glob[i]))
        else:
            steps.append(_literal(ch))
        i += 1
    return Glob(tuple(steps))


_IPV6_CHARS = frozenset("0123456789abcdefABCDEF.:")


def _ipv6_host_length(glob: str) -> int:
    """The length of the bracketed IPv6 host (``[fc00::1]``) opening ``glob``, text and not a
    class; 0 when it opens with none."""
    end = glob.find("]")
    inside = glob[1:end]
    if not glob.startswith("[") or end == -1 or ":" not in inside or not _IPV6_CHARS.issuperset(inside):
        return 0
    return end + 1


@lru_cache(maxsize=256)
def image_name_glob(glob: str) -> Glob:
    """An image name glob (a canonical name, or one as written): ``*``, ``?`` and classes stay
    within a path component, ``**`` crosses components but not in the registry host.
    :class:`InvalidGlob` says why it cannot be one."""
    return Glob(_image_steps(glob, in_name=True))


@lru_cache(maxsize=256)
def image_tag_glob(glob: str) -> Glob:
    """An image tag glob: a tag has no components, so ``*`` and ``**`` are the same."""
    return Glob(_image_steps(glob, in_name=False))


def _image_steps(glob: str, *, in_name: bool) -> tuple[Step, ...]:
    steps: list[Step] = []
    i = 0
    if in_name:
        i = _ipv6_host_length(glob)
        steps.extend(_literal(ch) for ch in glob[:i])
    any_char = NOT_SLASH if in_name else NOT_NEWLINE
    while i < len(glob):
        ch = glob[i]
        if ch == "*":
            j = i
            while j < len(glob) and glob[j] == "*":
                j += 1
            if not in_name:
                steps.append(Step(NOT_NEWLINE, repeat=True))
            elif j - i == 1 or "/" not in glob[:i]:
                steps.append(Step(NOT_SLASH, repeat=True))  # within a component; the host never crosses one
            elif glob[i - 1 : i] == "/" and j == len(glob):
                steps += [Step(NOT_NEWLINE), Step(NOT_NEWLINE, repeat=True)]  # /** is one or more components
            elif glob[i - 1 : i] == "/" and glob[j : j + 1] == "/":
                steps.extend(_ANY_FOLDERS)  # /**/ is zero or more components
                j += 1
            else:
                steps.append(Step(NOT_NEWLINE, repeat=True))
            i = j
        elif ch == "?":
            steps.append(Step(any_char))
            i += 1
        elif ch == "[":
            step, i = _image_class(glob, i, in_name)
            steps.append(step)
        elif ch == "]":
            raise InvalidGlob("a ']' has no '[' to close")
        else:
            steps.append(_literal(ch))
            i += 1
    return tuple(steps)


def _image_class(glob: str, start: int, in_name: bool) -> tuple[Step, int]:
    """The step of the ``[...]`` class opening at ``start`` of an image glob, and the index after it."""
    i = start + 1
    negated = i < len(glob) and glob[i] in "!^"
    if negated:
        i += 1
    end = glob.find("]", i)
    if end == -1:
        raise InvalidGlob("a '[' class is not closed with ']'")
    body = glob[i:end]
    if not body:
        raise InvalidGlob("a '[...]' class is empty")
    if "[" in body:
        raise InvalidGlob("a '[...]' class cannot hold '['")
    if "/" in body:
        raise InvalidGlob("a '[...]' class cannot hold '/'")
    k = 0
    while k < len(body):  # a range runs low to high: [a-z], not [z-a]
        if body[k + 1 : k + 2] == "-" and k + 2 < len(body):
            if body[k] > body[k + 2]:
                raise InvalidGlob(f"the range {body[k : k + 3]!r} in a '[...]' class is out of order")
            k += 3
        else:
            k += 1
    # A negated class in a name never takes a '/'; the '/' is read as the class's first member,
    # so it can open a range, as it did in the regular expression "[^/" + body + "]".
    try:
        members = _class("/" + body if negated and in_name else body)
    except InvalidGlob:  # only "/-x" with x before "/"
        raise InvalidGlob(f"the range {'/-' + body[1]!r} in a '[...]' class is out of order") from None
    return Step(members._replace(negated=negated)), end + 1
