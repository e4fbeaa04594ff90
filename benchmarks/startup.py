"""Start-up benchmark: the wall time of a whole `voice-guide listen` on a one-word WAV.

    .venv/bin/python -m benchmarks.startup [--runs 8] [--langs en,ko]

The issue's budget is the whole `listen` start-up under 2 s: process start, imports, the
engine, the templates and the embedding model, then one word heard. Each run is a fresh
process (`python -m voice_guide listen FILE`, what `voice-guide listen FILE` runs), after one
run that fills the disk cache. The word is espeak-ng's (en-us "next", Korean "넘어가"), so
nothing here depends on a voice kept for the evaluation. Prints a markdown table: per engine,
the median and the slowest run, and what was heard.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from benchmarks.voices import RATE, render

WORDS = {"en": ("pocketsphinx", "next"), "ko": ("vosk", "넘어가")}
#: `voice-guide` as this checkout's code runs it (the console script would run the installed
#: one, which is another checkout's in a worktree)
VOICE_GUIDE = [sys.executable, "-m", "voice_guide"]


def write_wav(path: Path, pcm: np.ndarray) -> None:
    """Half a second of quiet on each side, so the word is heard as a live one is."""
    pad = np.zeros(RATE // 2, dtype=np.int16)
    sf.write(path, np.concatenate([pad, pcm, pad]).astype(np.int16), RATE, subtype="PCM_16")


def timed(args: list[str]) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return wall, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=8)
    p.add_argument("--langs", default="en,ko", help="comma-separated: en, ko")
    args = p.parse_args(argv)
    print("| engine | word | runs | median wall (s) | slowest (s) | heard |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for lang in args.langs.split(","):
            engine, word = WORDS[lang]
            wav = Path(tmp) / f"{lang}.wav"
            write_wav(wav, render(word, "espeak:en-us" if lang == "en" else "espeak:ko",
                                  lang=lang))
            run = [*VOICE_GUIDE, "listen", str(wav), "--engine", engine, "--lang", lang]
            timed(run)  # the first run fills the disk cache and Python's bytecode cache
            walls, heard = [], ""
            for _ in range(args.runs):
                wall, heard = timed(run)
                walls.append(wall)
            print(f"| {engine} | {word} | {args.runs} | {statistics.median(walls):.2f} | "
                  f"{max(walls):.2f} | {' '.join(heard.split()[1:]) or '–'} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
