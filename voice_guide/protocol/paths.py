"""Where protocol files are: the shipped folder, the user's folder, a protocol's file by id.

A leaf under the loader: the include resolver finds included protocols here without importing
the registry (which loads protocols, and so imports the loader).
"""

from __future__ import annotations

import logging
import os
from importlib import resources
from pathlib import Path

import platformdirs

from voice_guide.errors import UserError
from voice_guide.notice import warn
from voice_guide.protocol.translation import is_translation
from voice_guide.userfile import read_text

_LOGGER = logging.getLogger(__name__)


def user_folder() -> Path:
    env = os.environ.get("VOICE_GUIDE_PROTOCOLS")
    return Path(env) if env else Path(platformdirs.user_data_dir("voice-guide")) / "protocols"


def shipped_folder() -> Path:
    return Path(str(resources.files("voice_guide.data.protocols")))


def protocol_files(folder: Path) -> list[Path]:
    """Protocol files in a folder; translations beside them (`psoas.ko.yaml`) are not ones."""
    try:
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("*.yaml") if not is_translation(p))
    except OSError as exc:  # an unreadable folder: no protocols from it, said once
        skipped(f"{folder}: cannot list it ({exc.strerror or exc})")
        return []


def skipped(message: str) -> None:
    """A broken user file is said (one line) and left out; the other protocols still run."""
    warn(f"skipped {message}")


def path_of(name: str, relative_to: Path | None = None) -> Path | None:
    """The file of a protocol given by id or path (paths relative to `relative_to`)."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_absolute() and relative_to is not None:
            path = relative_to / path
        return path if exists(path) else None
    folders = (user_folder(), shipped_folder())
    return next((p for f in folders for p in protocol_files(f) if _id_of(p) == name), None)


def _id_of(path: Path) -> str | None:
    """A protocol file's id without validating it (for lookups by id)."""
    try:
        text = read_text(path)
    except UserError as exc:
        _LOGGER.info("no id from %s: %s", path, exc)
        return None
    for line in text.splitlines():
        if line.startswith("id:"):
            return line[3:].strip().strip("'\"")
    return None


def exists(path: Path) -> bool:
    """Whether a path exists; False, not an error, for a name the file system refuses."""
    try:
        return path.exists()
    except OSError:  # a name too long for the file system, say
        return False
