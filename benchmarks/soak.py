"""Soak: a long scripted psoas session in audio time, for memory growth, timer drift and
commands missed late in the day.

    .venv/bin/python benchmarks/soak.py [--minutes 180] [--echo-db -6] [--no-tracemalloc]

The script is generated: next, located, yes into the contract-relax step, then the same cycle
over and over in pink noise (20 dB SNR): `tender`, `refers` (a trigger-point hold starts),
silence until the 12 s hold limit releases it, then `time`. Everything runs through the real
simulator (espeak-ng speech, PocketSphinx, the dialogue) and the session record, as fast as
the machine allows. Prints a markdown table comparing the first and the last minutes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

CYCLE = ("tender", "refers", 14.0, "time")  # a word is said; a number is seconds of silence
HOLD_LIMIT = 12.0
LIMIT_KINDS = ("hold_limit", "tp_limit")  # the cue that says the hold limit is reached


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1]) / 1024


def make_script(minutes: float, echo_db: float | None):
    """Enough cycles to fill `minutes` of audio (a cycle is about 30 s with the guide's cues)."""
    from voice_guide.script import Noise, Script, Turn

    turns = [Turn("say", w, "after_cue", 0.5) for w in ("next", "located", "yes")]
    turns.append(Turn("silence", 25.0, "after_cue", 0.5))  # the paced reps run out
    for _ in range(int(minutes * 60 / 30) + 1):
        for item in CYCLE:
            kind = "silence" if isinstance(item, float) else "say"
            turns.append(Turn(kind, item, "after_cue", 0.5))
    return Script(path=Path("soak.yaml"), protocol="psoas", turns=tuple(turns),
                  engine="pocketsphinx", noise=Noise("pink", 20.0), echo_db=echo_db, seed=3)


@dataclass
class Probe:
    """A session sink: what was said and heard, hold timing, and memory at checkpoints."""

    sim: object = None
    said: list[tuple[float, str]] = field(default_factory=list)
    heard: list[tuple[float, str]] = field(default_factory=list)
    holds: list[tuple[float, float]] = field(default_factory=list)  # (end t, error s)
    lag: list[tuple[float, float]] = field(default_factory=list)    # (due t, delivered late s)
    memory: list[tuple[float, float, float]] = field(default_factory=list)  # (t, rss, traced)
    _hold_start: float | None = None

    def __call__(self, event) -> None:
        t, kind = event.t, event.event
        if kind == "turn" and event.get("kind") == "say":
            self.said.append((event.get("start"), event.get("text")))
        elif kind == "heard":
            self.heard.append((t, event.get("command")))
        elif kind == "hold_start":
            self._hold_start = t
        elif kind == "hold_end" and event.get("reason") == "limit" and self._hold_start is not None:
            self.holds.append((t, t - self._hold_start - HOLD_LIMIT))
        if kind == "cue" and event.get("kind") in LIMIT_KINDS:
            self.lag.append((t, self.sim.now - t))

    def sample(self, t: float) -> None:
        traced = tracemalloc.get_traced_memory()[0] / 2**20 if tracemalloc.is_tracing() else 0
        self.memory.append((t, rss_mb(), traced))


def missed(probe: Probe, lo: float, hi: float) -> tuple[int, int]:
    """(said, not heard) for turns starting in [lo, hi - 2 s): heard before the next turn
    began. A word begun in the last 2 s of the window may not be decided before the audio
    (the run) ends, so it is not counted."""
    starts = [s for s, _ in probe.said] + [float("inf")]
    said = missing = 0
    for (start, word), nxt in zip(probe.said, starts[1:], strict=False):
        if not lo <= start < hi - 2.0 or word in ("next", "located", "yes"):
            continue
        said += 1
        missing += not any(start <= t < nxt and c == word for t, c in probe.heard)
    return said, missing


def run(minutes: float, echo_db: float | None, trace: bool) -> dict:
    os.environ.setdefault("VOICE_GUIDE_DATA", tempfile.mkdtemp(prefix="vg-soak-"))
    from voice_guide.record import recording
    from voice_guide.record_read import read_log
    from voice_guide.simulate import Simulator

    probe = Probe()
    sim = Simulator(make_script(minutes, echo_db), [probe])
    probe.sim = sim
    end = minutes * 60
    window = min(15.0, minutes / 4) * 60
    feed, marks = sim._feed, iter([window + 60, end - window, end])
    next_mark = [next(marks)]

    def feed_and_sample(chunk):  # checkpoints: after warm-up, start of the last window, end
        feed(chunk)
        if sim.now >= next_mark[0]:
            probe.sample(sim.now)
            next_mark[0] = next(marks, float("inf"))
        if sim.now >= end:
            raise _Done

    sim._feed = feed_and_sample
    if trace:
        tracemalloc.start()
    began, cpu = time.perf_counter(), time.process_time()
    args = argparse.Namespace(no_record=False, client="soak", resume=None)
    with recording(sim.session, args, engine="pocketsphinx", extra_sinks=(sim.sinks,)) as rec:
        try:
            sim.run()
        except _Done:
            pass
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    log = read_log(rec.path)
    return {"minutes": minutes, "window": window, "end": end, "probe": probe, "took": took,
            "cpu": cpu, "log_events": len(log.events), "log_ok": not log.skipped}


class _Done(Exception):
    """The requested audio time has been simulated."""


def table(r: dict) -> str:
    p, w, end = r["probe"], r["window"], r["end"]
    t0 = next((s for s, word in p.said if word == CYCLE[0]), 0.0)  # after the setup turns
    first, last = (t0, t0 + w), (end - w, end)

    def worst(pairs, span):
        vals = [abs(v) * 1000 for t, v in pairs if span[0] <= t < span[1]]
        return f"{max(vals):.1f}" if vals else "–"

    def miss(span):
        said, lost = missed(p, *span)
        return f"{lost} of {said}"

    (m0, rss0, tr0), (_, rss1, tr1) = p.memory[0], p.memory[-1]
    rows = [
        ("commands missed (tender, refers, time)", miss(first), miss(last)),
        ("hold limit: max error vs 12.000 s of audio (ms)", worst(p.holds, first),
         worst(p.holds, last)),
        ("hold-limit cue: max delivered after due (ms)", worst(p.lag, first), worst(p.lag, last)),
        ("holds ended by the limit", sum(first[0] <= t < first[1] for t, _ in p.holds),
         sum(last[0] <= t < last[1] for t, _ in p.holds)),
        (f"RSS (MB) at {m0 / 60:.0f} min / at the end", f"{rss0:.1f}", f"{rss1:.1f}"),
        ("Python heap, tracemalloc (MB)", f"{tr0:.2f}", f"{tr1:.2f}"),
    ]
    w_min = w / 60
    out = [f"Soak: {r['minutes']:g} min of audio in {r['took']:.0f} s "
           f"({r['minutes'] * 60 / r['took']:.0f}x real time, {r['cpu']:.0f} s CPU); "
           f"{len(p.holds)} holds, {len(p.heard)} commands heard; the log: "
           f"{r['log_events']} events, {'readable' if r['log_ok'] else 'DAMAGED'}.", "",
           f"| measure | first {w_min:g} min | last {w_min:g} min |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=180.0, help="audio minutes (180)")
    ap.add_argument("--echo-db", type=float, default=None,
                    help="the guide's voice at the mic, dB (default: no echo)")
    ap.add_argument("--no-tracemalloc", action="store_true", help="faster; no heap column")
    args = ap.parse_args(argv)
    result = run(args.minutes, args.echo_db, not args.no_tracemalloc)
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
