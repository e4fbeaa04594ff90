"""A one-page report of a session log, in Markdown or self-contained HTML.

What the therapist needs after the client leaves, without having written anything down: which
points were tender, which referred, how long each hold took to fade, which to revisit lighter,
the assessment answers and the homework given. The HTML carries a timeline picture (inline
SVG, see report_svg) and nothing that loads from the network.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from voice_guide.record_read import Log
from voice_guide.report_svg import timeline_svg

ENDED = {"fading": "fading", "limit": "hold limit", "worse": "too much pressure (worse)",
         "finish": "session finished", "interrupted": "interrupted (session cut off)",
         "nerve": "nerve signs: stopped", None: "not recorded (log ends mid-hold)"}


@dataclass
class Point:
    point: int
    step: str
    sensation: str
    start: float
    duration: float | None = None
    reason: str | None = None


def points(log: Log) -> list[Point]:
    """Each hold of the session, matched start to end by point number."""
    found: dict[int, Point] = {}
    for e in log.of("hold_start", "hold_end"):
        n = e.get("point")
        if e["event"] == "hold_start":
            found[n] = Point(n, e.get("step"), e.get("sensation"), float(e["t"]))
        elif n in found:
            found[n].duration, found[n].reason = e.get("duration"), e.get("reason")
    return list(found.values())


def when(log: Log) -> str:
    try:
        return datetime.fromisoformat(str(log.start.get("started"))).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(log.start.get("started"))


def minutes(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60} min {s % 60:02d} s" if s >= 60 else f"{s} s"


def status(log: Log) -> str:
    resumed = len(log.of("session_resume"))
    text = "finished" if log.finished else "not finished"
    return text + (f", resumed {resumed}×" if resumed else "")


def facts(log: Log) -> list[tuple[str, str]]:
    s = log.start
    rows = [("Protocol", f"{s.get('title') or s.get('protocol')} ({s.get('protocol')}, "
                         f"version {s.get('version')})"),
            ("Date", when(log)), ("Duration", minutes(log.last_t)), ("Session", status(log)),
            ("Engine", str(s.get("engine")))]
    if s.get("client"):
        rows.insert(1, ("Client", str(s["client"])))
    if log.torn or log.skipped:
        rows.append(("Log", f"{int(log.torn) + len(log.skipped)} unreadable line(s) left out"))
    return rows


def point_rows(log: Log) -> list[list[str]]:
    out = []
    for p in points(log):
        hold = f"{p.duration:.1f} s" if p.duration is not None else "—"
        out.append([str(p.point), p.step, "yes", p.sensation, hold, ENDED.get(p.reason, p.reason)])
    return out


POINT_HEAD = ["Point", "Step", "Tender", "Refers / local", "Hold", "How it ended"]


def lists(log: Log) -> list[tuple[str, list[str], str]]:
    """The report's bulleted sections: (title, items, what to say when there are none)."""
    rev = [f"point {r.get('point')} in {r.get('step')}: "
           f"{ENDED.get(r.get('reason'), r.get('reason'))}" for r in log.of("revisit")]
    ans = [f"{a.get('question')}: {a.get('answer')}" for a in log.of("answer")]
    home = [f"{h.get('title') or h.get('step')}: {h.get('text', '')}".rstrip(": ")
            for h in log.of("homework")]
    return [("Points to revisit (lighter pressure)", rev, "none"),
            ("Assessment answers", ans, "none recorded"),
            ("Homework given", home, "none recorded")]


def markdown(log: Log) -> str:
    out = [f"# Session report: {log.start.get('title') or log.protocol}", ""]
    out += [f"- **{k}:** {v}" for k, v in facts(log)]
    out += ["", "## Points", ""]
    rows = point_rows(log)
    if rows:
        out += ["| " + " | ".join(POINT_HEAD) + " |", "|" + "---|" * len(POINT_HEAD)]
        out += ["| " + " | ".join(r) + " |" for r in rows]
    else:
        out.append("No points were held.")
    for title, items, none in lists(log):
        out += ["", f"## {title}", ""] + ([f"- {i}" for i in items] or [f"({none})"])
    return "\n".join(out) + "\n"


STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:1.5em;
color:#222;max-width:60em}h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.05em;margin:1em 0 .3em}
dl{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;margin:0}dt{font-weight:600}
dd{margin:0}table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left}th{background:#eee}
ul{margin:.2em 0}svg{width:100%;height:auto}@page{size:A4;margin:12mm}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def html_page(log: Log) -> str:
    title = f"Session report: {log.start.get('title') or log.protocol}"
    facts_html = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts(log))
    rows = point_rows(log)
    table = ("<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in POINT_HEAD) + "</tr>"
             + "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
             + "</table>") if rows else "<p>No points were held.</p>"
    sections = "".join(
        f"<h2>{_e(t)}</h2>" + (("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>")
                               if items else f"<p>({_e(none)})</p>")
        for t, items, none in lists(log))
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{_e(title)}</h1><dl>{facts_html}</dl>"
            f"<h2>Timeline</h2>{timeline_svg(log, points(log))}"
            f"<h2>Points</h2>{table}{sections}</body></html>\n")


def render(log: Log, fmt: str) -> str:
    return html_page(log) if fmt == "html" else markdown(log)
