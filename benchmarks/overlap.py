"""Seconds of guide speech over the therapist's, in scripted audio, before and after cues
that can wait do wait while the therapist speaks (voice_guide.voice.speaker.waits).

    .venv/bin/python -m benchmarks.overlap

Every shipped example is run twice through the real recognizer: `polite=False` (every cue
spoken when due, the old policy) and `polite=True`. Overlap is the time a guide clip (as
played, cut short where it was) shares with a therapist turn. "waiting kinds" is the part
of it from cues that are allowed to wait; the rest is safety, the hold limit and answers,
which cut in on purpose. Retries: turns the script said again because the guide missed or
misheard them (tests/test_examples.py bounds them; corrections not counted).
"""

from __future__ import annotations

import time
from pathlib import Path

from voice_guide.runners.simulate.guide_voice import Clip
from voice_guide.runners.simulate.script import load_script
from voice_guide.runners.simulate.simulator import Simulator
from voice_guide.voice.speaker import waits

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _shared(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def run(path: Path, polite: bool) -> dict:
    events: list = []
    sim = Simulator(load_script(path), [events.append], polite=polite)
    clips: dict[int, Clip] = {}
    report = sim.voice.on_clip

    def keep(clip: Clip) -> None:
        clips[id(clip)] = clip
        if report is not None:
            report(clip)

    sim.voice.on_clip = keep
    wall = time.perf_counter()
    sim.run()
    turns = [(e.get("start"), e.get("end")) for e in events
             if e.event == "turn" and e.get("kind") != "silence"]
    total = waiting = 0.0
    for clip in clips.values():
        shared = sum(_shared((clip.start, clip.end), turn) for turn in turns)
        total += shared
        waiting += shared if waits(clip.cue) else 0.0
    retries = sum(1 for e in events if e.event == "turn" and e.get("attempt", 1) > 1)
    return {"total": total, "waiting": waiting, "retries": retries, "audio": sim.now,
            "speech": sum(c.end - c.start for c in clips.values()),
            "wall": time.perf_counter() - wall}


def main() -> None:
    print("| script | audio (s) | guide speech (s) | overlap before (s) | of it waiting kinds "
          "| overlap after (s) | of it waiting kinds | retries before / after |")
    print("|---|---|---|---|---|---|---|---|")
    sums = [0.0] * 4
    for path in sorted(EXAMPLES.glob("*.yaml")):
        before, after = run(path, polite=False), run(path, polite=True)
        sums = [s + v for s, v in zip(sums, (before["total"], before["waiting"],
                                             after["total"], after["waiting"]), strict=True)]
        print(f"| {path.name} | {after['audio']:.0f} | {after['speech']:.0f} | "
              f"{before['total']:.1f} | {before['waiting']:.1f} | {after['total']:.1f} | "
              f"{after['waiting']:.1f} | {before['retries']} / {after['retries']} |", flush=True)
    print(f"| all | | | {sums[0]:.1f} | {sums[1]:.1f} | {sums[2]:.1f} | {sums[3]:.1f} | |")


if __name__ == "__main__":
    main()
