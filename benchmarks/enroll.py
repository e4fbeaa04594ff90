"""Enrollment benchmark: what a profile of three takes per command adds, per voice and room.

    .venv/bin/python -m benchmarks.enroll [--quick] [--voices V,V] [--conditions c,c] [--errors]

For each voice (the ones the engine handles worst: en-029+m2 of the tune split, and report
voices that are never tuned on), a stream of that voice alone saying each command's own word
(the phrasing enrolled) at slow, normal and fast tempos and pitches within ±2.5 semitones,
with the corpus's chatter sentences (which contain command words) in between, in clean, pink,
music and babble rooms (benchmarks/corpus.py). It is heard twice by the same listener:
without a profile and with one enrolled from three takes per command by the same voice at
OTHER tempos (0.9, 1.12, 1.4) and pitches (-3.5, +3.5, -3 semitones) than the test audio,
through the real enrollment checks (voice_guide/enroll; a refused take is said again at
another tempo and pitch, as the spoken enrollment asks). Both runs use the shipped templates
less the voice's own and the report voices' (Templates.without_voices), so the gain is the
profile's. Last, the time the profile adds to one decision (the template match, one core).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the budget is stated
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import corpus  # noqa: E402
from benchmarks.listen import run, score  # noqa: E402
from benchmarks.voices import render  # noqa: E402
from voice_guide.ears import recognizer as recognizers  # noqa: E402
from voice_guide.ears.grammar import Grammar  # noqa: E402
from voice_guide.ears.listener import Listener, embedder  # noqa: E402
from voice_guide.ears.templates import Templates  # noqa: E402
from voice_guide.enroll.core import Enrollment  # noqa: E402
from voice_guide.enroll.plan import plan  # noqa: E402
from voice_guide.enroll.profiles import USER_WEIGHT  # noqa: E402
from voice_guide.protocol.phrases import spoken  # noqa: E402

RATE = corpus.RATE
VOICES = ["espeak:en-029+m2", "festival:kdlpc16k", "espeak:en-gb-scotland+m1"]
#: (tempo, semitones) of the three enrolled takes: none is a test tempo (0.78, 1.0, 1.28),
#: every pitch is outside the test's ±2.5 semitones.
TAKES = ((0.9, -3.5), (1.12, 3.5), (1.4, -3.0))
#: When a take is refused, the user says it again: these, in turn (also outside the test's).
RETAKES = ((1.2, -4.0), (0.95, 3.0), (1.3, 4.0))
HEADER = ("| voice | condition | commands | accuracy without → with | chatter false accepts "
          "without → with | takes said again |\n|---|---|---|---|---|---|")


def takes_for(voice: str, grammar: Grammar, weight: float) -> tuple[Templates, int]:
    """The voice's profile, enrolled through the real checks: each take as a recording in a
    quiet room (0.5 s before, 0.5 s after, a faint hiss)."""
    prompts = plan(grammar)
    e = Enrollment(prompts, grammar.lang, embedder())
    rng = np.random.default_rng(5)
    refused = 0
    for prompt in prompts:
        for tempo, semis in (*TAKES, *RETAKES):
            if not e.needs(prompt):
                break
            speech = render(prompt.text, voice, tempo, semis, lang=grammar.lang)
            pad = np.zeros(RATE // 2)
            x = np.concatenate([pad, speech.astype(np.float64), pad])
            x = np.clip(np.round(x + 30 * rng.standard_normal(len(x))), -32768, 32767)
            refused += e.offer(prompt, x.astype(np.int16)) is not None
    return e.templates().with_weight(weight), refused


def stream(voice: str, grammar: Grammar, cond: str, seed: int) -> tuple[np.ndarray, list]:
    """The voice alone: each command's own word and the chatter, shuffled (corpus layout)."""
    rng = np.random.default_rng(seed)
    lines: list[tuple[str, str | None]] = [(spoken(p[0], grammar.lang), c)
                                           for c, p in grammar.phrases.items()]
    lines += [(t, None) for t in corpus.CHATTER[grammar.lang]]
    lines = [lines[i] for i in rng.permutation(len(lines))]
    parts, items, t = [], [], 0.0
    for k, (text, cmd) in enumerate(lines):
        rate = list(corpus.TEMPOS)[rng.integers(3)]
        speech = corpus.trim(render(text, voice, corpus.TEMPOS[rate],
                                    float(rng.uniform(-2.5, 2.5)), lang=grammar.lang))
        after_talk = cmd is not None and k > 0 and lines[k - 1][1] is None and rng.random() < 0.4
        gap = np.zeros(int(RATE * rng.uniform(*((0.35, 0.7) if after_talk else (1.2, 2.5)))))
        t += len(gap) / RATE
        items.append(corpus.Item("command" if cmd else "chatter", text, cmd, t,
                                 t + len(speech) / RATE, voice, rate))
        parts += [gap, speech]
        t += len(speech) / RATE
    speech_track = np.concatenate(parts).astype(np.float64)
    return corpus.mix(speech_track, cond, seed), items


