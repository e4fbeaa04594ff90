"""Where session files live and how they are opened: private, never through a link, locked.

A leaf under the record modules (no voice_guide import but errors): the sessions folder is
0700 and every file the record writes is 0600, set with fchmod on what was opened so neither
the umask nor the modes found matter; O_NOFOLLOW everywhere, so a symbolic link planted in
the folder's or a file's place is refused instead of followed; an flock per log, so two
sessions never append to the same one.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

import platformdirs

from voice_guide.errors import UserError


def sessions_dir() -> Path:
    """Where logs go: `$VOICE_GUIDE_DATA/sessions`, else the platform's user data folder."""
    env = os.environ.get("VOICE_GUIDE_DATA")
    base = Path(env) if env else Path(platformdirs.user_data_dir("voice-guide"))
    return base / "sessions"


def folder_fd() -> int:
    """The sessions folder opened without following a link, and tightened to 0700."""
    return private_dir(sessions_dir())


def private_dir(folder: Path) -> int:
    """`folder` (made if missing) opened without following a link, and tightened to 0700.

    A symbolic link in its place is refused (ELOOP): chmod'ing or writing into whatever it
    points at is not ours to do. Modes are set with fchmod on what was opened, so the umask
    and the modes found do not matter. Session logs and enrollment profiles live in such
    folders.
    """
    # The data folder that holds it, when we make it, is private too (one that exists is the
    # user's to set: VOICE_GUIDE_DATA may name any folder).
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP or folder.is_symlink():
            raise UserError(f"{folder} is a symbolic link; voice-guide keeps its private files "
                            "only in a real folder (remove the link, or set VOICE_GUIDE_DATA)"
                            ) from None
        raise
    os.fchmod(fd, 0o700)
    return fd


def private_open(path: Path, flags: int, *, dir_fd: int | None = None) -> int:
    """Open (or create) a file 0600 without following a symbolic link, whatever the umask."""
    name = path.name if dir_fd is not None else path
    fd = os.open(name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
    try:
        os.fchmod(fd, 0o600)
    except OSError:
        os.close(fd)
        raise
    return fd


def is_session_log(path: Path) -> bool:
    """A `.jsonl` name, or a file whose first line is a session_start (a log renamed)."""
    if Path(path).suffix.lower() == ".jsonl":
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(200)
    except OSError:
        return False
    return head.startswith(b'{"t": 0.0, "event": "session_start"')


def refuse_log_target(path: Path, what: str) -> None:
    """Nothing the tool writes may land on a session log (exit 2 before anything is lost)."""
    if is_session_log(path):
        raise UserError(f"{path}: will not write {what} onto a session log or a .jsonl file; "
                        "choose another name")


def lock(fd: int, path: Path) -> None:
    """One writer per log: a second session on the same log is refused, not interleaved."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise UserError(f"{path}: in use by another voice-guide session; let it end "
                        "first") from None


def in_use(path: Path) -> bool:
    """True while another process holds the log's lock (a session running on it)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
