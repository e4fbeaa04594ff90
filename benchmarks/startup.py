"""Start-up benchmark: how soon a fresh `voice-guide listen` has heard a one-word WAV.

    .venv/bin/python -m benchmarks.startup [--runs 8] [--langs en,ko]

The issue's budget is the whole `listen` start-up under 2 s: process start, imports, the
engine, the templates and the embedding model, then one word heard. Each run is a fresh
process (`python -m voice_guide listen FILE`, what `voice-guide listen FILE` runs), after one
run that fills the disk cache. The word is espeak-ng's (en-us "next", Korean "넘어가"), so
nothing here depends on a voice kept for the evaluation. Prints a markdown table: per engine,
when the word's decision was printed (median and slowest run: the budget's measure), when
the process had ended (the exit frees the engine's model, which the user does not wait
for), and what was heard.
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


def timed(args: list[str]) -> tuple[float, float, str]:
    """(when the first decision was printed, when the process had ended, that line): a
    decision is printed and flushed the moment it is made (cli/listen.py), so the first time
    is start-up and one word heard; the second adds the exit (Vosk frees its model then)."""
    began = time.perf_counter()
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        line = proc.stdout.readline()
        heard = time.perf_counter() - began
        rest, err = proc.communicate()
    wall = time.perf_counter() - began
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err.strip()}")
    out = (line + rest).strip()
    return heard, wall, out.splitlines()[-1] if out else ""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=8)
    p.add_argument("--langs", default="en,ko", help="comma-separated: en, ko")
    args = p.parse_args(argv)
    print("| engine | word | runs | word heard at, median (s) | slowest (s) | "
          "process ended, median (s) | heard |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for lang in args.langs.split(","):
            engine, word = WORDS[lang]
            wav = Path(tmp) / f"{lang}.wav"
            write_wav(wav, render(word, "espeak:en-us" if lang == "en" else "espeak:ko",
                                  lang=lang))
            run = [*VOICE_GUIDE, "listen", str(wav), "--engine", engine, "--lang", lang]
            timed(run)  # the first run fills the disk cache and Python's bytecode cache
            firsts, walls, heard = [], [], ""
            for _ in range(args.runs):
                first, wall, heard = timed(run)
                firsts.append(first)
                walls.append(wall)
            print(f"| {engine} | {word} | {args.runs} | {statistics.median(firsts):.2f} | "
                  f"{max(firsts):.2f} | {statistics.median(walls):.2f} | "
                  f"{' '.join(heard.split()[1:]) or '–'} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
