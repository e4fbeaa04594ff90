"""Pictures of a protocol's state machine: Mermaid text, Graphviz DOT, and SVG/PNG via `dot`.

Both come from `machine.transition_table`, the same edges the running machine uses.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from voice_guide.dialogue.machine import CHECK_STATES, TP_HOLD, TP_REFERS, transition_table
from voice_guide.errors import UserError
from voice_guide.protocol.model import END, Protocol

_LABELS = {TP_REFERS: "trigger point: does it refer?", TP_HOLD: "trigger point: hold"}


def _edges(p: Protocol) -> list[tuple[str, str, str]]:
    """(source, dest, label) with the triggers of parallel edges joined."""
    merged: dict[tuple[str, str], list[str]] = {}
    limit = f"{p.parameters.hold_limit:g} s limit"
    for e in transition_table(p):
        label = e["trigger"].removeprefix("cmd_").replace("hold_limit", limit)
        merged.setdefault((e["source"], e["dest"]), []).append(label)
    return [(s, d, " / ".join(dict.fromkeys(labels))) for (s, d), labels in merged.items()]


def _label(p: Protocol, state: str) -> str:
    if state in p.steps:
        return p.steps[state].title
    return _LABELS.get(state, state)


def _ident(state: str) -> str:
    """A Mermaid state name: word characters, not starting with a digit."""
    name = re.sub(r"\W", "_", state)
    return f"s_{name}" if name[:1].isdigit() else name


def _dq(text: str) -> str:
    """Text inside a DOT double-quoted string (titles are the user's: quotes, backslashes)."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _mq(text: str) -> str:
    """Text inside a Mermaid label: no quotes or line-breaking characters of its own."""
    return re.sub(r"[\"#;:\n]", " ", text)


def mermaid(p: Protocol) -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {_ident(p.start)}"]
    for state in _states(p):
        lines.append(f'    state "{_mq(_label(p, state))}" as {_ident(state)}')
    for s, d, label in _edges(p):
        lines.append(f"    {_ident(s)} --> {_ident(d)}: {_mq(label)}")
    lines += [f"    {_ident(s.id)} --> [*]" for s in p.steps.values() if s.end]
    return "\n".join(lines) + "\n"


def dot(p: Protocol) -> str:
    lines = [f'digraph "{_dq(p.id)}" {{', "  rankdir=TB;", '  node [shape=box, style=rounded, '
             'fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];']
    lines.append(f'  label="{_dq(p.title)}"; labelloc=t; fontname="Helvetica";')
    groups: dict[str, list[str]] = {}
    for state in _states(p):
        groups.setdefault(state.split(".")[0] if "." in state else "", []).append(state)
    for alias, members in groups.items():
        indent = "    " if alias else "  "
        if alias:
            lines.append(f'  subgraph cluster_{_ident(alias)} {{ label="included: {alias}"; '
                         'style=dashed;')
        for state in members:
            style = (', style="rounded,filled", fillcolor="#fde2e2"'
                     if state in CHECK_STATES else "")
            lines.append(f'{indent}"{_dq(state)}" [label="{_dq(_label(p, state))}"{style}];')
        if alias:
            lines.append("  }")
    for s, d, label in _edges(p):
        lines.append(f'  "{_dq(s)}" -> "{_dq(d)}" [label="{_dq(label)}"];')
    return "\n".join(lines + ["}"]) + "\n"


def _states(p: Protocol) -> list[str]:
    used = {x for s, d, _ in _edges(p) for x in (s, d)}
    return [*p.steps, *[s for s in (*CHECK_STATES, END) if s in used]]


def check_type(out: Path) -> None:
    """A picture type `write` can make, said before any work."""
    if out.suffix.lower() not in (".mmd", ".md", ".dot", ".svg", ".png"):
        raise UserError(f"{out}: unknown picture type; use .svg, .png, .dot, .mmd or .md")


def write(p: Protocol, out: Path) -> None:
    """Write by extension: .mmd/.md (Mermaid), .dot, .svg/.png (needs Graphviz's `dot`)."""
    try:
        _write(p, out)
    except OSError as exc:
        raise UserError(f"{out}: cannot write the picture ({exc.strerror or exc})") from None
    except subprocess.CalledProcessError as exc:
        why = (exc.stderr or "").strip().splitlines()
        raise UserError(f"{out}: Graphviz failed ({why[0] if why else exc.returncode})"
                        ) from None


def _write(p: Protocol, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix in (".mmd", ".md"):
        text = mermaid(p)
        out.write_text(f"```mermaid\n{text}```\n" if suffix == ".md" else text)
    elif suffix == ".dot":
        out.write_text(dot(p))
    elif suffix in (".svg", ".png"):
        exe = shutil.which("dot")
        if not exe:
            raise UserError("drawing SVG/PNG needs Graphviz: install it (apt-get install "
                            "graphviz) or write Mermaid text with -o FILE.mmd")
        subprocess.run([exe, f"-T{suffix[1:]}", "-o", str(out)], input=dot(p), text=True,
                       check=True, capture_output=True)
    else:
        raise UserError(f"{out}: unknown picture type; use .svg, .png, .dot, .mmd or .md")
