"""Command grammars: for each canonical command, the phrasings a therapist may say.

Grammars live in `grammars/<lang>.yaml` (package `voice_guide.grammars`) so a therapist can
edit them without touching code. Each engine adapter turns a `Grammar` into its own format
at load time; mistakes are reported with the file and line so they are easy to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from voice_guide.errors import UserError, located
from voice_guide.userfile import read_text
from voice_guide.vocabulary import COMMANDS
from voice_guide.yamlfile import compose

_WORD = re.compile(r"^[^\W\d_]+(?:'[^\W\d_]+)?$")  # letters in any script, one apostrophe


@dataclass(frozen=True)
class Grammar:
    """Phrasings per canonical command; `phrases[cmd]` are normalised word tuples."""

    lang: str
    phrases: dict[str, tuple[tuple[str, ...], ...]]
    source: str
    lines: dict[tuple[str, ...], int]  # phrase -> line in the source, for later errors
    #: What a therapist says to the client that sounds like a phrasing ("is that tender"):
    #: the templates learn it as no command (templates.NOT_A_COMMAND), so it can outscore one.
    not_commands: tuple[tuple[str, ...], ...] = ()

    def lookup(self, text: str) -> str | None:
        """The command whose phrasing is exactly `text` (normalised), else None."""
        words = tuple(normalise(text).split())
        for cmd, phrases in self.phrases.items():
            if words in phrases:
                return cmd
        return None

    def words(self) -> set[str]:
        return {w for ps in self.phrases.values() for p in ps for w in p}

    def max_words(self, commands: set[str] | None = None) -> int:
        cmds = self.phrases if commands is None else commands
        return max((len(p) for c in cmds for p in self.phrases.get(c, ())), default=1)


def normalise(text: str) -> str:
    """Lower-case, curly apostrophes straightened, punctuation other than ' removed."""
    text = text.lower().replace("\u2019", "'")
    return " ".join(re.sub(r"[^\w' ]+", " ", text).split())


def load(lang: str = "en", path: str | Path | None = None) -> Grammar:
    """Load the grammar for `lang` from the package, or from `path` when given."""
    if path is None:
        res = _grammar_dir().joinpath(f"{lang}.yaml")
        if not res.is_file():
            raise UserError(f"no grammar for language {lang!r} (grammars/{lang}.yaml)")
        return parse(res.read_text(encoding="utf-8"), f"grammars/{lang}.yaml")
    p = Path(path)
    return parse(read_text(p), str(p))


def _grammar_dir():
    """The installed `voice_guide.grammars` package, or `grammars/` in a source checkout."""
    try:
        return resources.files("voice_guide.grammars")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "grammars"


def parse(text: str, source: str) -> Grammar:
    """Validate and build a Grammar; every error names `source` and the line."""
    try:
        root = compose(text, source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]  # one line
        raise located(source, line, f"not valid YAML: {problem}") from None
    if not isinstance(root, yaml.MappingNode):
        raise located(source, 1, "expected 'language:' and 'commands:' keys")
    top = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    lang = top.get("language")
    cmds = top.get("commands")
    if not isinstance(lang, yaml.ScalarNode) or not lang.value:
        raise located(source, 1, "missing 'language: <code>'")
    if not isinstance(cmds, yaml.MappingNode):
        raise located(source, _line(cmds or root), "'commands:' must map command -> phrasings")
    phrases, lines = _commands(cmds, source)
    others = _not_commands(top.get("not_commands"), source, phrases)
    return Grammar(lang.value, phrases, source, lines, others)


def _not_commands(node: yaml.Node | None, source: str,
                  phrases: dict[str, tuple[tuple[str, ...], ...]]) -> tuple[tuple[str, ...], ...]:
    """The optional `not_commands:` list; none may be a command's phrasing too."""
    if node is None:
        return ()
    if not isinstance(node, yaml.SequenceNode):
        raise located(source, _line(node), "'not_commands:' must be a list of sentences")
    owner = {p: c for c, ps in phrases.items() for p in ps}
    out: list[tuple[str, ...]] = []
    for item in node.value:
        words = _phrase(item, source, "not_commands")
        if words in owner:
            raise located(source, _line(item), f"{' '.join(words)!r} is a phrasing of "
                          f"{owner[words]!r}: take it out of one of the lists")
        if words not in out:
            out.append(words)
    return tuple(out)


def _commands(node: yaml.MappingNode, source: str):
    phrases: dict[str, tuple[tuple[str, ...], ...]] = {}
    lines: dict[tuple[str, ...], int] = {}
    owner: dict[tuple[str, ...], str] = {}
    for key, val in node.value:
        cmd = str(key.value)
        if cmd not in COMMANDS:
            known = ", ".join(COMMANDS)
            raise located(source, _line(key), f"unknown command {cmd!r} (known: {known})")
        if cmd in phrases:
            raise located(source, _line(key), f"command {cmd!r} listed twice")
        items = val.value if isinstance(val, yaml.SequenceNode) else None
        if not items:
            raise located(source, _line(val), f"{cmd}: give a list of phrasings, e.g. [{cmd}]")
        out = []
        for item in items:
            words = _phrase(item, source, cmd)
            if words in owner:
                said = " ".join(words)
                raise located(source, _line(item), f"{said!r} already means {owner[words]!r}")
            owner[words], lines[words] = cmd, item.start_mark.line + 1
            out.append(words)
        phrases[cmd] = tuple(out)
    return phrases, lines


def _phrase(item: yaml.Node, source: str, cmd: str) -> tuple[str, ...]:
    if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
        raise located(source, _line(item), f"{cmd}: each phrasing must be a non-empty text")
    words = tuple(normalise(str(item.value)).split())
    bad = [w for w in words if not _WORD.match(w)]
    if bad or not words:
        raise located(source, _line(item), f"{cmd}: {item.value!r} must be plain words")
    return words


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None
