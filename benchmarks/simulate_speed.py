"""How fast scripted audio runs: every example script, and a generated 10-minute session.

    .venv/bin/python -m benchmarks.simulate_speed [--minutes 10]

Prints a markdown table: audio seconds, CPU and wall seconds, and the speed-up over real time
(the issue asks for a 10-minute session in well under a minute).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from voice_guide.runners.simulate.script import load_script
from voice_guide.runners.simulate.simulator import Simulator

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def long_script(minutes: float) -> str:
    """A psoas session that keeps finding points: holds by fading and by the limit, in pink
    noise with the guide's echo, until `minutes` of audio have passed."""
    turns = ["  - {say: next, expect: locate}", "  - {say: located, expect: confirm}",
             '  - {say: "yes", expect: contract_relax}']
    per_round = 45.0  # about: tender, refers, fading after 5 s, local, 14 s silence, waits
    for _ in range(max(1, int(minutes * 60 / per_round))):
        turns += ["  - {say: tender, expect: tp_refers}", "  - {say: refers, expect: tp_hold}",
                  "  - {say: fading, wait: 5, expect: contract_relax}",
                  "  - {say: local, expect: tp_hold}", "  - silence: 14"]
    head = ("protocol: psoas\nengine: pocketsphinx\nnoise: {kind: pink, snr_db: 20}\n"
            "echo_db: -6\nturns:\n")
    return head + "\n".join(turns) + "\n"


def run(path: Path) -> tuple[float, float, float, int]:
    events: list = []
    cpu, wall = time.process_time(), time.perf_counter()
    sim = Simulator(load_script(path), [events.append])
    sim.run()
    holds = sum(e.event == "hold_end" for e in events)
    return sim.now, time.process_time() - cpu, time.perf_counter() - wall, holds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=10.0)
    args = p.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        long = Path(tmp) / "long.yaml"
        long.write_text(long_script(args.minutes))
        for path in [*sorted(EXAMPLES.glob("*.yaml")), long]:
            audio, cpu, wall, holds = run(path)
            name = f"generated {args.minutes:g}-minute psoas" if path == long else path.name
            rows.append(f"| {name} | {audio:.0f} | {holds} | {cpu:.1f} | {wall:.1f} | "
                        f"{audio / wall:.0f}x |")
    print("| script | audio (s) | holds | CPU (s) | wall (s) | speed |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
