"""The session report a therapist files, in Markdown or self-contained HTML.

What the therapist needs after the client leaves, without having written anything down: every
safety event with its time and what the guide said, the points by step with their holds and
the tender checks that did not become holds, the points still to revisit lighter, the
assessment answers in the questions' words and the homework as the client's instructions; in
the session's language, with the step titles the guide spoke. The HTML carries a timeline
picture (inline SVG, see report_svg), a print stylesheet and nothing that loads from the
network.
"""

from __future__ import annotations

import html
from datetime import datetime

from voice_guide.record.reader import Log
from voice_guide.report.content import Check, Record, read_record
from voice_guide.report.svg import timeline_svg
from voice_guide.report.text import Words, clock


def when(log: Log) -> str:
    try:
        return datetime.fromisoformat(str(log.start.get("started"))).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(log.start.get("started"))


def minutes(seconds: float) -> str:
    return Words("en").minutes(seconds)


def points(log: Log) -> list[Check]:
    """The holds of the session (a check that came to a hold)."""
    return read_record(log).holds


def status(log: Log, w: Words) -> str:
    resumed = len(log.of("session_resume"))
    text = w["finished"] if log.finished else w["not_finished"]
    return text + (", " + w.f("resumed", n=resumed) if resumed else "")


def engine(log: Log, w: Words) -> str:
    """The engines that heard the session (a resume may use another), in order."""
    names = [str(x.get("engine")) for x in (log.start, *log.of("session_resume"))
             if x.get("engine")]
    unique = list(dict.fromkeys(names)) or ["?"]
    return ", ".join(w["engine_keyboard"] if n == "keyboard" else n for n in unique)


def facts(rec: Record, w: Words) -> list[tuple[str, str]]:
    log, s = rec.log, rec.log.start
    rows = [(w["protocol"], f"{s.get('title') or s.get('protocol')} ({s.get('protocol')}, "
                            f"{w['version']} {s.get('version')})"),
            (w["date"], when(log)), (w["duration"], w.minutes(log.last_t)),
            (w["session"], status(log, w)), (w["engine"], engine(log, w)),
            (w["checked"], w.f("checked_n", n=len(rec.checks), held=len(rec.holds)))]
    if s.get("client"):
        rows.insert(1, (w["client"], str(s["client"])))
    if log.torn or log.skipped:
        rows.append((w["log"], w.f("unreadable", n=int(log.torn) + len(log.skipped))))
    return rows


SAFETY_KEYS = {"nerve": "s_nerve", "nerve_answer": "s_nerve_answer", "pulse": "s_pulse",
               "limit": "s_limit", "worse": "s_worse", "nerve_check": "s_nerve_check"}


def safety_rows(rec: Record, w: Words) -> list[list[str]]:
    out = []
    for s in rec.safety:
        what = w.f(SAFETY_KEYS.get(s.kind, "s_rule"), command=s.command)
        if s.point is not None:
            what += f" ({w['point'].lower()} {s.point})"
        if s.resumed is not None:
            what += "; " + w.f("s_resumed", t=clock(s.resumed))
        out.append([clock(s.t), rec.title(s.step), what, s.said])
    return out


def hold_text(c: Check, w: Words) -> str:
    if not c.held:
        return w["no_hold"]
    if c.duration is not None:
        return w.secs(c.duration)
    return w.f("cut_at_least", s=w.secs(c.alive or 0.0))


def by_step(rec: Record) -> list[tuple[str | None, list[Check]]]:
    """The checks grouped by step, steps in the order they were first worked."""
    groups: dict[str | None, list[Check]] = {}
    for c in rec.checks:
        groups.setdefault(c.step, []).append(c)
    return list(groups.items())


def point_row(c: Check, w: Words) -> list[str]:
    felt = w[c.sensation] if c.sensation in ("refers", "local") else "—"
    reason = w.reason(c.reason) if c.held or c.reason in ("worse", "nerve") else w["r_cancel"]
    return [str(c.point), clock(c.t), felt, hold_text(c, w), reason]


def point_head(w: Words) -> list[str]:
    return [w["point"], w["time"], w["sensation"], w["hold"], w["ended"]]