def added_ms(base: Templates, profile: Templates, queries: list[np.ndarray]
             ) -> tuple[float, float, float]:
    """ms of one template match without the profile, with it, and against the profile
    alone (what it adds, measured apart from the noise of a shared machine): per query the
    fastest of 5 runs, then the median over the queries. One core (OMP/BLAS threads = 1)."""
    out = []
    for t in (base, base.merged(profile), profile):
        best = []
        for q in queries:
            runs = []
            for _ in range(5):
                start = time.perf_counter()
                t.ranked(q)
                runs.append(time.perf_counter() - start)
            best.append(min(runs))
        out.append(1000 * float(np.median(best)))
    return out[0], out[1], out[2]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="one voice, clean and babble")
    p.add_argument("--voices", default=",".join(VOICES))
    p.add_argument("--conditions", default=",".join(corpus.STANDARD))
    p.add_argument("--weight", type=float, default=USER_WEIGHT, help="tuning: USER_WEIGHT")
    p.add_argument("--seed", type=int, default=31)
    p.add_argument("--errors", action="store_true", help="list every error")
    args = p.parse_args(argv)
    voices, conds = args.voices.split(","), args.conditions.split(",")
    if args.quick:
        voices, conds = voices[:1], ["clean", "babble"]
    rec = recognizers.create("pocketsphinx", lang="en", announce=False)
    shipped = Templates.load("en")
    print(HEADER)
    timing = []
    for voice in voices:
        base = shipped.without_voices([*corpus.VOICES["en"]["report"], voice])
        profile, refused = takes_for(voice, rec.grammar, args.weight)
        for k, cond in enumerate(conds):
            pcm, items = stream(voice, rec.grammar, cond, args.seed + 100 * k)
            scores = []
            for templates in (base, base.merged(profile)):
                decisions, cpu = run(Listener(rec, lang="en", templates=templates), pcm)
                scores.append(score(items, decisions, len(pcm) / RATE, cpu))
                if args.errors:
                    print("\n".join(f"    {e}" for e in scores[-1].errors), file=sys.stderr)
            a, b = scores
            print(f"| {voice} | {cond} | {a.commands} | {100 * a.correct / a.commands:.0f} % → "
                  f"{100 * b.correct / b.commands:.0f} % | {a.false_accepts}/{a.chatter} → "
                  f"{b.false_accepts}/{b.chatter} | {refused} |", flush=True)
        queries = [profile.frames[profile.offsets[i]:profile.offsets[i + 1]]
                   for i in range(len(profile))]
        timing.append(added_ms(base, profile, queries))
    without, with_, alone = np.mean(timing, axis=0)
    print(f"\nTemplate match per decision (one core): {without:.1f} ms without a profile, "
          f"{with_:.1f} ms with one ({len(profile)} takes): {with_ - without:+.2f} ms; "
          f"the profile's takes alone: {alone:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
