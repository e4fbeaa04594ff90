"""Reading a file the user names: regular files only, with a size cap, as one-line errors.

A protocol folder can hold anything: a FIFO named `x.yaml` (reading it waits forever), a
symlink to /dev/zero (reading it never ends), a 50 MB file. `open()` with O_NONBLOCK never
waits on a FIFO; `fstat` on the open descriptor (not the name, which could change between a
check and the open) tells a regular file from the rest; the read stops one byte past the cap.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from voice_guide.errors import UserError

#: Protocols, translations, scripts, settings and grammars are hand-written: 1 MB is ~200 times
#: the largest shipped protocol.
MAX_TEXT_FILE = 1_000_000
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def open_regular(path: str | Path) -> int:
    """A read-only descriptor of `path`, which must be a regular file (the caller closes it)."""
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        why = "a symlink loop" if exc.errno == errno.ELOOP else exc.strerror or "error"
        raise UserError(f"{path}: cannot open it ({why})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket")
        raise UserError(f"{path}: is {kind}, not a regular file; give a file")
    os.set_blocking(fd, True)
    return fd


def read_bytes(path: str | Path, limit: int = MAX_TEXT_FILE) -> bytes:
    """The whole file, refused when larger than `limit` bytes."""
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise UserError(_too_big(path, size, limit))
        chunks, got = [], 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:  # it grew while we read
            raise UserError(_too_big(path, got, limit))
        return b"".join(chunks)
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def read_text(path: str | Path, limit: int = MAX_TEXT_FILE) -> str:
    """The file as UTF-8 text (size-capped, regular files only)."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(f"{path}:{line}: not UTF-8 text; save it as UTF-8") from None


def _too_big(path: str | Path, size: int, limit: int) -> str:
    return (f"{path}: is {size:,} bytes, more than the {limit:,} a file of this kind may be; "
            "is it the right file?")


def check_output(path: str | Path, what: str = "output") -> Path:
    """Before any work: can `path` be written? Its folder must exist and be writable; an
    existing `path` must be a regular file (writing to a FIFO would wait forever)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if not folder.is_dir():
            raise UserError(f"{path}: cannot write the {what}: the folder {folder} does not "
                            "exist; create it first or choose another path")
        if path.is_dir():
            raise UserError(f"{path}: cannot write the {what}: it is a folder; give a file name")
        if path.exists() and not path.is_file():
            raise UserError(f"{path}: cannot write the {what}: it is not a regular file")
    except OSError as exc:
        raise UserError(f"{path}: cannot write the {what} ({exc.strerror or exc})") from None
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UserError(f"{path}: cannot write the {what}: permission denied")
    return path
