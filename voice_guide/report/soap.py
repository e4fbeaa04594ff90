"""A SOAP note draft from a session log: the note format therapists already write.

Subjective: the assessment answers and what the client reported (tender, referring, rising
sensation, nerve signs). Objective: the points, their holds and durations, the safety events.
Assessment and Plan: a summary from the record, the points to revisit, the homework, and a
referral when nerve signs stopped the work. What only the therapist can write (the chief
complaint, pain scores, findings, their assessment, the signature) is left as a blank line.
"""

from __future__ import annotations

from voice_guide.record.reader import Log
from voice_guide.report.content import Record, read_record
from voice_guide.report.document import (
    by_step,
    e,
    facts,
    hold_text,
    html_table,
    lists,
    page,
    point_head,
    point_row,
    safety_rows,
)
from voice_guide.report.text import Words, clock

BLANK = "_" * 40


def reported(rec: Record, w: Words) -> list[str]:
    """What the client reported, as the therapist's commands recorded it."""
    out = []
    if rec.checks:
        out.append(w.f("rep_tender", n=len(rec.checks)))
    refers = [str(c.point) for c in rec.checks if c.sensation == "refers"]
    if refers:
        out.append(w.f("rep_refers", pts=", ".join(refers)))
    worse = [str(c.point) for c in rec.checks if c.reason == "worse"]
    if worse:
        out.append(w.f("rep_worse", pts=", ".join(worse)))
    if rec.nerve_stops:
        out.append(w.f("rep_nerve", times=_times(rec)))
    return out


def _times(rec: Record) -> str:
    return ", ".join(f"{clock(s.t)} ({rec.title(s.step)})" for s in rec.nerve_stops)


def _resumed(rec: Record, w: Words) -> str:
    """The nerve stops that were resumed ("misheard"): the therapist confirms or refers."""
    return "".join(f" {clock(s.t)}: " + w.f("s_resumed", t=clock(s.resumed)) + "."
                   for s in rec.nerve_stops if s.resumed is not None)


def summary(rec: Record, w: Words) -> str:
    holds = rec.holds
    n = {r: sum(1 for c in holds if c.reason == r) for r in ("fading", "limit", "worse")}
    return w.f("sum_points", n=len(holds), fading=n["fading"], limit=n["limit"],
               worse=n["worse"], other=len(holds) - sum(n.values()))


def referral(rec: Record, w: Words) -> str | None:
    """The referral line when nerve signs stopped the work; None: the therapist decides."""
    return (w.f("refer_nerve", times=_times(rec)) + _resumed(rec, w)) if rec.nerve_stops \
        else None


def sections(rec: Record, w: Words) -> dict:
    """The note's content, shared by Markdown and HTML."""
    _, rev, ans, home = lists(rec, w)
    return {"answers": ans, "reported": reported(rec, w), "revisit": rev, "homework": home,
            "summary": summary(rec, w), "referral": referral(rec, w)}


