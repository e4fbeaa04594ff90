"""The session timeline as an inline SVG: steps as bands, holds as bars, pauses shaded.

Written by hand (no plotting library, no fonts or scripts from anywhere) so the HTML report is
one self-contained file that opens offline and prints on one page.
"""

from __future__ import annotations

import html

from voice_guide.record.reader import Log
from voice_guide.report.text import clock

W, LEFT, RIGHT = 900, 70, 20
ROW_STEP, ROW_HOLD, AXIS = 30, 80, 122
HEIGHT = 165
CHECK_STATES = ("tp_refers", "tp_hold", "confirm_finish")
REASON_COLOR = {"fading": "#3a9d5d", "limit": "#e08a1e", "worse": "#d0342c"}
BAND_COLORS = ("#dbe7f3", "#c4d7ea")
NICE = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def step_spans(log: Log) -> list[tuple[str, float, float]]:
    """(step, start, end) per visit of a step; the trigger-point check stays in its step."""
    spans: list[list] = []
    for e in log.of("state"):
        s, t = e.get("state"), float(e["t"])
        if s in CHECK_STATES or (spans and spans[-1][0] == s):
            continue
        if spans:
            spans[-1][2] = t
        if s != "end":
            spans.append([s, t, None])
    if spans and spans[-1][2] is None:
        spans[-1][2] = log.last_t
    return [(s, a, b) for s, a, b in spans]


def pauses(log: Log) -> list[tuple[float, float]]:
    out, since = [], None
    for e in log.of("heard", "session_resume"):
        cmd = e.get("command")
        if cmd in ("pause", "stop") and since is None:
            since = float(e["t"])
        elif cmd in ("resume", "finish") and since is not None:
            out.append((since, float(e["t"])))
            since = None
    return out + ([(since, log.last_t)] if since is not None else [])


def _ticks(duration: float) -> list[float]:
    step = next((n for n in NICE if duration / n <= 10), 3600)
    return [i * step for i in range(int(duration // step) + 1)]


_label = clock


def timeline_svg(rec, w) -> str:
    """`rec`: a report_data.Record (its log, step titles and holds); `w`: its Words."""
    log = rec.log
    total = max(log.last_t, 1.0)

    def x(t: float) -> float:
        return LEFT + (W - LEFT - RIGHT) * min(max(t, 0.0), total) / total

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {HEIGHT}" role="img" '
           f'aria-label="{html.escape(w["timeline"])}" font-family="sans-serif" font-size="11">',
           f'<text x="4" y="{ROW_STEP + 15}">{html.escape(w["steps_label"])}</text>',
           f'<text x="4" y="{ROW_HOLD + 15}">{html.escape(w["holds_label"])}</text>']
    for i, (s, a, b) in enumerate(step_spans(log)):
        tip = f"{_label(a)}–{_label(b)}"
        out.append(_band(x(a), x(b), rec.title(s), BAND_COLORS[i % 2], ROW_STEP, 22, tip))
    for p in rec.holds:
        lasted = p.duration if p.duration is not None else (p.alive or 0.0)
        color = REASON_COLOR.get(p.reason, "#777")
        tip = f"{p.point}: {w[p.sensation] if p.sensation in ('refers', 'local') else ''}, " \
              f"{w.secs(lasted)}, {w.reason(p.reason)}"
        out.append(_band(x(p.hold_t), x(p.hold_t + lasted), str(p.point), color, ROW_HOLD, 22,
                         tip, fg="#fff"))
    for a, b in pauses(log):
        out.append(f'<rect x="{x(a):.1f}" y="{ROW_STEP - 6}" width="{max(x(b) - x(a), 1):.1f}" '
                   f'height="{AXIS - ROW_STEP + 6}" fill="#999" opacity="0.25"><title>'
                   f'{html.escape(w["paused"])} {_label(a)}–{_label(b)}</title></rect>')
    for s in rec.safety:
        xs = x(s.t)
        out.append(f'<g><title>{html.escape(clock(s.t) + " " + s.said)}</title>'
                   f'<path d="M{xs:.1f} {ROW_HOLD - 10} l-5 -9 h10 z" fill="#d0342c"/></g>')
    for e in log.of("session_resume"):
        xr = x(float(e["t"]))
        out.append(f'<line x1="{xr:.1f}" y1="{ROW_STEP - 8}" x2="{xr:.1f}" y2="{AXIS}" '
                   f'stroke="#000" stroke-dasharray="3 3"><title>{html.escape(w["resumed_here"])}'
                   f'</title></line>')
    out += _axis(total, x) + _legend(w)
    out.append("</svg>")
    return "".join(out)


def _band(x0: float, x1: float, text: str, fill: str, y: int, h: int, tip: str,
          fg: str = "#222") -> str:
    w = max(x1 - x0, 2.0)
    label = html.escape(text)
    shown = (f'<text x="{x0 + 3:.1f}" y="{y + 15}" fill="{fg}">{label}</text>'
             if w >= 7 * len(text) + 6 else "")
    return (f'<g><title>{label}: {html.escape(tip)}</title><rect x="{x0:.1f}" y="{y}" '
            f'width="{w:.1f}" height="{h}" fill="{fill}" stroke="#fff"/>{shown}</g>')


def _legend(w) -> list[str]:
    items = [(w["r_fading"], REASON_COLOR["fading"]), (w["r_limit"], REASON_COLOR["limit"]),
             (w["r_worse"], REASON_COLOR["worse"]), (w["other"], "#777"), (w["paused"], "#bbb")]
    out, x0 = [], LEFT
    for name, color in items:
        out.append(f'<rect x="{x0}" y="{HEIGHT - 11}" width="10" height="10" fill="{color}"/>'
                   f'<text x="{x0 + 14}" y="{HEIGHT - 2}">{html.escape(name)}</text>')
        x0 += 24 + 7 * len(name) + (5 * len(name) if w.lang == "ko" else 0)
    out.append(f'<path d="M{x0 + 5} {HEIGHT - 2} l-5 -9 h10 z" fill="#d0342c"/>'
               f'<text x="{x0 + 14}" y="{HEIGHT - 2}">{html.escape(w["safety"])}</text>')
    x0 += 24 + 7 * len(w["safety"]) + (5 * len(w["safety"]) if w.lang == "ko" else 0)
    out.append(f'<text x="{x0}" y="{HEIGHT - 2}">- - - {html.escape(w["resumed_here"])}</text>')
    return out


def _axis(total: float, x) -> list[str]:
    out = [f'<line x1="{LEFT}" y1="{AXIS}" x2="{W - RIGHT}" y2="{AXIS}" stroke="#444"/>']
    for t in _ticks(total):
        out.append(f'<line x1="{x(t):.1f}" y1="{AXIS}" x2="{x(t):.1f}" y2="{AXIS + 4}" '
                   f'stroke="#444"/><text x="{x(t):.1f}" y="{AXIS + 16}" '
                   f'text-anchor="middle">{_label(t)}</text>')
    return out
