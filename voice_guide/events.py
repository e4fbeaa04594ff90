"""Messages that flow out of the dialogue core.

Every event has `t` (audio seconds) and `event` (its kind). The kinds and their fields are the
JSON-lines contract of `simulate --json` and `run --json`:

- `cue`: `text`, `priority` (`safety` | `timer` | `normal`), `interrupt` (cut off what is being
  spoken and drop the queue first), optional `sound` (a file that stands for the cue), `step`.
- `heard`: `command`.
- `state`: `state`.
- `hold_start`: `step`, `point`.
- `hold_end`: `duration`, `reason` (`fading` | `limit` | `worse` | ...), `step`, `point`.
- `heartbeat`: `point` (every second of a hold: the process was alive then).
- `answer`: `question` (the record name), `answer`, `step`, `title`, `asked` (the cue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PRIORITIES = ("safety", "timer", "normal")


@dataclass(frozen=True)
class Event:
    t: float
    event: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"t": round(self.t, 3), "event": self.event, **self.data}

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def cue(t: float, text: str, *, priority: str = "normal", interrupt: bool = False,
        step: str | None = None, sound: str | None = None, kind: str | None = None) -> Event:
    """A cue to speak and show. `kind` names what the cue is for (e.g. `hold_limit`, `hint`)."""
    data: dict[str, Any] = {"text": text, "priority": priority, "interrupt": interrupt}
    if step:
        data["step"] = step
    if sound:
        data["sound"] = sound
    if kind:
        data["kind"] = kind
    return Event(t, "cue", data)
