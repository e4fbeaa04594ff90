"""Soak: a long scripted psoas session in audio time, for memory growth, timer drift and
commands missed late in the day.

    .venv/bin/python benchmarks/soak.py [--minutes 180] [--echo-db -6] [--no-tracemalloc]
                                        [--warmup MIN] [--trace-growth [N]]

The script is generated: next, located, yes into the contract-relax step, then the same cycle
over and over in pink noise (20 dB SNR): `tender`, `refers` (a trigger-point hold starts),
silence until the 12 s hold limit releases it, then `time`. Everything runs through the real
simulator (espeak-ng speech, PocketSphinx, the dialogue) and the session record, as fast as
the machine allows. Prints a markdown table comparing the first and the last minutes.

Memory is sampled about every minute of audio, always at the same point of the cycle (right
after a hold has ended at its limit), so the buffers in flight are alike from sample to sample.
Growth is judged after a warm-up (default: a third of the run, at most 30 min; the guide's
render cache is full at its bound after about 7): the sample at the end of the warm-up against
the last one, and the least-squares slope of the samples in between. The Python heap
(tracemalloc) is split into the render cache, this benchmark's own records (Probe) and the
rest, the session's; RSS into glibc malloc's memory in use and its free memory not returned to
the system. At the end of the warm-up and at the end only, malloc_trim(0) shows what RSS is
once glibc has returned that free memory (the RSS samples after the first trim regrow from
there). `--trace-growth` takes tracemalloc snapshots at the first and the last sample after the
warm-up and prints the allocation sites (file:line) whose memory grew most.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from voice_guide.runners.simulate.simulator import Simulator

CYCLE = ("tender", "refers", 14.0, "time")  # a word is said; a number is seconds of silence
HOLD_LIMIT = 12.0
LIMIT_KINDS = ("hold_limit", "tp_limit")  # the cue that says the hold limit is reached


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1]) / 1024


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _mallinfo2():
    try:
        f = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return None
    f.restype = _MallInfo2
    return f


def malloc_mb() -> tuple[float, float]:
    """(in use, free but held) MB in glibc malloc (mallinfo2; (0, 0) without glibc 2.33+):
    the C side of RSS, numpy's buffers and the engines' own memory included."""
    if _MALLINFO2 is None:
        return 0.0, 0.0
    m = _MALLINFO2()
    return (m.uordblks + m.hblkhd) / 2**20, m.fordblks / 2**20


_MALLINFO2 = _mallinfo2()


def trimmed_rss_mb() -> float | None:
    """RSS after glibc's malloc_trim(0) has returned the free memory it holds (None without
    glibc). Only at two checkpoints (end of warm-up, end), so the run is otherwise as is."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return None
    return rss_mb()


def make_script(minutes: float, echo_db: float | None):
    """Enough cycles to fill `minutes` of audio (a cycle is about 30 s with the guide's cues)."""
    from voice_guide.runners.simulate.script import Noise, Script, Turn

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

    sim: Simulator | None = None
    said: list[tuple[float, str]] = field(default_factory=list)
    heard: list[tuple[float, str]] = field(default_factory=list)
    holds: list[tuple[float, float]] = field(default_factory=list)  # (end t, error s)
    lag: list[tuple[float, float]] = field(default_factory=list)    # (due t, delivered late s)
    memory: list[Sample] = field(default_factory=list)  # about one a minute of audio
    trimmed: tuple[float, float | None] | None = None  # (t, RSS after malloc_trim) after warm-up
    cycle_point: bool = False  # a hold has just ended at its limit: sample memory now
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
            self.cycle_point = True
        if kind == "cue" and event.get("kind") in LIMIT_KINDS and self.sim is not None:
            self.lag.append((t, self.sim.now - t))

    def sample(self, t: float) -> None:
        traced = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
        cache = cache_bytes(self.sim.voice) if self.sim is not None else 0
        self.memory.append(Sample(t, rss_mb(), *malloc_mb(), traced / 2**20, cache / 2**20,
                                  self.own_bytes() / 2**20))

    def own_bytes(self) -> int:
        """The Python heap the probe's own records take (lists of tuples of floats and
        shared strings), so they are not counted as the product's growth."""
        total = 0
        for records in (self.said, self.heard, self.holds, self.lag, self.memory):
            total += sys.getsizeof(records)
            for item in records:
                total += sys.getsizeof(item) + sum(
                    sys.getsizeof(v) for v in item if isinstance(v, float))
        return total


