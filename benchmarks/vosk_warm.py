"""How long the first Korean command waits, with Vosk's open pass warmed at start-up or not.

    .venv/bin/python -m benchmarks.vosk_warm [--runs 2]

Builds the recognizer, waits 4 s (a session speaks its first cue meanwhile), then feeds the
tune split's clean Korean stream as benchmarks.listen does. Prints a markdown table: per run,
the first command's latency live and the p95 live (as benchmarks.listen replays a live
session: audio time plus the listener's computing), and commands right.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks import corpus, listen
from voice_guide.ears.engines.vosk import VoskRecognizer
from voice_guide.ears.recognizer import find_vosk_model

HEAD_START = 4.0  # s between start-up and the first sample


def once(warm: bool) -> tuple[float, float, int, int]:
    """(first command ms, p95 ms, right, commands) for one fresh recognizer."""
    model, why = find_vosk_model(None, "ko")
    if model is None:
        raise SystemExit(f"no Korean Vosk model: {why}")
    rec = VoskRecognizer(model, lang="ko", warm=warm)
    time.sleep(HEAD_START)
    args = listen.parser().parse_args(["--split", "tune"])
    stream = corpus.streams(rec.grammar, "ko", "tune", ["clean"], listen.default_seed("tune"),
                            2)[0]
    heard: list[float] = []
    decisions, cpu = listen.run(listen.listener_for(rec, "ko", args, listen.templates_for(
        "ko", "tune", True)), stream.pcm, heard)
    s = listen.score(stream.items, decisions, len(stream.pcm) / corpus.RATE, cpu, heard)
    return 1000 * s.live[0], float(np.percentile(s.live, 95)) * 1000, s.correct, s.commands


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=2)
    args = p.parse_args(argv)
    print("| open pass | run | first command (ms) | p95 live (ms) | right |")
    print("|---|---|---|---|---|")
    for run in range(args.runs):
        for warm in (False, True):
            first, p95, right, n = once(warm)
            print(f"| {'warmed' if warm else 'cold'} | {run + 1} | {first:.0f} | {p95:.0f} | "
                  f"{right} of {n} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
