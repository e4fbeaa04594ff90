"""YAML loading that remembers line numbers, so every error can name file and line.

Mappings load as `LineMap`: a dict that also knows the line of the mapping and of each key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from voice_guide.errors import UserError, located


class LineMap(dict):
    """A dict with `line` (where the mapping starts) and `lines[key]` (where each key is)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    """SafeLoader whose mappings are LineMaps and which refuses duplicate keys."""


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


def load_yaml(path: Path) -> Any:
    """Parse a YAML file into LineMaps/lists/scalars; any problem is a one-line UserError."""
    if Path(path).suffix.lower() in (".toml", ".ini"):
        raise UserError(f"{path}: voice-guide reads YAML files; write it as .yaml "
                        "(see docs/authoring.md)")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read it ({exc.__class__.__name__}); "
                        "save it as UTF-8 text") from None
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
