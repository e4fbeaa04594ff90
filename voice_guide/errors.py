"""User-facing errors: one line that says what to fix; the CLI exits with code 2.

The message is made one line and bounded here, once, because parts of it come from the user's
own file (a key, a step id, a value): a 39 MB key must not become a 39 MB error line.
"""

from __future__ import annotations

import re

#: The longest error line; a longer one is cut with "...".
MAX_MESSAGE = 400
#: The most problems `check` lists for one file.
MAX_PROBLEMS = 20

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(text: object, limit: int = MAX_MESSAGE) -> str:
    """`text` with newlines and control characters as single spaces, cut to `limit`."""
    flat = _CONTROL.sub(" ", str(text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


class UserError(Exception):
    """Bad input from the user (a file, an option, a device). Printed as one line, exit 2."""

    def __init__(self, message: object = "") -> None:
        super().__init__(one_line(message))


class UserErrors(UserError):
    """Several problems found in one file: `problems` lists them all (up to MAX_PROBLEMS);
    the message is the first, with how many more there are."""

    def __init__(self, problems: list[UserError]) -> None:
        self.problems = [str(p) for p in problems[:MAX_PROBLEMS]]
        more = len(problems) - 1
        tail = f" (and {more} more problem{'s' * (more > 1)}; `voice-guide check` lists them)"
        super().__init__(self.problems[0] + (tail if more else ""))


def located(path: object, line: int | None, message: str) -> UserError:
    """An error that names the file and, when known, the line."""
    where = f"{path}:{line}" if line else f"{path}"
    return UserError(f"{where}: {message}")


def problems_of(exc: UserError) -> list[str]:
    """Every problem an error carries, one line each (for `check`)."""
    return list(getattr(exc, "problems", None) or [str(exc)])


class SpeechUnavailable(UserError):
    """No speech engine (pyttsx3/espeak-ng missing or broken) or an unusable voice."""
