"""Scripts for scripted audio: what the therapist says, and when (see `voice-guide simulate`).

A turn has exactly one of `say` (text spoken by espeak-ng), `audio` (a recorded clip) or
`silence` (seconds with no speech), and at most one of `after_cue` (seconds after the guide has
finished speaking; the default, 0.5), `wait` (seconds after the previous turn ended) or `at`
(seconds of session time). Every error names the file and the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from voice_guide.errors import located
from voice_guide.yamlfile import LineMap, load_yaml

MAX_TURNS = 2000  # turns in one script
MAX_TEXT = 1000  # characters in one `say`, path or name

_TOP = {"protocol", "engine", "model", "lang", "voice", "rate", "pitch", "noise", "echo_db",
        "seed", "retries", "turns"}
_TURN = {"say", "audio", "silence", "after_cue", "wait", "at", "voice", "rate", "pitch",
         "expect", "retries"}
_NOISE = {"kind", "snr_db"}
NOISE_KINDS = ("pink", "music", "babble")


@dataclass(frozen=True)
class Turn:
    kind: str            # "say", "audio" or "silence"
    value: str | float   # text, clip path, or seconds
    timing: str          # "after_cue", "wait" or "at"
    delay: float
    voice: str | None = None
    rate: int | None = None
    pitch: int | None = None
    expect: str | None = None  # the step the guide should be in after this turn
    retries: int = 0           # say it again (after the guide's answer) if it is not; the
                               # script's `retries` sets the default (0: a miss is a failure)
    line: int = 0

    @property
    def text(self) -> str:
        """The words of a `say` turn, or the clip path of an `audio` turn."""
        assert isinstance(self.value, str), f"line {self.line}: a {self.kind} turn has no text"
        return self.value

    @property
    def seconds(self) -> float:
        """How long a `silence` turn lasts."""
        assert not isinstance(self.value, str), f"line {self.line}: {self.kind} is not silence"
        return self.value


@dataclass(frozen=True)
class Noise:
    kind: str  # pink | music | babble | a WAV path
    snr_db: float


@dataclass(frozen=True)
class Script:
    path: Path
    protocol: str
    turns: tuple[Turn, ...]
    engine: str = "auto"
    model: str | None = None
    lang: str = "en"
    voice: str = "en-us"
    rate: int = 160
    pitch: int = 50
    noise: Noise | None = None
    echo_db: float | None = None
    seed: int = 0


def load_script(path: Path) -> Script:
    path = Path(path)
    data = load_yaml(path)
    fail = lambda line, msg: located(path, line, msg)  # noqa: E731
    if not isinstance(data, LineMap):
        raise fail(1, "a script is a mapping with 'protocol' and 'turns'")
    for key in data:
        if key not in _TOP:
            raise fail(data.line_of(key),
                       f"unknown key '{key}' (allowed: {', '.join(sorted(_TOP))})")
    if not isinstance(data.get("protocol"), str) or len(data["protocol"]) > MAX_TEXT:
        raise fail(data.line, "the script needs 'protocol': a protocol id or a .yaml path")
    turns = data.get("turns")
    if not isinstance(turns, list) or not turns:
        raise fail(data.line_of("turns"), "'turns' must be a non-empty list of turns")
    if len(turns) > MAX_TURNS:
        raise fail(data.line_of("turns"), f"{len(turns):,} turns; a script may have at most "
                   f"{MAX_TURNS}")
    line = data.line_of("turns")
    retries = int(_num(data, "retries", 0, 0, 10, fail))  # the turns' default: honest is 0
    parsed = []
    for turn in turns:
        line = turn.line if isinstance(turn, LineMap) else line + 1
        parsed.append(_turn(turn, line, fail, path.parent, retries))
    protocol = data["protocol"]
    if protocol.endswith((".yaml", ".yml")) and not Path(protocol).is_absolute():
        protocol = str(path.parent / protocol)
    return Script(
        path=path, protocol=protocol, turns=tuple(parsed),
        engine=_word(data, "engine", "auto", fail), model=_opt_text(data, "model", fail),
        lang=_word(data, "lang", "en", fail),
        voice=_word(data, "voice", "ko" if data.get("lang") == "ko" else "en-us", fail),
        rate=int(_num(data, "rate", 160, 80, 450, fail)),
        pitch=int(_num(data, "pitch", 50, 0, 99, fail)),
        noise=_noise(data, fail, path.parent), echo_db=_num(data, "echo_db", None, -60, 20, fail),
        seed=int(_num(data, "seed", 0, 0, 2**31, fail)),
    )


def _turn(raw, line: int, fail, folder: Path, default_retries: int = 0) -> Turn:
    if not isinstance(raw, LineMap):
        raise fail(line, "each turn is a mapping such as {say: located}")
    for key in raw:
        if key not in _TURN:
            raise fail(raw.line_of(key), f"unknown key '{key}' in a turn "
                       f"(allowed: {', '.join(sorted(_TURN))})")
    kinds = [k for k in ("say", "audio", "silence") if k in raw]
    if len(kinds) != 1:
        raise fail(raw.line, "a turn needs exactly one of say, audio or silence")
    timings = [k for k in ("after_cue", "wait", "at") if k in raw]
    if len(timings) > 1:
        raise fail(raw.line, "a turn takes at most one of after_cue, wait or at")
    kind, timing = kinds[0], (timings or ["after_cue"])[0]
    value = raw[kind]
    if kind == "silence":
        value = _num(raw, "silence", None, 0.01, 6 * 3600, fail)
    elif not isinstance(value, str) or not value.strip():
        raise fail(raw.line_of(kind), f"'{kind}' needs text" + (" (a WAV path)" if kind ==
                                                                "audio" else ""))
    elif len(value) > MAX_TEXT:
        raise fail(raw.line_of(kind), f"'{kind}' is {len(value):,} characters; keep it under "
                   f"{MAX_TEXT}")
    elif kind == "audio":
        value = str(folder / value) if not Path(value).is_absolute() else value
        if not Path(value).is_file():
            raise fail(raw.line_of(kind), f"audio clip {value} not found; paths are relative "
                       "to the script's folder")
    delay = _num(raw, timing, 0.5, 0, 6 * 3600, fail)
    expect = _opt_text(raw, "expect", fail)
    retries = int(_num(raw, "retries", default_retries if expect else 0, 0, 10, fail))
    if retries and not expect:
        raise fail(raw.line_of("retries"), "'retries' needs 'expect': the step to reach")
    return Turn(kind, value, timing, delay, voice=_opt_text(raw, "voice", fail),
                expect=expect, retries=retries,
                rate=raw.get("rate") and int(_num(raw, "rate", 160, 80, 450, fail)),
                pitch=raw.get("pitch") and int(_num(raw, "pitch", 50, 0, 99, fail)),
                line=raw.line)


def _num(m: LineMap, key: str, default, low: float, high: float, fail):
    if key not in m:
        return default
    value = m[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise fail(m.line_of(key), f"'{key}' must be a number from {low:g} to {high:g}, "
                   f"not {value!r}")
    return float(value)


def _word(m: LineMap, key: str, default: str, fail) -> str:
    value = m.get(key, default)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise fail(m.line_of(key), f"'{key}' must be a word such as {default!r}")
    return value.strip()


def _opt_text(m: LineMap, key: str, fail) -> str | None:
    return _word(m, key, "", fail) if key in m else None


def _noise(m: LineMap, fail, folder: Path) -> Noise | None:
    if "noise" not in m:
        return None
    raw = m["noise"]
    if not isinstance(raw, LineMap) or "kind" not in raw:
        raise fail(m.line_of("noise"),
                   "noise needs {kind: pink|music|babble|FILE.wav, snr_db: N}")
    for key in raw:
        if key not in _NOISE:
            raise fail(raw.line_of(key), f"unknown key '{key}' in noise (allowed: kind, snr_db)")
    kind = raw["kind"]
    if not isinstance(kind, str) or (kind not in NOISE_KINDS and not kind.endswith(".wav")):
        raise fail(raw.line_of("kind"), "noise kind must be pink, music, babble or a .wav path")
    if kind.endswith(".wav"):
        kind = str(folder / kind) if not Path(kind).is_absolute() else kind
        if not Path(kind).is_file():
            raise fail(raw.line_of("kind"), f"noise file {kind} not found; paths are relative "
                       "to the script's folder")
    return Noise(kind, _num(raw, "snr_db", 20.0, -10, 60, fail))
