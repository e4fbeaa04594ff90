"""Where protocols come from: the ones shipped in the package, and the user's own folder.

The user folder is `<user data dir>/protocols` (platform conventions) or
`$VOICE_GUIDE_PROTOCOLS`; a user protocol with a shipped id takes its place.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import platformdirs

from voice_guide.errors import UserError, one_line
from voice_guide.protocol import Protocol
from voice_guide.protocol_loader import load_protocol
from voice_guide.translation import is_translation
from voice_guide.userfile import read_text

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    source: str
    origin: str  # "shipped" or "user"
    path: Path


def user_folder() -> Path:
    env = os.environ.get("VOICE_GUIDE_PROTOCOLS")
    return Path(env) if env else Path(platformdirs.user_data_dir("voice-guide")) / "protocols"


def shipped_folder() -> Path:
    return Path(str(resources.files("voice_guide.protocols")))


def protocol_files(folder: Path) -> list[Path]:
    """Protocol files in a folder; translations beside them (`psoas.ko.yaml`) are not ones."""
    try:
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("*.yaml") if not is_translation(p))
    except OSError as exc:  # an unreadable folder: no protocols from it, said once
        _skipped(f"{folder}: cannot list it ({exc.strerror or exc})")
        return []


def _skipped(message: str) -> None:
    """A broken user file is said (one line) and left out; the other protocols still run."""
    print(f"voice-guide: warning: skipped {one_line(message)}", file=sys.stderr, flush=True)


_files = protocol_files


def entries() -> list[Entry]:
    """Every protocol, user ones last so they override shipped ones with the same id."""
    found: dict[str, Entry] = {}
    for origin, folder in (("shipped", shipped_folder()), ("user", user_folder())):
        for path in _files(folder):
            try:
                p = load_protocol(path)
            except UserError as exc:
                if origin == "shipped":
                    raise
                _skipped(str(exc))
                continue
            found[p.id] = Entry(p.id, p.title, p.source, origin, path)
    return sorted(found.values(), key=lambda e: e.id)


def path_of(name: str, relative_to: Path | None = None) -> Path | None:
    """The file of a protocol given by id or path (paths relative to `relative_to`)."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_absolute() and relative_to is not None:
            path = relative_to / path
        return path if _exists(path) else None
    folders = (user_folder(), shipped_folder())
    return next((p for f in folders for p in _files(f) if _id_of(p) == name), None)


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


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long for the file system, say
        return False


def resolve(name: str, language: str | None = None) -> Protocol:
    """A protocol by id, or by the path of a YAML file; in `language` when given (from the
    translation beside it, when that is not the protocol's own language)."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or _exists(path):
        return load_protocol(path, language=language)
    found = entries()
    for entry in found:
        if entry.id == name:
            return load_protocol(entry.path, language=language)
    known = ", ".join(e.id for e in found)
    raise UserError(f"unknown protocol '{name}' (known: {known}; or give a .yaml path)")
