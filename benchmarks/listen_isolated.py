"""What limits command accuracy: every phrasing and chatter sentence on its own, clean.

    .venv/bin/python -m benchmarks.listen_isolated [--split report|tune]

Each phrasing of the grammar and each chatter sentence is spoken by every voice of the split
at the three rates, cut tight and padded as the segmenter pads it (0.25 s before, 0.1 s
after, faint hiss), and decoded directly: no segmenter, no noise, no neighbours. Per voice:
how often the closed-grammar pass alone names the right command (the ceiling any rejection
rule can only lower), how often the whole listener accepts it, and chatter false accepts.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np

from benchmarks import corpus
from voice_guide.engines.pocketsphinx_engine import PocketSphinxRecognizer
from voice_guide.listener import Listener
from voice_guide.phrases import spoken
from voice_guide.segmenter import Segment
from voice_guide.synth import synthesize

PRE, POST = 0.25, 0.10


def utterance(text: str, voice: str, rate: int, pitch: int, rng) -> np.ndarray:
    speech = corpus.trim(synthesize(text, voice=voice, rate=rate, pitch=pitch))
    x = np.concatenate([np.zeros(int(PRE * 16000)), speech, np.zeros(int(POST * 16000))])
    x = x + rng.standard_normal(len(x)) * 30.0
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def judge(listener: Listener, pcm: np.ndarray) -> tuple[str | None, str | None]:
    """(grammar pass command, listener's command) for one padded utterance."""
    end = len(pcm) / 16000 - POST
    seg = Segment(pcm=pcm, start=PRE, end=end, closed=end, pcm_start=0.0)
    hyp = listener.recognizer.decode(pcm)
    return hyp.command, listener._judge(seg, hyp).command


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", choices=["tune", "report"], default="report")
    args = p.parse_args(argv)
    rec = PocketSphinxRecognizer()
    rng = np.random.default_rng(9 if args.split == "report" else 5)
    lines = [(spoken(ph, "en"), c) for c, phs in rec.grammar.phrases.items() for ph in phs]
    lines += [(s, None) for s in corpus.CHATTER["en"]]
    n = defaultdict(lambda: [0, 0, 0, 0, 0])  # commands, grammar right, listener right, chatter, FA
    cpu = time.process_time()
    for voice in corpus.VOICES["en"][args.split]:
        for rate in corpus.RATES.values():
            for text, cmd in lines:
                pcm = utterance(text, voice, rate, int(rng.integers(35, 70)), rng)
                grammar_cmd, heard = judge(Listener(rec), pcm)
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
