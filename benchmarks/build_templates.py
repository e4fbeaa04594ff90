"""Rebuild the shipped command templates: `voice_guide/data/command_templates/<lang>.npz`.

    .venv/bin/python -m benchmarks.build_templates [--lang en] [--out FILE]

Every phrasing of the language's grammar is rendered by each template voice at three tempos
(and, for the voices without a pitch control, three pitches), framed the way the listener
frames an utterance (PRE seconds of room before the speech, POST after), once over a faint
hiss and once in a room noise (pink 20 dB, music 15 dB or babble 10 dB, in turn), and stored
as speech-embedding frames. The grammar's `not_commands:` (questions to the client) are
rendered the same way over hiss, as templates of no command (templates.NOT_A_COMMAND).
The espeak-ng templates are deterministic; flite, festival and hibari renderings vary a
little between machines.

The voices are every voice the project may use (benchmarks/voices.py). The listening
benchmark's report voices are in the shipped set too; the benchmark takes them out again
(`Templates.without_voices`) so that it never scores a voice against its own templates.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks import corpus
from benchmarks.voices import render
from voice_guide.ears import grammar as grammars
from voice_guide.ears.embedding import Embedder
from voice_guide.ears.templates import NOT_A_COMMAND, POST, PRE, Templates
from voice_guide.protocol.phrases import spoken

RATE = 16000
VOICES = {
    "en": ["espeak:en-us", "espeak:en-us+m3", "espeak:en-us+f3", "espeak:en-gb",
           "espeak:en-gb+f4", "espeak:en-gb-x-rp+m3", "espeak:en-029+m2",
           "espeak:en-gb-x-gbclan+f1", "flite:kal16", "hibari:heart",
           # the benchmark's report voices (taken out again when it runs)
           *corpus.VOICES["en"]["report"],
           # six more espeak-ng timbres (after the others, so that their renderings stay
           # as they were): 273 -> 278 of 416 on the tune split, benchmarks/RESULTS-listen.md
           "espeak:en-us+m1", "espeak:en-us+f5", "espeak:en-gb+m7", "espeak:en-gb-x-rp+f2",
           "espeak:en-gb-x-gbclan+m5", "espeak:en+klatt"],
    "ko": ["espeak:ko", "espeak:ko+f3", "espeak:ko+m3", *corpus.VOICES["ko"]["report"]],
}
TEMPOS = (0.8, 1.0, 1.25)
NOISES = ("pink", "music", "babble")


def variants(voice: str, k: int) -> list[tuple[float, float]]:
    """(tempo, semitones) renderings of one phrasing by one voice."""
    if voice.startswith("espeak:"):
        return [(t, (k % 5 - 2) * 1.5) for t in TEMPOS]
    return [(t, s) for t, s in zip(TEMPOS, (-2.0, 0.0, 2.5), strict=True)]


def framed(speech: np.ndarray, noise: str | None, rng: np.random.Generator) -> np.ndarray:
    """Speech with PRE/POST seconds of room around it, over hiss or in the given noise."""
    x = np.concatenate([np.zeros(int(PRE * RATE)), corpus.trim(speech).astype(np.float64),
                        np.zeros(int(POST * RATE))])
    if noise is None:
        return np.clip(np.round(x + 30.0 * rng.standard_normal(len(x))), -32768,
                       32767).astype(np.int16)
    return corpus.mix(x, noise, int(rng.integers(1 << 30)))


def build(lang: str, log=print) -> Templates:
    grammar = grammars.load(lang)
    embed = Embedder()
    rng = np.random.default_rng(7)
    items: list[tuple[str, str, str, np.ndarray]] = []
    k = 0
    for voice in VOICES[lang]:
        start = time.time()
        for cmd, phrases in grammar.phrases.items():
            for words in phrases:
                text = spoken(words, lang)
                for tempo, semis in variants(voice, k):
                    k += 1
                    speech = render(text, voice, tempo, semis, lang=lang)
                    for noise in (None, NOISES[k % len(NOISES)]):
                        items.append((cmd, " ".join(words), voice,
                                      embed(framed(speech, noise, rng))))
        log(f"{voice}: {len(items)} templates so far ({time.time() - start:.0f} s)")
    for voice in VOICES[lang]:  # after the commands', so that theirs stay as they were
        for words in grammar.not_commands:  # over hiss only: a witness against chatter
            for tempo, semis in variants(voice, k):
                k += 1
                speech = render(spoken(words, lang), voice, tempo, semis, lang=lang)
                items.append((NOT_A_COMMAND, " ".join(words), voice,
                              embed(framed(speech, None, rng))))
    log(f"not commands: {len(items)} templates in all")
    return Templates.from_embeddings(items, lang)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lang", default="en", choices=sorted(VOICES))
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    out = args.out or Path(__file__).resolve().parent.parent / "voice_guide" / \
        "data" / "command_templates" / f"{args.lang}.npz"
    templates = build(args.lang, log=lambda m: print(m, file=sys.stderr, flush=True))
    templates.save(out)
    print(f"{out}: {len(templates)} templates, {out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