class Sample(NamedTuple):
    t: float        # audio s
    rss: float      # MB
    malloc: float   # MB in use in glibc malloc
    malloc_free: float  # MB free in glibc malloc's arenas (not returned to the system)
    heap: float     # MB traced by tracemalloc (0 without it)
    cache: float    # MB in the guide's render cache
    probe: float    # MB of the benchmark's own records

    @property
    def product(self) -> float:
        """The heap without the render cache and the probe: what must stay flat."""
        return self.heap - self.cache - self.probe


def cache_bytes(voice) -> int:
    """Bytes of audio (and array headers) in the guide's render cache."""
    return sum(sys.getsizeof(pcm) for pcm in voice._cache.values())


def slope(samples: list[Sample], key, lo: float) -> float:
    """Least-squares growth of key(sample) per minute of audio, over samples at t >= lo."""
    pts = [(s.t / 60, key(s)) for s in samples if s.t >= lo]
    if len(pts) < 2:
        return float("nan")
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else float("nan")


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


def default_warmup(minutes: float) -> float:
    """Minutes until memory should be flat (the render cache is full after about 7)."""
    return min(30.0, minutes / 3)


def run(minutes: float, echo_db: float | None, trace: bool, *, warmup: float | None = None,
        growth_frames: int = 0) -> dict:
    """Run the soak. `warmup`: minutes before growth is judged; `growth_frames` > 0 takes
    tracemalloc snapshots (with that many frames) at the end of the warm-up and at the end."""
    os.environ.setdefault("VOICE_GUIDE_DATA", tempfile.mkdtemp(prefix="vg-soak-"))
    from voice_guide.record.reader import read_log
    from voice_guide.record.recording import RecordOptions, recording
    from voice_guide.runners.simulate.simulator import Simulator

    probe = Probe()
    sim = Simulator(make_script(minutes, echo_db), [probe])
    probe.sim = sim
    end = minutes * 60
    window = min(15.0, minutes / 4) * 60
    warm = (default_warmup(minutes) if warmup is None else warmup) * 60
    every = min(60.0, end / 20)
    next_sample = [every]
    snapshots: list = []  # tracemalloc: at the first sample after warm-up, at the last

    def sample_after_feed(now: float) -> None:
        """Memory about every minute of audio, always at the same point of the cycle (the
        first chunk after a hold has ended at its limit), so transient buffers (the cue
        being placed, the utterance being decoded) are alike from sample to sample."""
        due = now >= next_sample[0] and (probe.cycle_point or now >= next_sample[0] + 60)
        probe.cycle_point = False
        if due:
            probe.sample(now)
            next_sample[0] = probe.memory[-1].t + every
            if now >= warm and growth_frames:
                snapshots[1:] = [tracemalloc.take_snapshot()]
            if now >= warm and probe.trimmed is None:
                probe.trimmed = (now, trimmed_rss_mb())
        if now >= end:
            raise _Done

    sim.after_feed = sample_after_feed
    if trace or growth_frames:
        tracemalloc.start(max(1, growth_frames))
    began, cpu = time.perf_counter(), time.process_time()
    try:
        with recording(sim.session, RecordOptions(client="soak"), engine="pocketsphinx",
                       extra_sinks=(sim.sinks,)) as rec:
            try:
                sim.run()
            except _Done:
                pass
        took, cpu = time.perf_counter() - began, time.process_time() - cpu
        trimmed_end = trimmed_rss_mb()
    finally:
        if trace or growth_frames:
            tracemalloc.stop()
    if rec is None:
        raise SystemExit("soak: the session was not recorded")
    log = read_log(rec.path)
    return {"minutes": minutes, "window": window, "end": end, "warmup": warm, "probe": probe,
            "took": took, "cpu": cpu, "log_events": len(log.events), "log_ok": not log.skipped,
            "snapshots": snapshots, "trimmed": (probe.trimmed, (end, trimmed_end))}


def growth(r: dict, top: int = 25) -> str:
    """The allocation sites whose traced memory grew most from the warm-up to the end."""
    if len(r["snapshots"]) < 2:
        return "(no snapshots: the run is shorter than its warm-up)"
    old, new = r["snapshots"]
    p = r["probe"]
    t0 = next(m.t for m in p.memory if m.t >= r["warmup"])
    minutes = (p.memory[-1].t - t0) / 60
    skip = [tracemalloc.Filter(False, tracemalloc.__file__)]
    old, new = old.filter_traces(skip), new.filter_traces(skip)
    out = [f"Heap growth from {t0 / 60:.0f} to {p.memory[-1].t / 60:.0f} min of audio, by line "
           f"(innermost frame):", "", "| kB/min | kB | blocks | where |", "|---|---|---|---|"]
    for st in new.compare_to(old, "lineno")[:top]:
        frame = st.traceback[0]
        out.append(f"| {st.size_diff / 1024 / minutes:+.2f} | {st.size_diff / 1024:+.1f} | "
                   f"{st.count_diff:+d} | {_short(frame.filename)}:{frame.lineno} |")
    out += ["", "The largest growers with their call stacks:", ""]
    for st in new.compare_to(old, "traceback")[:8]:
        if st.size_diff <= 0:
            break
        out.append(f"{st.size_diff / 1024:+.1f} kB in {st.count_diff:+d} blocks:")
        out += [f"    {_short(f.filename)}:{f.lineno}" for f in st.traceback]
    return "\n".join(out)


