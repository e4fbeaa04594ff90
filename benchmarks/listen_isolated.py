"""What limits command accuracy: every phrasing and chatter sentence on its own, clean.

    .venv/bin/python -m benchmarks.listen_isolated [--split report|tune]

Each phrasing of the grammar and each chatter sentence is spoken by every voice of the split
at the three tempos, cut tight, with a second of faint hiss on each side, and heard by a fresh
listener: no noise, no neighbours. Per voice: how often the closed-grammar pass alone names
the right command, how often the whole listener (grammar, templates less the split's voices,
the rules) accepts it, and chatter false accepts.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np

from benchmarks import corpus
from benchmarks.listen import templates_for
from benchmarks.voices import render
from voice_guide.ears.engines.pocketsphinx import PocketSphinxRecognizer
from voice_guide.ears.listener import Listener
from voice_guide.protocol.phrases import spoken

PAD = 1.0  # s of hiss on each side


def utterance(text: str, voice: str, tempo: float, semitones: float, rng) -> np.ndarray:
    speech = corpus.trim(render(text, voice, tempo, semitones))
    x = np.concatenate([np.zeros(int(PAD * 16000)), speech, np.zeros(int(PAD * 16000))])
    x = x + rng.standard_normal(len(x)) * 30.0
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def judge(listener: Listener, pcm: np.ndarray) -> tuple[str | None, str | None]:
    """(grammar pass command over the speech, the listener's accepted command or None)."""
    cut = pcm[int((PAD - 0.25) * 16000): len(pcm) - int((PAD - 0.1) * 16000)]
    grammar_cmd = listener.recognizer.decode(cut).command
    heard = [d.command for d in listener.feed(pcm) + listener.flush() if d.command]
    return grammar_cmd, heard[0] if len(heard) == 1 else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", choices=["tune", "report"], default="report")
    args = p.parse_args(argv)
    rec = PocketSphinxRecognizer()
    templates = templates_for("en", args.split, True)
    rng = np.random.default_rng(9 if args.split == "report" else 5)
    lines: list[tuple[str, str | None]] = [(spoken(ph, "en"), c)
                                           for c, phs in rec.grammar.phrases.items()
                                           for ph in phs]
    lines += [(s, None) for s in corpus.CHATTER["en"]]
    # per voice: commands, grammar right, listener right, chatter, FA
    n: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    cpu = time.process_time()
    for voice in corpus.VOICES["en"][args.split]:
        for tempo in corpus.TEMPOS.values():
            for text, cmd in lines:
                pcm = utterance(text, voice, tempo, float(rng.uniform(-2.5, 2.5)), rng)
                grammar_cmd, heard = judge(Listener(rec, templates=templates), pcm)
                row = n[voice]
                if cmd:
                    row[0] += 1
                    row[1] += grammar_cmd == cmd
                    row[2] += heard == cmd
                else:
                    row[3] += 1
                    row[4] += heard is not None
    print("| voice | commands | grammar pass alone | listener | chatter false accepts |")
    print("|---|---|---|---|---|")
    total = [sum(col) for col in zip(*n.values(), strict=True)]
    for voice, (c, g, h, ch, fa) in [*n.items(), ("all", total)]:
        print(f"| {voice} | {c} | {100 * g / c:.1f} % | {100 * h / c:.1f} % | "
              f"{fa}/{ch} ({100 * fa / ch:.1f} %) |")
    print(f"\nCPU {time.process_time() - cpu:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
