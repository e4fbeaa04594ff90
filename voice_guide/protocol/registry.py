"""Where protocols come from: the ones shipped in the package, and the user's own folder.

The user folder is `<user data dir>/protocols` (platform conventions) or
`$VOICE_GUIDE_PROTOCOLS`; a user protocol with a shipped id takes its place. Finding the files
is voice_guide.protocol.paths (`shipped_folder`, `user_folder`, `protocol_files` also import
from here); this module loads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from voice_guide.errors import UserError
from voice_guide.protocol.loader import load_protocol
from voice_guide.protocol.model import Protocol
from voice_guide.protocol.paths import exists, protocol_files, shipped_folder, skipped, user_folder


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    source: str
    origin: str  # "shipped" or "user"
    path: Path


def entries() -> list[Entry]:
    """Every protocol, user ones last so they override shipped ones with the same id."""
    found: dict[str, Entry] = {}
    for origin, folder in (("shipped", shipped_folder()), ("user", user_folder())):
        for path in protocol_files(folder):
            try:
                p = load_protocol(path)
            except UserError as exc:
                if origin == "shipped":
                    raise
                skipped(str(exc))
                continue
            found[p.id] = Entry(p.id, p.title, p.source, origin, path)
    return sorted(found.values(), key=lambda e: e.id)


def resolve(name: str, language: str | None = None) -> Protocol:
    """A protocol by id, or by the path of a YAML file; in `language` when given (from the
    translation beside it, when that is not the protocol's own language)."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or exists(path):
        return load_protocol(path, language=language)
    found = entries()
    for entry in found:
        if entry.id == name:
            return load_protocol(entry.path, language=language)
    known = ", ".join(e.id for e in found)
    raise UserError(f"unknown protocol '{name}' (known: {known}; or give a .yaml path)")