def markdown(log: Log) -> str:
    rec = read_record(log)
    w = Words(rec.language)
    c = sections(rec, w)
    out = [f"# {w['soap']}: {log.start.get('title') or log.protocol}", "",
           f"*{w['draft_note']}*", ""]
    out += [f"- **{k}:** {v}" for k, v in facts(rec, w)]
    out += ["", f"## {w['S']}", "", f"- **{w['complaint']}:** {BLANK}",
            f"- **{w['pain_before']}:** ____ **{w['pain_after']}:** ____",
            f"- **{c['answers'][0]}:**"] + [f"  - {a}" for a in c["answers"][1] or
                                              [f"({c['answers'][2]})"]]
    out += [f"- **{w['reported']}:** " + ("; ".join(c["reported"]) or w["none"])]
    out += ["", f"## {w['O']}", ""]
    for step, checks in by_step(rec):
        held = [f"{w['point'].lower()} {x.point} ({w[x.sensation] if x.sensation else '—'}, "
                f"{hold_text(x, w)}, {w.reason(x.reason) if x.held else w['r_cancel']})"
                for x in checks]
        out.append(f"- **{rec.title(step)}:** " + "; ".join(held))
    if not rec.checks:
        out.append(f"- {w['no_points']}")
    rows = safety_rows(rec, w)
    out.append(f"- **{w['safety']}:** " + ("; ".join(f"{r[0]} {r[1]}: {r[2]}" for r in rows)
                                           or w["no_safety"]))
    out += [f"- **{w['observations']}:** {BLANK}"]
    out += ["", f"## {w['A']}", "", f"- **{w['summary']}:** {c['summary']}"]
    if c["referral"]:
        out.append(f"- **{w['s_nerve']}.**")
    out += [f"- **{w['therapist_assessment']}:** {BLANK}"]
    out += ["", f"## {w['P']}", ""]
    for title, items, none in (c["revisit"], c["homework"]):
        out.append(f"- **{title}:**")
        out += [f"  - {i}" for i in items] or [f"  - ({none})"]
    out.append(f"- **{w['referral']}:** {c['referral'] or w['refer_none'] + '; ' + BLANK}")
    out += [f"- **{w['next_session']}:** {BLANK}", "", f"{w['signature']}: {BLANK}"]
    return "\n".join(out) + "\n"


def _blank(label: str, tall: bool = False) -> str:
    return (f'<div class="field"><div class="label">{e(label)}</div>'
            f'<div class="blank{" tall" if tall else ""}"></div></div>')


def _ul(items: list[str], none: str) -> str:
    if not items:
        return f'<p class="none">({e(none)})</p>'
    return "<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>"


def html_page(log: Log, paper: str | None = None) -> str:
    rec = read_record(log)
    w = Words(rec.language)
    c = sections(rec, w)
    title = f"{w['soap']}: {log.start.get('title') or log.protocol}"
    p = [f"<h1>{e(title)}</h1><p><em>{e(w['draft_note'])}</em></p><dl>"
         + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts(rec, w)) + "</dl>"]
    p.append(f"<h2>{e(w['S'])}</h2>" + _blank(w["complaint"], tall=True)
             + '<div class="pair">' + _blank(w["pain_before"]) + _blank(w["pain_after"])
             + "</div>"
             + f"<h3>{e(c['answers'][0])}</h3>" + _ul(c["answers"][1], c["answers"][2])
             + f"<h3>{e(w['reported'])}</h3>" + _ul(c["reported"], w["none"]))
    p.append(f"<h2>{e(w['O'])}</h2>")
    for step, checks in by_step(rec):
        p.append(f"<h3>{e(rec.title(step))}</h3>"
                 + html_table(point_head(w), [point_row(x, w) for x in checks], "points"))
    if not rec.checks:
        p.append(f"<p>{e(w['no_points'])}</p>")
    rows = safety_rows(rec, w)
    p.append(f"<h3>{e(w['safety'])}</h3>" + (
        html_table([w["time"], w["step"], w["event"], w["said"]], rows, "safety") if rows
        else f'<p class="none">({e(w["no_safety"])})</p>'))
    p.append(_blank(w["observations"], tall=True))
    p.append(f"<h2>{e(w['A'])}</h2><p><b>{e(w['summary'])}:</b> {e(c['summary'])}</p>"
             + (f"<p><b>{e(w['s_nerve'])}.</b></p>" if c["referral"] else "")
             + _blank(w["therapist_assessment"], tall=True))
    p.append(f"<h2>{e(w['P'])}</h2>")
    for title, items, none in (c["revisit"], c["homework"]):
        p.append(f"<h3>{e(title)}</h3>" + _ul(items, none))
    p.append(f"<h3>{e(w['referral'])}</h3>" + (
        f'<p class="referral"><b>{e(c["referral"])}</b></p>' if c["referral"]
        else f'<p class="none">{e(w["refer_none"])}</p>' + _blank("")))
    p.append(_blank(w["next_session"]) + _blank(w["signature"]))
    return page(title, rec.language, "".join(p), paper)
