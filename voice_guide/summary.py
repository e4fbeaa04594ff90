"""A few closing lines after any session: the points held and those to revisit lighter."""

from __future__ import annotations

from voice_guide.events import Event


class Summary:
    """An event sink that remembers the holds, and says them back at the end."""

    def __init__(self, titles: dict[str, str] | None = None) -> None:
        self.holds: list[Event] = []
        self.revisits: list[Event] = []
        self.titles = titles or {}  # step id -> the title the guide spoke

    def _step(self, event: Event) -> str:
        return self.titles.get(event.get("step"), event.get("step"))

    def __call__(self, event: Event) -> None:
        if event.event == "hold_end":
            self.holds.append(event)
        elif event.event == "revisit":
            self.revisits.append(event)

    def lines(self) -> list[str]:
        out = [f"Points held: {len(self.holds)}"]
        for h in self.holds:
            out.append(f"  point {h.get('point')} in {self._step(h)}: {h.get('sensation')}, "
                       f"{h.get('duration'):.1f} s, ended by {h.get('reason')}")
        if self.revisits:
            out.append("Revisit later with lighter pressure:")
            out += [f"  point {r.get('point')} in {self._step(r)} ({r.get('reason')})"
                    for r in self.revisits]
        return out
