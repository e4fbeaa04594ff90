"""What a session run was asked for, as one frozen value built at the CLI edge (cli/options.py).

Why a dataclass and not the parsed arguments: the runners below the CLI must not depend on
argparse's attribute names or on which subcommand defined which option. The CLI fills each
field from the option of the same name (`cli.options.options_from`), so a new option is one
field here (with its default) and one `add_argument` there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voice_guide.enroll.profiles import Profile
from voice_guide.record.recording import RecordOptions
from voice_guide.settings import Settings


@dataclass(frozen=True)
class SessionOptions:
    """A `run` session: live (microphone) or typed/keys. `settings` are already merged with
    the command line (and saved, with --save-settings)."""

    settings: Settings = field(default_factory=Settings)
    record: RecordOptions = field(default_factory=RecordOptions)
    lang: str | None = None           # --lang: session language (None: settings, protocol)
    engine: str = "auto"              # recognizer: auto, pocketsphinx, vosk
    model: str | None = None          # a Vosk model folder
    json: bool = False                # events as JSON lines on stdout, cue text on stderr
    screen: bool | None = None        # full-screen view; None: the mode's default
    keys: bool = False                # single keypresses (pedal, clicker)
    mic: bool = False                 # with keys: the microphone too
    virtual_clock: bool = False       # typed: time passes only on `wait N` lines
    verbose: bool = False             # diagnostics: every utterance heard and why ignored
    profile: Profile | None = None    # the enrolled voice the listener uses (loaded at the CLI)
