"""A config key declared as data: an ``Option`` says what the key takes, how a value is checked
and converted, its default, and how ``--show-settings`` prints it. A rule lists the options it
reads in ``Rule.options`` and reads them with ``RuleOptions.get``; the key table, the settings
and ``--show-settings`` are built from those declarations, so a new option is declared once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .errors import ConfigError
from .values import string_list

if TYPE_CHECKING:
    from ..patterns import ImagePattern

T = TypeVar("T")

Check = Callable[[str, Any, str], None]
"""A check of a value of the right type: ``check(key, value, where)`` raises ``ConfigError``,
its message starting with ``where`` (the file and table), when the value still cannot be used."""


def _same(value: Any) -> Any:
    return value


class Option(Generic[T]):
    """One config key: ``key`` (kebab-case, as config files write it), ``expected`` (what it
    takes, as error messages say: "a list of image patterns"), ``accepts`` (whether a TOML value
    is of that kind) and ``check`` (what else a value must be, see ``Check``).

    ``convert`` turns an accepted TOML value into the setting the settings hold (hashable: a
    tuple for a list); ``default`` is the setting when the key is not given. ``read`` turns the
    setting into what rules receive as ``T`` (patterns parsed, say); the engine does that once
    per settings. ``show`` turns the setting into the value ``--show-settings`` prints as TOML.
    """

    __slots__ = ("accepts", "check", "convert", "default", "expected", "key", "read", "show")

    def __init__(
        self,
        key: str,
        expected: str,
        accepts: Callable[[Any], bool],
        *,
        check: Check | None = None,
        convert: Callable[[Any], Hashable] = _same,
        default: Hashable = None,
        read: Callable[[Any], T] = _same,
        show: Callable[[Any], object] = _same,
    ) -> None:
        self.key = key
        self.expected = expected
        self.accepts = accepts
        self.check = check
        self.convert = convert
        self.default = default
        self.read = read
        self.show = show

    def __repr__(self) -> str:
        return f"Option({self.key!r})"


def _parse_patterns(texts: tuple[str, ...]) -> tuple[ImagePattern, ...]:
    if not texts:
        return ()
    from ..patterns import ImagePattern  # only when a team has patterns

    return tuple(ImagePattern.parse(text) for text in texts)


def _check_patterns(if_empty: str | None) -> Check:
    def check(key: str, value: list[str], where: str) -> None:
        from ..patterns import ImagePattern, InvalidPattern

        if not value and if_empty is not None:
            raise ConfigError(f'{where}"{key}" is empty, {if_empty}')
        for text in value:
            try:
                ImagePattern.parse(text)
            except InvalidPattern as exc:
                raise ConfigError(f'{where}"{key}": pattern "{text}" is not valid: {exc.reason}') from None

    return check


def image_patterns(key: str, if_empty: str | None = None) -> Option[tuple[ImagePattern, ...]]:
    """An option that takes a list of image patterns (``patterns.ImagePattern``), which rules
    receive parsed; empty by default. ``if_empty``, when given, refuses an empty list and says
    why in the message ("which would refuse every image; ...")."""
    return Option(
        key,
        "a list of image patterns",
        string_list,
        check=_check_patterns(if_empty),
        convert=tuple,
        default=(),
        read=_parse_patterns,
        show=list,
    )
