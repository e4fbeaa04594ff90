"""One way out for everything the user must know: shown as text and spoken by the speaker.

Every runner (keyboard, keys, live) builds one: the session's cues go to the speaker through
`sink`, and the runner's own messages (typed mistakes, the closing summary, the resume point,
a lost microphone) through `tell`, so nothing is only on screen. With speech off (`--quiet`,
or `speech: false` in the settings) the speaker shows nothing and plays nothing, and the text
stays.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from voice_guide.events import Event
from voice_guide.settings import Settings
from voice_guide.vocabulary import ALWAYS_ACTIVE
from voice_guide.voice.speaker import Speaker

_LOG = logging.getLogger(__name__)
END_GRACE = 60.0  # s to let the last words (the closing summary) be spoken before exiting


def make_speaker(settings: Settings, verbose: bool = False, **kw):
    """The speaker every runner uses; cue text is shown by the session's sinks instead.
    `verbose`: each clip played is logged (a diagnostic) with its monotonic start and end."""

    if verbose and "on_speech" not in kw:
        kw["on_speech"] = _log_spoken
    return Speaker(settings, text=None, notices=sys.stderr, audio=settings.speech, **kw)


def _log_spoken(text: str, start: float, end: float) -> None:
    _LOG.info("[spoke %.3f-%.3f] %s", start, end, text)


class Announcer:
    """Cues and messages to the speaker, messages also to `show` (a print function)."""

    def __init__(self, speaker, show: Callable[[str], None] = print) -> None:
        self.speaker = speaker
        self.show = show

    def sink(self, event: Event) -> None:
        """Session sink: speak each cue; stop/pause heard silence the voice first."""
        if event.event == "heard" and event.get("command") in ALWAYS_ACTIVE:
            self.speaker.silence()
        if event.event == "cue":
            self.speaker.say(event)

    def tell(self, text: str, shown: str | None = None, priority: str = "normal") -> None:
        """Show `shown` (default: `text`) and speak `text`."""
        self.show(text if shown is None else shown)
        self.speaker.say({"text": text, "priority": priority, "interrupt": False,
                          "kind": "notice"})

    def wait(self, timeout: float | None = None) -> bool:
        return self.speaker.wait_idle(timeout)

    def close(self, grace: float = END_GRACE) -> None:
        """Let what is queued be said (up to `grace` s), then stop the voice."""
        self.speaker.wait_idle(grace)
        self.speaker.close()