def lists(rec: Record, w: Words) -> list[tuple[str, list[str], str]]:
    """The report's bulleted sections: (title, items, what to say when there are none)."""
    not_held = [f"{w.f('point_in', point=c.point, step=rec.title(c.step))} ({clock(c.t)}): "
                f"{w.reason(c.reason) if c.reason else w['r_cancel']}"
                for c in rec.checks if not c.held]
    rev = [f"{w.f('point_in', point=r.get('point'), step=rec.title(r.get('step')))}: "
           f"{w.reason(r.get('reason'))}" for r in rec.revisits]
    ans = [f"{a.question} — {w[a.answer] if a.answer in ('yes', 'no') else a.answer}"
           for a in rec.answers]
    home = [f"{h.title}: {h.text}" if h.text else h.title for h in rec.homework]
    return [(w["not_held"], not_held, w["none"]),
            (w["revisit"], rev, w["none"]),
            (w["answers"], ans, w["none_recorded"]),
            (w["homework"], home, w["none_recorded"])]


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    cell = [[c.replace("|", "\\|") for c in r] for r in rows]
    return (["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            + ["| " + " | ".join(r) + " |" for r in cell])


def markdown(log: Log) -> str:
    rec = read_record(log)
    w = Words(rec.language)
    out = [f"# {w['report']}: {log.start.get('title') or log.protocol}", ""]
    out += [f"- **{k}:** {v}" for k, v in facts(rec, w)]
    out += ["", f"## {w['safety']}", ""]
    rows = safety_rows(rec, w)
    out += _md_table([w["time"], w["step"], w["event"], w["said"]], rows) if rows \
        else [f"({w['no_safety']})"]
    out += ["", f"## {w['points']}", ""]
    for step, checks in by_step(rec):
        out += [f"### {rec.title(step)}", ""]
        out += _md_table(point_head(w), [point_row(c, w) for c in checks]) + [""]
    if not rec.checks:
        out += [w["no_points"], ""]
    for title, items, none in lists(rec, w):
        out += [f"## {title}", ""] + ([f"- {i}" for i in items] or [f"({none})"]) + [""]
    return "\n".join(out).rstrip("\n") + "\n"


STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans','Noto Sans',
'Noto Sans CJK KR','NanumGothic',sans-serif;margin:1.5em auto;color:#222;max-width:60em;
line-height:1.35}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.08em;margin:1.1em 0 .3em;
border-bottom:1px solid #999}h3{font-size:.98em;margin:.7em 0 .2em}
dl{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;margin:0}dt{font-weight:600}
dd{margin:0}table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#eee}td.t{white-space:nowrap}ul{margin:.2em 0}svg{width:100%;height:auto}
table.safety td{background:#fff4f2}.none{color:#555}
.blank{border-bottom:1px solid #777;min-height:1.6em;margin:.2em 0 .6em}
.field{margin-top:.6em}.pair{display:flex;gap:2em}.pair .field{flex:1}
table.points{table-layout:fixed}table.points th:nth-child(1){width:9%}
table.points th:nth-child(2){width:9%}table.points th:nth-child(3){width:20%}
table.points th:nth-child(4){width:24%}
.blank.tall{min-height:4.5em;border:1px solid #999}.label{font-weight:600}
@page{margin:12mm}
@media print{body{margin:0;max-width:none;font-size:9.5pt;line-height:1.25}
h1{font-size:1.3em}h2{margin:.7em 0 .2em}h3{margin:.4em 0 .1em}h2,h3{break-after:avoid}
tr,li,svg,.field,.pair{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def e(text: object) -> str:
    return html.escape(str(text))


def html_table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return (f"<table{attr}><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f'<td{" class=t" if i == 0 else ""}>{e(c)}</td>'
                                       for i, c in enumerate(r)) + "</tr>" for r in rows)
            + "</table>")


def page(title: str, lang: str, body: str, paper: str | None = None) -> str:
    size = f"@page{{size:{paper}}}" if paper else ""
    return (f'<!DOCTYPE html><html lang="{e(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width">'
            f"<title>{e(title)}</title><style>{STYLE}{size}</style></head><body>"
            f"{body}</body></html>\n")


def html_page(log: Log, paper: str | None = None) -> str:
    rec = read_record(log)
    w = Words(rec.language)
    title = f"{w['report']}: {log.start.get('title') or log.protocol}"
    parts = [f"<h1>{e(title)}</h1><dl>"
             + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts(rec, w)) + "</dl>"]
    rows = safety_rows(rec, w)
    parts.append(f"<h2>{e(w['safety'])}</h2>" + (
        html_table([w["time"], w["step"], w["event"], w["said"]], rows, "safety") if rows
        else f'<p class="none">({e(w["no_safety"])})</p>'))
    parts.append(f"<h2>{e(w['timeline'])}</h2>{timeline_svg(rec, w)}")
    parts.append(f"<h2>{e(w['points'])}</h2>")
    for step, checks in by_step(rec):
        parts.append(f"<h3>{e(rec.title(step))}</h3>"
                     + html_table(point_head(w), [point_row(c, w) for c in checks], "points"))
    if not rec.checks:
        parts.append(f"<p>{e(w['no_points'])}</p>")
    for t, items, none in lists(rec, w):
        parts.append(f"<h2>{e(t)}</h2>" + (
            "<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>" if items
            else f'<p class="none">({e(none)})</p>'))
    return page(title, rec.language, "".join(parts), paper)
