"""Enrollment from recordings: one audio file per take, named `COMMAND-N.wav` (N = 1, 2...).

Any format and sample rate `voice-guide listen` reads (audio/pcm.py: WAV of any
flavour, FLAC, OGG), so a therapist can record the takes with any app, and the tests and the
benchmark drive enrollment the same way. Each file is checked like a spoken take; a file that
is not readable audio is refused with its own reason, and the others still count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from voice_guide.audio.pcm import read_wav
from voice_guide.enroll.core import Enrollment
from voice_guide.enroll.plan import Prompt
from voice_guide.errors import UserError

_TAKE = re.compile(r"^(?P<command>[a-z]+)-(?P<n>[1-9][0-9]?)\.[A-Za-z0-9]+$")
#: A take is one phrasing: a file longer than this is not a take (and is not read whole).
MAX_TAKE_SECONDS = 30.0


def takes_in(folder: Path) -> dict[str, list[Path]]:
    """command -> its take files in N order."""
    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder; give the folder that holds the takes "
                        "(COMMAND-N.wav)")
    found: dict[str, list[tuple[int, Path]]] = {}
    for path in folder.iterdir():
        m = _TAKE.match(path.name)
        if m:
            found.setdefault(m["command"], []).append((int(m["n"]), path))
    return {cmd: [p for _, p in sorted(files)] for cmd, files in found.items()}


def read_take(path: Path) -> np.ndarray:
    chunks, total = [], 0
    for chunk in read_wav(path):
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_TAKE_SECONDS * 16000:
            raise UserError(f"longer than {MAX_TAKE_SECONDS:.0f} s: a take is one phrasing")
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)


def enroll_folder(folder: Path, enrollment: Enrollment, say: Callable[[str], None]
                  ) -> tuple[list[str], list[Prompt]]:
    """Offer every take file of the plan's prompts; returns the refusals (one line each,
    already said) and the prompts that had no file at all."""
    files = takes_in(folder)
    refused: list[str] = []
    missing: list[Prompt] = []
    for prompt in enrollment.prompts:
        paths = files.get(prompt.command, [])
        if not paths:
            missing.append(prompt)
        for path in paths:
            try:
                why = enrollment.offer(prompt, read_take(path))
            except UserError as exc:
                why = str(exc).removeprefix(f"{path}: ")
            if why:
                refused.append(f"{path}: refused: {why}")
                say(refused[-1])
    return refused, missing