def _short(path: str) -> str:
    for marker in ("/voice_guide/", "/benchmarks/", "/site-packages/", "/lib/python"):
        if marker in path:
            return path[path.index(marker) + 1:]
    return path


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

    warm = r["warmup"]
    m0 = next((m for m in p.memory if m.t >= warm), p.memory[0])
    m1 = p.memory[-1]
    rows = [
        ("commands missed (tender, refers, time)", miss(first), miss(last)),
        ("hold limit: max error vs 12.000 s of audio (ms)", worst(p.holds, first),
         worst(p.holds, last)),
        ("hold-limit cue: max delivered after due (ms)", worst(p.lag, first), worst(p.lag, last)),
        ("holds ended by the limit", sum(first[0] <= t < first[1] for t, _ in p.holds),
         sum(last[0] <= t < last[1] for t, _ in p.holds)),
    ]
    mem = [
        ("RSS (MB)", lambda m: f"{m.rss:.1f}", lambda m: m.rss),
        ("glibc malloc: in use (MB)", lambda m: f"{m.malloc:.1f}", lambda m: m.malloc),
        ("glibc malloc: free, not returned (MB)", lambda m: f"{m.malloc_free:.1f}",
         lambda m: m.malloc_free),
        ("Python heap, tracemalloc (MB)", lambda m: f"{m.heap:.2f}", lambda m: m.heap),
        ("... of it the guide's render cache (MB)", lambda m: f"{m.cache:.2f}", lambda m: m.cache),
        ("... of it this benchmark's own records (MB)", lambda m: f"{m.probe:.2f}",
         lambda m: m.probe),
        ("... the rest: the session (MB)", lambda m: f"{m.product:.2f}", lambda m: m.product),
    ]
    if not m1.heap:
        mem = mem[:3]
    w_min = w / 60
    out = [f"Soak: {r['minutes']:g} min of audio in {r['took']:.0f} s "
           f"({r['minutes'] * 60 / r['took']:.0f}x real time, {r['cpu']:.0f} s CPU); "
           f"{len(p.holds)} holds, {len(p.heard)} commands heard; the log: "
           f"{r['log_events']} events, {'readable' if r['log_ok'] else 'DAMAGED'}.", "",
           f"| measure | first {w_min:g} min | last {w_min:g} min |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out += ["", f"| memory | at {m0.t / 60:.0f} min (warm) | at {m1.t / 60:.0f} min | "
            f"growth after warm-up (kB/min) |", "|---|---|---|---|"]
    out += [f"| {name} | {fmt(m0)} | {fmt(m1)} | {slope(p.memory, key, warm) * 1024:+.1f} |"
            for name, fmt, key in mem]
    (_, trim0), (_, trim1) = r["trimmed"] if r["trimmed"][0] else ((0, None), (0, None))
    if trim0 is not None and trim1 is not None:
        row = f"| RSS right after malloc_trim(0) (MB) | {trim0:.1f} | {trim1:.1f} | – |"
        out.insert(len(out) - len(mem) + 1, row)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=180.0, help="audio minutes (180)")
    ap.add_argument("--echo-db", type=float, default=None,
                    help="the guide's voice at the mic, dB (default: no echo)")
    ap.add_argument("--no-tracemalloc", action="store_true", help="faster; no heap column")
    ap.add_argument("--warmup", type=float, default=None,
                    help="minutes before growth is judged (a third of the run, at most 30)")
    ap.add_argument("--trace-growth", type=int, nargs="?", const=12, default=0, metavar="FRAMES",
                    help="print the allocation sites that grew after the warm-up "
                         "(tracemalloc, FRAMES deep: 12)")
    args = ap.parse_args(argv)
    result = run(args.minutes, args.echo_db, not args.no_tracemalloc, warmup=args.warmup,
                 growth_frames=args.trace_growth)
    print(table(result))
    if args.trace_growth:
        print()
        print(growth(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
