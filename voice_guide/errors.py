"""User-facing errors: one line that says what to fix; the CLI exits with code 2."""


class UserError(Exception):
    """Bad input from the user (a file, an option, a device). Printed as one line, exit 2."""


def located(path: object, line: int | None, message: str) -> UserError:
    """An error that names the file and, when known, the line."""
    where = f"{path}:{line}" if line else f"{path}"
    return UserError(f"{where}: {message}")
