"""YAML loading that remembers line numbers, so every error can name file and line.

Mappings load as `LineMap`: a dict that also knows the line of the mapping and of each key.
Hostile YAML is refused while it is parsed, before it can cost memory: aliases (`*name`, the
"billion laughs"), nesting deeper than MAX_DEPTH and more than MAX_NODES values. The file
itself is read through voice_guide.userfile (regular files only, size-capped).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from voice_guide.errors import UserError, located
from voice_guide.userfile import MAX_TEXT_FILE, read_text

#: Deeper than any real file (a protocol nests 6 levels); stops recursion bombs early.
MAX_DEPTH = 30
#: Values in one file (a 600-step protocol has ~5 000).
MAX_NODES = 50_000


class LineMap(dict):
    """A dict with `line` (where the mapping starts) and `lines[key]` (where each key is)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class _Guard:
    """Composer mix-in: refuses aliases, deep nesting and too many values, with their line."""

    _depth = 0
    _nodes = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            line = self.peek_event().start_mark.line + 1
            raise _Located(line, "YAML aliases (*name) are not allowed here; write the value "
                           "out in full")
        self._depth += 1
        self._nodes += 1
        if self._depth > MAX_DEPTH:
            raise _Located(self.peek_event().start_mark.line + 1,
                           f"nested more than {MAX_DEPTH} levels deep")
        if self._nodes > MAX_NODES:
            raise _Located(self.peek_event().start_mark.line + 1,
                           f"more than {MAX_NODES:,} values in one file")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Loader(_Guard, yaml.SafeLoader):
    """SafeLoader whose mappings are LineMaps and which refuses duplicate keys."""


class GuardedComposer(_Guard, yaml.SafeLoader):
    """For `yaml.compose(text, Loader=GuardedComposer)`: nodes with lines, no aliases."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    mapping = LineMap()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool)):
            raise _Located(line, "a key must be a plain word")
        if key in mapping:
            raise _Located(line, f"duplicate key '{key}' (first at line {mapping.lines[key]})")
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# YAML 1.1 reads on/off/yes/no as booleans, but `on:`, `yes:` and `no:` are words here
# (a step's `on:` map, the yes/no commands). Only true/false are booleans, as in YAML 1.2.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))


class _Located(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def load_yaml(path: Path, limit: int = MAX_TEXT_FILE) -> Any:
    """Parse a YAML file into LineMaps/lists/scalars; any problem is a one-line UserError."""
    if Path(path).suffix.lower() in (".toml", ".ini"):
        raise UserError(f"{path}: voice-guide reads YAML files; write it as .yaml "
                        "(see docs/authoring.md)")
    text = read_text(path, limit)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except _Located as exc:
        raise located(path, exc.line, str(exc)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise located(path, line, f"invalid YAML: {problem}; check indentation and quoting"
                      ) from None
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise UserError(f"{path}: the YAML nests too deeply") from None


def compose(text: str, source: str) -> yaml.Node | None:
    """The node tree of `text` (for readers that want nodes), guarded like `load_yaml`."""
    try:
        return yaml.compose(text, Loader=GuardedComposer)  # noqa: S506 - a SafeLoader
    except _Located as exc:
        raise located(source, exc.line, str(exc)) from None
    except RecursionError:
        raise UserError(f"{source}: the YAML nests too deeply") from None
