"""Profiles: one private file per person with their enrolled takes, beside the session logs.

`<data>/profiles/NAME.npz` (data: `$VOICE_GUIDE_DATA`, else the platform's user data folder;
the sessions are in `<data>/sessions`). The folder is 0700 and each file 0600 (set on what
was opened, never through a symbolic link: record/store.py). A profile holds speech
embeddings of the takes (96 numbers every 80 ms), not the audio; one set per language. It
is written to a temporary file and renamed, so a crash leaves the old profile whole.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from voice_guide.ears.templates import Templates, shipped_templates
from voice_guide.errors import UserError
from voice_guide.record.store import private_dir, private_open, sessions_dir

DEFAULT = "default"
#: Distances to the user's own takes count this much (templates.Templates.weights), so they
#: win over a synthetic voice's template at the same distance. Chosen on the enrollment
#: benchmark (benchmarks/RESULTS-enroll.md).
USER_WEIGHT = 0.9
USER = "user"  # the voice label of enrolled takes (templates.Match.voice)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_FIELDS = ("frames", "offsets", "commands", "phrases")
MAX_FILE = 50_000_000  # a profile of every phrasing of both languages is about 1 MB


@dataclass(frozen=True)
class Profile:
    name: str
    sets: dict[str, Templates] = field(default_factory=dict)  # language -> the takes

    def for_lang(self, lang: str) -> Templates | None:
        return self.sets.get(lang)

    def with_takes(self, takes: Templates) -> Profile:
        """This profile with `takes` replacing the takes of the same commands (`enroll
        COMMAND...` redoes some; a whole enrollment replaces them all)."""
        old = self.sets.get(takes.lang)
        if old is not None:
            old = old.without_commands(set(takes.commands))
            takes = old.merged(takes) if len(old) else takes
        return Profile(self.name, {**self.sets, takes.lang: takes})

    def takes(self) -> int:
        return sum(len(t) for t in self.sets.values())


def profiles_dir() -> Path:
    return sessions_dir().parent / "profiles"


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UserError(f"profile name {name!r}: use letters, digits, - and _ "
                        "(at most 40, starting with a letter or digit)")
    return name


def path_of(name: str) -> Path:
    return profiles_dir() / f"{check_name(name)}.npz"


def exists(name: str) -> bool:
    return path_of(name).is_file()


def names() -> list[str]:
    folder = profiles_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.npz") if _NAME.match(p.stem))


def save(profile: Profile) -> Path:
    """Write the profile (0600, in the 0700 folder), replacing the old one at once."""
    path = path_of(profile.name)
    arrays: dict[str, Any] = {}
    for lang, t in profile.sets.items():
        arrays.update({f"{lang}.frames": t.frames.astype(np.float16),
                       f"{lang}.offsets": t.offsets, f"{lang}.commands": t.commands,
                       f"{lang}.phrases": t.phrases})
    dir_fd = private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fd = private_open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, dir_fd=dir_fd)
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp.name, path.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    finally:
        os.close(dir_fd)
    return path


def load(name: str) -> Profile:
    """The named profile; a missing or damaged one is a one-line error saying what to do."""
    path = path_of(name)
    if not path.is_file():
        raise UserError(f"no profile {name!r} (in {path.parent}); make it with "
                        f"`voice-guide enroll --profile {name}`, or see `voice-guide profiles`")
    if path.stat().st_size > MAX_FILE:
        raise UserError(f"{path}: too large for a profile; remove it "
                        f"(`voice-guide profiles remove {name}`) and enroll again")
    try:
        with np.load(path, allow_pickle=False) as z:
            langs = sorted({k.split(".")[0] for k in z.files})
            sets = {lang: _templates(z, lang) for lang in langs}
    except (OSError, ValueError, KeyError, IndexError, zipfile.BadZipFile, EOFError):
        raise UserError(f"{path}: the profile is damaged; remove it (`voice-guide profiles "
                        f"remove {name}`) and enroll again") from None
    return Profile(name, sets)


def _templates(z, lang: str) -> Templates:
    frames, offsets, commands, phrases = (z[f"{lang}.{f}"] for f in _FIELDS)
    if frames.ndim != 2 or frames.shape[1] != 96 or len(offsets) != len(commands) + 1 or \
            len(phrases) != len(commands) or offsets[0] != 0 or offsets[-1] != len(frames) \
            or np.any(np.diff(offsets) < 1):
        raise ValueError("inconsistent arrays")
    return Templates(frames, offsets, commands, phrases, np.full(len(commands), USER), lang)


def remove(name: str) -> Path:
    path = path_of(name)
    if not path.is_file():
        raise UserError(f"no profile {name!r} to remove (`voice-guide profiles` lists them)")
    path.unlink()
    return path


def choose(name: str | None, setting: str | None) -> Profile | None:
    """The profile a session uses: `--profile NAME`, else the settings' `profile`, else
    `default` when one was enrolled (no profile otherwise). A named one must exist."""
    chosen = name or setting
    if chosen:
        return load(chosen)
    return load(DEFAULT) if exists(DEFAULT) else None


def listening_templates(lang: str, profile: Profile | None) -> Templates | None:
    """What the listener matches against: the shipped templates, and beside them the
    profile's takes for `lang`, weighted as the user's own voice."""
    shipped = shipped_templates(lang)
    own = profile.for_lang(lang) if profile is not None else None
    if own is None or not len(own):
        return shipped
    own = own.with_weight(USER_WEIGHT)
    return shipped.merged(own) if shipped is not None else own
