"""The user's settings file: voice, rate, volume, language and audio devices.

Kept as YAML (PyYAML is already a dependency, and tomllib is missing on Python 3.10) in the
platformdirs user config dir, e.g. `~/.config/voice-guide/settings.yaml` (XDG_CONFIG_HOME is
honoured). Command-line options override the file for one run (voice_guide.cli.options);
`--save-settings` writes them back, so a therapist sets the voice once and never again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import yaml

from voice_guide.errors import UserError, located
from voice_guide.runners.keys import DEFAULT_KEYS, key_map
from voice_guide.yamlfile import LineMap, load_yaml

FILENAME = "settings.yaml"
RATE_RANGE = (80, 450)
MAX_NAME = 200  # a voice or device name


@dataclass(frozen=True)
class Settings:
    voice: str | None = None        # an espeak-ng voice id, or hibari:heart (the natural voice;
                                    # `voice-guide voices`); None: espeak-ng's default
    rate: int = 165                 # words per minute
    volume: float = 1.0             # 0.0 .. 1.0
    language: str | None = None     # session language (en, ko): cues, grammar, voice;
                                    # None: the protocol's own
    input_device: str | None = None   # sounddevice name or index; None: the default input
    output_device: str | None = None  # likewise for output
    speech: bool = True             # speak every cue and message; False: text only (--quiet)
    key_mode: bool = False          # sessions take single keypresses (--keys; pedals)
    keys: dict | None = None        # key -> command over the defaults (voice_guide.runners.keys)
    profile: str | None = None      # the enrolled voice profile sessions listen with
                                    # (`voice-guide profiles`); None: `default` when enrolled

    def for_language(self, language: str | None) -> Settings:
        """With no voice chosen, a session in another language than English speaks with
        espeak-ng's voice for it (`ko`: Korean); an English voice would spell Hangul out."""
        natural = isinstance(self.voice, str) and self.voice.startswith("hibari:")
        if (self.voice is None or natural) and language and language != "en":
            return replace(self, voice=language)  # hibari speaks English only
        return self

    def validated(self, where: object = "settings") -> Settings:
        """Raise a UserError that names `where` if a value is out of range."""
        problem = self.problem()
        if problem:
            raise located(where, None, problem)
        return self

    def problem(self) -> str | None:
        """What is wrong with these settings (the first thing), or None."""
        lo, hi = RATE_RANGE
        if isinstance(self.rate, bool) or not isinstance(self.rate, int) or not (
                lo <= self.rate <= hi):
            return f"rate must be a whole number {lo}..{hi}, got {self.rate!r}"
        if isinstance(self.volume, bool) or not isinstance(self.volume, (int, float)) or not (
                0.0 <= self.volume <= 1.0):
            return f"volume must be 0.0..1.0, got {self.volume!r}"
        if isinstance(self.voice, str) and self.voice.startswith("hibari:") and \
                self.voice != "hibari:heart":
            return (f"voice {self.voice!r}: the natural voice installed is hibari:heart "
                    "(the others would need a download)")
        for name in ("speech", "key_mode"):
            if not isinstance(getattr(self, name), bool):
                return f"{name} must be true or false, got {getattr(self, name)!r}"
        if self.keys is not None and not isinstance(self.keys, dict):
            return "keys must be a mapping of key: command"
        try:
            key_map(self.keys)
        except UserError as exc:
            return str(exc).removeprefix("settings: ")
        for name in ("voice", "language", "input_device", "output_device", "profile"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or
                                      not isinstance(value, (str, int))
                                      or len(str(value)) > MAX_NAME):
                return f"{name} must be a name (text, at most {MAX_NAME} characters)"
        return None


def settings_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("voice-guide", appauthor=False)) / FILENAME


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings, or the defaults when there is no file yet."""
    path = path or settings_path()
    if not path.exists():
        return Settings()
    data = load_yaml(path)  # one-line errors with the line, as for protocols
    if data is None:
        return Settings()
    if not isinstance(data, LineMap):
        raise located(path, 1, "settings must be a mapping of name: value")
    known = {f.name for f in fields(Settings)}
    for key in data:  # each value on its own, so the error names its line
        if key not in known:
            raise located(path, data.line_of(key), f"unknown setting {key!r} "
                          f"(known: {', '.join(sorted(known))})")
        problem = Settings(**{key: data[key]}).problem()
        if problem:
            raise located(path, data.line_of(key), problem)
    settings = Settings(**data)
    if settings.keys is not None and key_map(settings.keys) == DEFAULT_KEYS:
        settings = replace(settings, keys=None)  # as saved: the defaults written out in full
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write every setting (defaults included, so the file documents itself)."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(settings.validated())
    data["keys"] = key_map(settings.keys) if settings.keys else dict(DEFAULT_KEYS)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def device_arg(value: str | None) -> int | str | None:
    """sounddevice takes an index or a name substring; '3' means index 3."""
    if value is None or value == "":
        return None
    return int(value) if str(value).isdigit() else value
