"""Accepted decisions by how far the utterance stood out of the room, right or wrong.

    .venv/bin/python -m benchmarks.standout [--split tune] [--conditions babble,music]

One line per accepted decision: condition, right/wrong, command, what was said, dB above the
room, evidence, and the templates' best distance; then a table by stand-out. This is the
measurement behind `EvidenceConfig.loud_room_db` (benchmarks/RESULTS-listen.md).
"""

from __future__ import annotations

import argparse
from collections import Counter

from benchmarks import corpus, listen
from voice_guide.ears import recognizer as recognizers

BANDS = (8.0, 10.0, 12.0, 15.0, 20.0)


def band(db: float | None) -> str:
    if db is None:
        return "unknown"
    low = max((b for b in BANDS if db >= b), default=None)
    return f"< {BANDS[0]:g} dB" if low is None else f">= {low:g} dB"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", choices=["tune", "report"], default="tune")
    p.add_argument("--conditions", default=",".join(corpus.STANDARD))
    args = p.parse_args(argv)
    opts = listen.parser().parse_args([])  # the shipped listener: every tuning option unset
    rec = recognizers.create("pocketsphinx", lang="en", announce=False)
    templates = listen.templates_for("en", args.split, True)
    seed = listen.default_seed(args.split)
    table: Counter[tuple[str, str]] = Counter()
    for stream in corpus.streams(rec.grammar, "en", args.split, args.conditions.split(","),
                                 seed, opts.reps):
        decisions, _ = listen.run(listen.listener_for(rec, "en", opts, templates), stream.pcm)
        for d in decisions:
            if d.command is None:
                continue
            k = listen.item_at(stream.items, d)
            said = stream.items[k] if k is not None else None
            right = "right" if said is not None and said.command == d.command else "wrong"
            db = d.above_room
            best = f"{d.matches[0].distance:.3f}" if d.matches else "-"
            print(f"{stream.name}\t{right}\t{d.command}\t{said.text if said else '-'}\t"
                  f"{'-' if db is None else f'{db:.1f}'}\t{d.evidence}\t{best}")
            table[(band(db), right)] += 1
    print("\n| dB above the room | right | wrong |\n|---|---|---|")
    for b in ["unknown", f"< {BANDS[0]:g} dB", *(f">= {x:g} dB" for x in BANDS)]:
        print(f"| {b} | {table[(b, 'right')]} | {table[(b, 'wrong')]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
