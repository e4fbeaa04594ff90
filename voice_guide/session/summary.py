"""A few closing lines after any session: the points held, those to revisit lighter, the
homework given; printed as lines and spoken as one paragraph."""

from __future__ import annotations

from voice_guide.events import Event


class Summary:
    """An event sink that remembers the holds, and says them back at the end."""

    def __init__(self, title=None) -> None:
        """`title(step_id)` names a step for people (Messages.title); default: the id."""
        self.title = title or str
        self.holds: list[Event] = []
        self.revisits: list[Event] = []
        self.homework: list[str] = []

    def __call__(self, event: Event) -> None:
        if event.event == "hold_end":
            self.holds.append(event)
        elif event.event == "revisit":
            self.revisits.append(event)
        elif event.event == "homework":
            self.homework.append(str(event.get("title")))

    def lines(self) -> list[str]:
        out = [f"Points held: {len(self.holds)}"]
        for h in self.holds:
            out.append(f"  point {h.get('point')} in {self.title(h.get('step'))}: "
                       f"{h.get('sensation')}, {h.get('duration'):.1f} s, "
                       f"ended by {h.get('reason')}")
        if self.revisits:
            out.append("Revisit later with lighter pressure:")
            out += [f"  point {r.get('point')} in {self.title(r.get('step'))} ({r.get('reason')})"
                    for r in self.revisits]
        if self.homework:
            out.append("Homework: " + "; ".join(self.homework))
        return out

    def shown(self, messages) -> list[str]:
        """The lines to print: detailed in English; in another language the spoken
        paragraph, so every message of a session is in its language."""
        return self.lines() if messages.language == "en" else [self.spoken(messages)]

    def spoken(self, messages) -> str:
        """The same, to be heard: steps by title, revisits grouped (messages.Messages)."""
        return messages.summary(len(self.holds), [r.data for r in self.revisits],
                                self.homework)
