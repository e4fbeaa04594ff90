"""The canonical commands every engine and grammar must support.

Protocols and grammars refer to these words; synonyms live in `grammars/<lang>.yaml`.
"""

COMMANDS: tuple[str, ...] = (
    "located", "tender", "refers", "local", "fading", "worse", "pulse", "softer",
    "next", "back", "repeat", "pause", "resume", "stop", "help", "yes", "no", "time", "finish",
    "numb",
)
# `numb` stands for every nerve sign (numbness, tingling, weakness): it stops the work.

#: Always listened for, whatever the step: they silence the guide and freeze every timer.
ALWAYS_ACTIVE: frozenset[str] = frozenset({"stop", "pause"})

#: Heard even while the guide is speaking (barge-in).
BARGE_IN: frozenset[str] = frozenset({"stop", "pause", "worse", "numb"})

#: Words that carry an English phrasing rather than name the command ("it's worse", "go
#: back"): not evidence on their own, in a transcript or in a cue the guide spoke.
CARRIERS: frozenset[str] = frozenset({"it's", "it", "i", "that's", "go", "very", "a"})
