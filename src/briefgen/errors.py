"""Problems found in an archive, and the errors that carry them.

Every problem an editor sees names a file and a line: `path:line: message`.
Problems are values; stages collect them all and fail once at the end.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with the archive, at a place an editor can open."""

    path: str
    """File path relative to the site root, with forward slashes."""
    line: int
    """1-based line number in that file."""
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        label = "warning: " if self.severity is Severity.WARNING else ""
        return printable(f"{self.path}:{self.line}: {label}{self.message}")


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with its control characters escaped (ESC as '\\x1b'), fit for a terminal."""
    # File names and values quoted in messages may hold control characters;
    # printed raw, an ESC sequence would rewrite the editor's terminal.
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


SHOWN_OF_A_KIND = 5
"""Problems of one kind in one file printed in full; the rest are counted in one line."""
_NAMES_AND_NUMBERS = re.compile(r"'[^'\n]*'|\[[^\]\n]*\]|[0-9][0-9,]*")


def _kind_of(problem: Problem) -> tuple[str, Severity, str]:
    """Problems of one kind in one file: the same message but for its numbers and its
    quoted names and bracketed parts ('citation [12] has no note 12 ...')."""
    return problem.path, problem.severity, _NAMES_AND_NUMBERS.sub("#", problem.message)


def summarised(problems: Iterable[Problem]) -> list[Problem]:
    """`problems` in order, with each kind's problems after the first few in one file counted in one line.

    50,000 citations of missing notes printed 50,000 lines: the editor needs the first
    few to see what is wrong, then how many more there are and where they end.
    """
    problems = list(problems)
    of_kind: dict[tuple[str, Severity, str], list[Problem]] = {}
    for problem in problems:
        of_kind.setdefault(_kind_of(problem), []).append(problem)
    shown: list[Problem] = []
    met: dict[tuple[str, Severity, str], int] = {}
    for problem in problems:
        kind = _kind_of(problem)
        same, position = of_kind[kind], met.get(kind, 0)
        met[kind] = position + 1
        if position < SHOWN_OF_A_KIND:
            shown.append(problem)
        if position == SHOWN_OF_A_KIND - 1 and len(same) > SHOWN_OF_A_KIND:
            more = len(same) - SHOWN_OF_A_KIND
            shown.append(
                Problem(
                    problem.path,
                    same[SHOWN_OF_A_KIND].line,
                    f"... and {more:,} more like this in {problem.path} (the last at line {same[-1].line})",
                    problem.severity,
                )
            )
    return shown


def error(path: str, line: int, message: str) -> Problem:
    return Problem(path, line, message, Severity.ERROR)


def warning(path: str, line: int, message: str) -> Problem:
    return Problem(path, line, message, Severity.WARNING)


class BriefgenError(Exception):
    """Base of every error briefgen raises on purpose."""


class ArchiveError(BriefgenError):
    """The archive has at least one error; carries every problem found."""

    def __init__(self, problems: Iterable[Problem], files_read: int = 0) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems))
        self.files_read = files_read
        super().__init__("\n".join(str(p) for p in summarised(self.problems)))

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


class SiteRootError(BriefgenError):
    """The folder given as the site root is not one (a mistyped --root, or the wrong folder)."""


class DamagedCacheError(BriefgenError):
    """A file or record of the build cache failed its check: its bytes are not the ones written.

    Only a slower build: what it held is made again from the site's own files.
    """


class OutputError(BriefgenError):
    """The output folder cannot be written safely."""
