"""Reports said over the guide's own voice, through an echo path with and without clock drift.

    .venv/bin/python -m benchmarks.barge_in

A long cue (psoas's "Map the muscle...", espeak-ng en-us, the guide's voice) reaches the
microphone 20 ms late at 0.8 gain; the therapist (espeak-ng en-gb) says "stop", "pause" or
"next" over it, as loud as the echo, at 22 moments from 0.5 s to 6.8 s into the cue. The
echo path either shares the player's clock or runs 0.01 % fast: a sound server resamples to
hold its latency (PulseAudio's loopback in the live test drifted 1-3 samples in 3 s). The
real listener and session hear it (session/echo.py takes the echo out). Prints, per drift
and word, how often the word was acted on and how long after it ended (audio time), what
else was (with "?" when asked back), and whether the echo alone was heard as anything.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from voice_guide.const import RATE
from voice_guide.dialogue.core import Dialogue
from voice_guide.ears.engines.pocketsphinx import PocketSphinxRecognizer
from voice_guide.ears.listener import Listener
from voice_guide.protocol import registry
from voice_guide.runners.simulate.synth import synthesize
from voice_guide.session.core import Session

CUE_AT = 1.0  # s: where the guide starts speaking
CUE = ("Map the muscle: first its top or centre, then its outer edge, then its inner edge. "
       "Keep checking with the client how tender each spot is.")
WORDS = ("stop", "pause", "next")
MOMENTS = tuple(k / 10 for k in range(5, 71, 3))  # s into the cue
DRIFTS = (0.0, 1e-4)


def drifted(clip: np.ndarray, fast: float = 1e-4, delay: float = 0.02,
            gain: float = 0.8) -> np.ndarray:
    """The clip as the microphone hears it through the room: later, quieter, and played by a
    clock `fast` ahead of the one that records it."""
    t = np.arange(int(len(clip) / (1 + fast))) * (1 + fast)
    out = np.interp(t, np.arange(len(clip)), clip.astype(np.float64))
    return np.concatenate([np.zeros(int(delay * RATE)), gain * out])


def heard(cue: np.ndarray, word: str | None, at: float = 0.0, fast: float = 1e-4
          ) -> list[str]:
    """What the session acted on ("numb?": asked back): the guide's cue echoed at CUE_AT,
    and `word` said over it `at` s after the cue starts, as loud as the echo."""
    return [command for command, _ in acted(cue, word, at, fast)]


def said(word: str) -> np.ndarray:
    return synthesize(word, voice="en-gb", rate=150).astype(np.float64)


def acted(cue: np.ndarray, word: str | None, at: float, fast: float
          ) -> list[tuple[str, float]]:
    """`heard`, with the audio time each was acted on."""
    echo = drifted(cue, fast)
    mic = np.random.default_rng(0).normal(0, 30, int((CUE_AT + 1.5) * RATE) + len(echo))
    start = int(CUE_AT * RATE)
    mic[start:start + len(echo)] += echo
    if word is not None:
        x = said(word)
        x *= np.sqrt(np.mean(echo ** 2) / np.mean(x[np.abs(x) > 100] ** 2))
        k = start + int(at * RATE)
        mic[k:k + len(x)] += x
    pcm = np.clip(np.round(mic), -32768, 32767).astype(np.int16)
    events: list = []
    session = Session(Dialogue(registry.resolve("psoas")), [events.append],
                      listener=Listener(PocketSphinxRecognizer()))
    session.start(0.0)
    session.speaking(CUE_AT, CUE_AT + len(cue) / RATE, CUE, pcm=cue)
    for i in range(0, len(pcm), 320):  # the microphone's 20 ms blocks
        session.feed_audio(pcm[i:i + 320])
    session.end_of_audio()
    return [(f"{e.command}?" if e.confirm else e.command, e.t) for e in events
            if e.event == "heard"]


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    cue = synthesize(CUE, voice="en-us", rate=175)
    print("| echo clock | word | acted on | after the word: median / p95 / most (s) "
          "| else acted on | the echo alone | seconds |")
    print("|---|---|---|---|---|---|---|")
    for fast in DRIFTS:
        alone = heard(cue, None, fast=fast)
        for word in WORDS:
            began = time.perf_counter()
            length = np.flatnonzero(np.abs(said(word)) > 100)[-1] / RATE
            got = [(at, acted(cue, word, at, fast)) for at in MOMENTS]
            right = [t - (CUE_AT + at + length) for at, g in got
                     for command, t in g[:1] if len(g) == 1 and command == word]
            other = [command for _, g in got for command, _ in g if command != word]
            clock = "the player's" if fast == 0 else f"{fast:.2%} fast"
            late = (f"{np.median(right):.2f} / {np.percentile(right, 95):.2f} / "
                    f"{max(right):.2f}" if right else "-")
            print(f"| {clock} | {word} | {len(right)} of {len(MOMENTS)} | {late} | "
                  f"{', '.join(other) or '-'} | {', '.join(alone) or 'nothing'} | "
                  f"{time.perf_counter() - began:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
