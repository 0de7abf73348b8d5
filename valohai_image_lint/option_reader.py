"""The command line's common options, read without argparse (which, with ``re``, ``gettext`` and
``locale``, costs a run a large share of its start-up).

``read_options`` reads what pre-commit, CI scripts and editors pass: paths (``-`` included), the
options below by their full names, as ``--name value`` or ``--name=value``, repeated or not. It
gives what argparse's parser (``argument_parser.build_parser``) gives for the same command line, or
None for anything else (an abbreviation, ``--help``, ``--``, a bad value, an option it does not
list), which argparse then reads and, where it must, rejects with its own message. A test holds
the two to the same result. It imports nothing.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

FLAGS = {
    "--isolated": "isolated",
    "--no-suppressions": "no_suppressions",
    "--exit-zero": "exit_zero",
    "--no-cache": "no_cache",
    "--statistics": "statistics",
    "--list-rules": "list_rules",
    "--online": "online",
    "--offline": "offline",
}
REPEATED = {"--select": "select", "--extend-select": "extend_select", "--ignore": "ignore"}  # each use adds
VALUED = {
    "--failure-threshold": "failure_threshold",
    "--config": "config",
    "--today": "today",
    "--max-file-size": "max_file_size",
    "--output-format": "output_format",
    "--color": "color",
    "--stdin-filename": "stdin_filename",
}
FORMAT_NAMES = (
    "concise",
    "full",
    "json",
    "json-lines",
    "sarif",
    "github",
    "gitlab",
    "junit",
    "pylint",
    "grouped",
    "editor",
)
"""The output formats' names, in the order ``--help`` lists them: the one list of them, here because
this module imports nothing (``reporters.FORMATS`` maps each name to its module)."""
CHOICES = {
    "--failure-threshold": ("error", "warning", "info"),
    "--color": ("auto", "always", "never"),
    "--output-format": FORMAT_NAMES,
}


class Options:
    """What the command line says, under argparse's names and with its defaults."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.select: list[list[str]] | None = None
        self.extend_select: list[list[str]] = []
        self.ignore: list[list[str]] = []
        self.failure_threshold: str | None = None
        self.config: str | None = None
        self.isolated = False
        self.show_settings: str | None = None
        self.max_file_size: int | None = None
        self.today: str | None = None
        self.no_suppressions = False
        self.statistics = False
        self.exit_zero = False
        self.output_format: str | None = None
        self.color = "auto"
        self.stdin_filename: str | None = None
        self.no_cache = False
        self.list_rules = False
        self.online = False
        self.offline = False


def split_selectors(value: str) -> list[str]:
    """``--select VIL1, latest-tag`` as selectors: split at commas, stripped, empty ones dropped."""
    return [part.strip() for part in value.split(",") if part.strip()]


def flatten(groups: list[list[str]] | None) -> tuple[str, ...] | None:
    """The selectors of a repeated option, in order (None when it was not given)."""
    return None if groups is None else tuple(selector for group in groups for selector in group)


class CommandLine:
    """What the settings take from the command line (None, or empty, where it says nothing): the
    one list of those options' names. ``config.resolve`` merges it with a config file's keys, and
    ``cache.results.settings_key`` reads its values in this order. A plain class (``typing``
    costs the cached run, which builds one, much of its start-up); iterating it gives the values."""

    __slots__ = (  # noqa: RUF023 - the cache key's order
        "select",
        "extend_select",
        "ignore",
        "failure_threshold",
        "suppressions",
        "today",
        "clock_today",
        "max_file_size",
        "online",
    )

    def __init__(
        self,
        select: tuple[str, ...] | None = None,
        extend_select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        failure_threshold: str | None = None,
        suppressions: bool = True,
        today: str | None = None,
        clock_today: str | None = None,
        max_file_size: int | None = None,
        online: bool | None = None,
    ) -> None:
        self.select = select
        self.extend_select = extend_select
        self.ignore = ignore
        self.failure_threshold = failure_threshold
        self.suppressions = suppressions
        self.today = today  # --today
        self.clock_today = clock_today  # the real date, which the CLI reads; used when nothing pins one
        self.max_file_size = max_file_size  # --max-file-size, in bytes
        self.online = online  # --online True, --offline False, neither None (the config's)

    def __iter__(self) -> Iterator[object]:
        return (getattr(self, name) for name in self.__slots__)

    def as_dict(self) -> dict[str, Any]:
        """The values by name, as ``CommandLine(**...)`` takes them."""
        return {name: getattr(self, name) for name in self.__slots__}


def settings_options(options: Any, clock_today: str) -> CommandLine:
    """What the settings take from a command line (``Options``, or argparse's namespace)."""
    return CommandLine(
        select=flatten(options.select),
        extend_select=flatten(options.extend_select) or (),
        ignore=flatten(options.ignore) or (),
        failure_threshold=options.failure_threshold,
        suppressions=not options.no_suppressions,
        today=options.today,
        clock_today=clock_today,
        max_file_size=options.max_file_size,
        online=True if options.online else False if options.offline else None,
    )


def read_options(argv: Sequence[str]) -> Options | None:
    """The options, as argparse would read them, or None for anything left to argparse."""
    options = Options()
    index = 0
    path_runs = 0  # argparse takes the paths of one run only: `a --exit-zero b` is its error
    previous_was_path = False
    while index < len(argv):
        argument = argv[index]
        index += 1
        if argument == "-" or not argument.startswith("-"):
            options.paths.append(argument)
            path_runs += not previous_was_path
            previous_was_path = True
            if path_runs > 1:
                return None
            continue
        previous_was_path = False
        name, equals, value = argument.partition("=")
        if name in FLAGS and not equals:
            setattr(options, FLAGS[name], True)
            continue
        if name not in REPEATED and name not in VALUED:
            return None  # --help, --version, '--', an abbreviation, a typo: argparse's to answer
        if not equals:
            if index == len(argv) or argv[index].startswith("-"):
                return None  # argparse takes no value that starts with '-' (and says so)
            value = argv[index]
            index += 1
        if name in CHOICES and value not in CHOICES[name]:
            return None
        if name in REPEATED:
            selectors = split_selectors(value)
            if not selectors:
                return None
            groups = getattr(options, REPEATED[name]) or []
            setattr(options, REPEATED[name], [*groups, selectors])
        elif name == "--today":
            if not _is_date(value):
                return None
            options.today = value
        elif name == "--max-file-size":
            if not (value.isascii() and value.isdigit() and 0 < int(value) < 10**15):
                return None  # units, or a number argparse's conversion would round
            options.max_file_size = int(value)
        else:
            setattr(options, VALUED[name], value)  # the last one wins, as in argparse
    if options.online and options.offline:
        return None  # argparse's error
    return options


def _is_date(value: str) -> bool:
    """Whether ``value`` is a real date written ``YYYY-MM-DD`` (as argparse's ``--today`` gives it)."""
    if not (len(value) == 10 and value.isascii() and value[4] == value[7] == "-"):
        return False
    year, month, day = value[:4], value[5:7], value[8:]
    if not (year.isdigit() and month.isdigit() and day.isdigit()):
        return False
    y, m, d = int(year), int(month), int(day)
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return y >= 1 and 1 <= m <= 12 and 1 <= d <= days[m - 1]
