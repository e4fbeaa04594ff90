"""Optional libraries: imported where they are used, with the pip command when one is missing.

Why: heavy engine libraries (Vosk, the microphone stack) would slow every command down if they
were imported at load time, and a user who installed `voice-guide` without an extra should read
one line naming what to install, not an ImportError traceback (exit 2, as for any bad input).
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from voice_guide.errors import UserError


def require(module: str, *, extra: str | None = None, needed_for: str) -> ModuleType:
    """Import `module`; if it is not installed, a UserError naming the pip command.

    `extra` is the voice-guide extra that installs it (`pip install 'voice-guide[vosk]'`);
    without one the library itself is named.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        command = f"pip install 'voice-guide[{extra}]'" if extra else f"pip install {module}"
        raise UserError(f"{needed_for} needs the {module} library, which is not installed: "
                        f"{command}") from None


def installed(module: str) -> bool:
    """Whether `module` can be imported, without importing it (it may be slow to load)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or a module blocked
        return False
