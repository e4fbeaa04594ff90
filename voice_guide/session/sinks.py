"""Event sinks that show a session: readable dialogue text, or JSON lines."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from voice_guide.events import Event


def json_sink(stream: TextIO):
    """One JSON object per event, flushed at once (other programs read it live)."""

    def sink(event: Event) -> None:
        stream.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
        stream.flush()

    return sink


def describe(event: Event) -> str | None:
    """One line of the dialogue for a person, or None for events shown otherwise."""
    t, kind = f"[{event.t:7.1f}s]", event.event
    if kind == "cue":
        mark = "!" if event.get("priority") == "safety" else " "
        return f"{t} guide{mark} {event.get('text')}"
    if kind == "heard":
        return f"{t} you    {event.get('command')}"
    if kind == "state":
        return f"{t} ------ step: {event.get('state')}"
    if kind == "hold_start":
        return f"{t} ------ hold {event.get('point')} starts ({event.get('sensation')})"
    if kind == "hold_end":
        return (f"{t} ------ hold {event.get('point')} ends after {event.get('duration'):.1f} s "
                f"({event.get('reason')})")
    if kind == "heartbeat":
        return None  # for the record only (how long a hold is known to have lasted)
    if kind == "turn":
        said = event.get("text") or f"({event.get('end') - event.get('start'):.1f} s of silence)"
        return f"{t} THERAPIST {said}"
    if kind == "revisit":
        return f"{t} ------ point {event.get('point')} marked to revisit ({event.get('reason')})"
    return f"{t} ------ {kind} " + json.dumps(event.data, ensure_ascii=False)


def text_sink(stream: TextIO):
    def sink(event: Event) -> None:
        line = describe(event)
        if line:
            stream.write(line + "\n")
            stream.flush()

    return sink


def cue_text_sink(stream: TextIO):
    """Only the cues' text (for stderr when stdout carries JSON)."""

    def sink(event: Event) -> None:
        if event.event == "cue":
            stream.write(f"[{event.t:7.1f}s] {event.get('text')}\n")
            stream.flush()

    return sink


def sinks_for(json_mode: bool) -> list:
    """What a session shows on the terminal: JSON lines on stdout (cues also as text on
    stderr, for the person watching), or the readable dialogue."""
    if json_mode:
        return [json_sink(sys.stdout), cue_text_sink(sys.stderr)]
    return [text_sink(sys.stdout)]
