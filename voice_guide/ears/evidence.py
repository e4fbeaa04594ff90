"""Weighing the evidence for a command: grammar pass, template witness, context and cost.

The grammar pass (a closed grammar over the acoustic model) names *some* phrasing for almost
any speech; the template witness (templates.py) says how close the utterance is to renderings
of each command by many voices; the older rules (listener.py: duration, coverage) say
whether it sounds like a phrasing alone or a sentence. They are weighed into one score, the
templates' distance (the mean over the command's two nearest templates) adjusted by the
other witnesses:

    score = distance - agree * [grammar names the same command, no sentence, not a loud room]
                     + outside * [... but the coverage rule heard speech outside it]
                     + other * [the same, around another phrasing than the templates']
                     + soon * [it follows other speech within ListenerConfig.min_gap]

and the templates' best command is taken when its score is under its threshold and the
next command is far enough behind (further when the grammar pass named another command).
The templates also hold what a therapist says to the client that sounds like a report
(`not_commands:` in the grammar, "is that tender"): when one of those is nearest, nothing is
taken, and a command must lead them as it leads another command.
Thresholds are per command: a command the current step expects (context, from the dialogue)
needs less evidence than one it does not, and a costly command needs more. A command that is
not active now cannot be acted on: where it is nearest by a little and the grammar pass
vouches for one that is active, it steps aside (`in_context`); so does a costly command its
own evidence refused (`aside`).

Costs by consequence (a wrong command is worse than a missed one; some are worse than others):

| cost | commands | why |
|---|---|---|
| 3 | numb, finish | numb stops the session and refers the client out; finish ends it |
| 2 | back | loses the step's progress |
| 1 | every other command | a wrong step or answer, easy to undo |
| 0.5 | stop, pause | cheap to act on: they only freeze everything until `resume` |

`numb` and `back` heard with evidence that is not strong are not dropped: the guide takes the
safe action and asks (`Verdict.confirm`): for numb it releases and freezes everything, then
asks "did you say numbness?"; for back it stays on the step and asks "did you say go back?".
Not strong means over its threshold (up to `weak` times it), or taken with the templates
alone over `strong` times it (when the grammar pass agrees, see `agrees`) or over `alone`
times it (when it does not: "it's softer" matched numb just under its threshold while the
grammar heard another phrasing, and stopped the work; a loud room among other talkers,
where the grammar's agreement counts for nothing, is treated the same); but not when both
witnesses name it with no other talkers around and the templates put it clearly first
(`strong`). `finish` needs no such band: the dialogue asks "end the session now?" whatever
the evidence.
Thresholds were chosen on the tune split (benchmarks/RESULTS-listen.md) and checked on the
report split.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from voice_guide.ears.templates import NOT_A_COMMAND, Match

COSTS: dict[str, float] = {"numb": 3.0, "finish": 3.0, "back": 2.0, "stop": 0.5, "pause": 0.5}
#: Threshold scale per cost: costly commands must be closer to their templates.
SCALE = {3.0: 0.8, 2.0: 0.9, 1.0: 1.0, 0.5: 1.15}
#: Verdict.evidence when the grammar pass vouches for the templates' best (`agrees`): both
#: witnesses heard it (session/pardon.py hints only then).
AGREED = "grammar+templates"
#: Commands asked back rather than dropped when the evidence is not strong.
CONFIRM = frozenset({"numb", "back"})


@dataclass(frozen=True)
class EvidenceConfig:
    accept: float = 0.18      # score a cost-1 command must beat
    neighbours: int = 2       # a command's distance: the mean over its this many nearest
                              # templates (Templates.ranked)
    agree: float = 0.09       # score bonus: the grammar pass agrees (`agrees`)
    outside: float = 0.10     # score penalty: speech outside the phrasing's words (coverage)
    other: float = 0.0        # ... around another phrasing than the templates' command
    soon: float = 0.03        # ... it follows other speech closely
    margin: float = 0.010     # lead over the runner-up command (cost 1)
    conflict: float = 0.04    # ... when the grammar pass named another command
    agreed: float = 0.003     # ... when it agrees
    expected: float = 1.15    # threshold x this for a command the step expects
    weak: float = 1.25        # numb, back over their threshold, up to x this: asked back
    strong: float = 1.05      # numb, back taken with the grammar's agreement: asked back
                              # when their templates alone are over their threshold x this
    alone: float = 0.9        # ... taken without it: the same, over threshold x this
    max_length: float = 2.0   # the templates do not judge longer speech (s)
    softness: float = 0.012   # score over which confidence falls from 0.73 to 0.27
    not_command: float = 0.0  # distance added to the not-a-command templates (a handicap)
    loud_room_db: float = 10.0  # among other talkers, under this many dB above the room,
                                # no agreement counts
    rivals: int = 6           # the grammar's margin is over the templates' this many best
    sure_margin: float = 0.8  # the grammar pass leads them by this much (Recognizer.margin)
    sure: float = 0.06        # ... then its command's template distance counts this less
    context: float = 0.05     # an inactive command this much nearer steps aside for an
                              # active one the grammar pass vouches for (`in_context`)


@dataclass(frozen=True)
class Witnesses:
    """What the listener's other passes said about one utterance."""

    grammar: str | None         # the grammar pass's command (None: no whole phrasing)
    rules_accept: bool = False  # the older rules let the grammar's command through
    outside: bool = False       # they refused it: speech outside the phrasing's words
    soon: bool = False          # it follows other speech closely
    reason: str | None = None   # why the older rules refused it
    loud: bool = False          # among other talkers, it stands out of the room by less
                                # than loud_room_db
    busy: bool = False          # other talkers in the room (Segmenter.crowded)
    margin: float | None = None  # how far the grammar's command leads its rivals (`rivals`)


@dataclass(frozen=True)
class Verdict:
    command: str | None
    confidence: float          # 0..1, 0.5 at the command's threshold
    evidence: str              # "grammar+templates" | "templates" | "grammar" | "none"
    reason: str | None = None  # why refused
    runner_up: str | None = None
    runner_up_confidence: float = 0.0
    confirm: bool = False      # weak evidence for a safety command: ask back


def cost(command: str) -> float:
    return COSTS.get(command, 1.0)


def threshold(command: str, expected: frozenset[str], cfg: EvidenceConfig) -> float:
    t = cfg.accept * SCALE[cost(command)]
    return t * cfg.expected if command in expected else t


def confidence(score: float, limit: float, cfg: EvidenceConfig) -> float:
    z = (limit - score) / cfg.softness
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def score(match: Match, w: Witnesses, cfg: EvidenceConfig) -> float:
    """A sentence around a phrasing ("is that tender" for "that's tender") sounds like the
    phrasing to both the grammar and the templates: when the older rules found more speech
    than the grammar's phrasing and the templates name the same command, that agreement is
    the sentence's, and costs. When they name another command, the older rules judged the
    grammar's wrong phrasing ("next" over a cue decoded as "numbness"): a little."""
    if not w.outside:
        penalty = 0.0
    elif w.grammar == match.command:
        penalty = cfg.outside
    else:
        penalty = cfg.other
    return match.distance - cfg.agree * agrees(match.command, w) + penalty + cfg.soon * w.soon


def agrees(command: str, w: Witnesses) -> bool:
    """Whether the grammar pass vouches for `command`: it names it, as a phrasing alone (no
    sentence around it), in a room the utterance stands out of. One meaning everywhere: it
    earns the score bonus, the smallest lead (`agreed`; not among other talkers, see `weigh`)
    and the `strong` band for numb and back. Among other talkers, under `loud_room_db` above
    the room, the grammar maps their words onto phrasings, so there it vouches for nothing.
    Music as loud does not (a quiet voice in music lost four commands to that rule and no
    error: benchmarks/RESULTS-listen.md).
    """
    return w.grammar == command and not (w.outside or w.loud)


def weigh(w: Witnesses, matches: Sequence[Match], *, length: float, active: frozenset[str],
          expected: frozenset[str], cfg: EvidenceConfig) -> Verdict:
    """The decision for one utterance; `matches` are the templates' best per command, best
    first (only those within warping reach, templates.Templates.distances; a listener
    without templates does not weigh)."""
    if length > cfg.max_length:
        return _grammar_only(w)
    if len(matches) < 2:
        # A lead over nothing is no evidence: a sound this short reaches only the templates
        # of the shortest phrasings (DTW warps at most twice), and a cut "pulse" was `no`.
        why = (f"only {matches[0].command!r} has templates within reach of its length"
               if matches else "no command's templates within reach of its length")
        return Verdict(None, 0.0, "none", _after_rules(w, why))
    matches = surer(handicapped(in_context(matches, w, active, cfg), cfg), w, expected, cfg)
    return _verdict(w, matches, active, expected, cfg)


def _verdict(w: Witnesses, matches: list[Match], active: frozenset[str],
             expected: frozenset[str], cfg: EvidenceConfig) -> Verdict:
    """`weigh`'s decision on the matches as the other witnesses moved them."""
    if matches[0].command == NOT_A_COMMAND:
        return _not_a_command(matches, w, expected, cfg)
    # The templates choose the candidate and the lead over the next command (or a question
    # to the client); the other witnesses move its score. A grammar pass naming another
    # command asks for a wider lead.
    best, second = matches[0], matches[1]
    value = score(best, w, cfg)
    lead = second.distance - best.distance
    agree = agrees(best.command, w)
    conflict = w.grammar is not None and w.grammar != best.command
    # Among other talkers the grammar's agreement does not shrink the lead: their words
    # make both witnesses lean the same wrong way ("pause" -> time at a lead of 0.126, but
    # "repeat" -> resume at 0.025: benchmarks/RESULTS-listen.md).
    need = cfg.agreed if agree and not w.busy else cfg.conflict if conflict else cfg.margin
    margin = need / SCALE[cost(best.command)]
    limit = threshold(best.command, expected, cfg)
    conf = confidence(value, limit, cfg)
    runner, runner_conf = _runner_up(matches[1:], w, expected, cfg)
    how = AGREED if agree else "templates"
    if best.command not in active:
        return Verdict(None, conf, how, f"{best.command!r} is not active now", runner,
                       runner_conf)
    if value <= limit and lead >= margin:
        unsure = best.command in CONFIRM and not strong(best, lead, w, limit, cfg)
        return Verdict(best.command, conf, how, None, runner, runner_conf, confirm=unsure)
    if best.command in CONFIRM and value <= limit * cfg.weak:
        return Verdict(best.command, conf, how, None, runner, runner_conf, confirm=True)
    if (rest := aside(matches, w, active, cfg)) is not None:
        return _verdict(w, rest, active, expected, cfg)
    why = f"templates: {best.command!r} scored {value:.3f} (needs {limit:.3f}), lead {lead:.3f}"
    if not w.reason and w.grammar and w.grammar != best.command:
        why = f"grammar heard {w.grammar!r}; {why}"
    return Verdict(None, conf, "none", _after_rules(w, why), runner, runner_conf)


def strong(best: Match, lead: float, w: Witnesses, limit: float, cfg: EvidenceConfig) -> bool:
    """Whether a safety command taken under its threshold is carried strongly enough to act
    on unasked. Either both witnesses name it, in a room with no other talkers that the
    utterance stands out of, and the templates lead by the ordinary margin; or the templates
    alone are within `strong` (grammar agreeing) or `alone` (not) times the threshold.
    Among other talkers two weak witnesses lean the same wrong way: "stays local" in babble
    was decoded "tingling" and matched numb at 0.190, and had stopped the work. Outside
    babble, on the tune split, every numb and back both witnesses named with that lead had
    been said, and 14 of them had been asked back (benchmarks/RESULTS-listen.md)."""
    agree = agrees(best.command, w)
    if agree and not w.busy and lead >= cfg.margin / SCALE[cost(best.command)]:
        return True
    return best.distance <= limit * (cfg.strong if agree else cfg.alone)


def could_take(matches: Sequence[Match], expected: frozenset[str], at: float,
               cfg: EvidenceConfig) -> bool:
    """Whether the templates' best could be taken at confidence `at` among other talkers,
    where nothing but the grammar's agreement moves its score down (`in_context` and `surer`
    are off there): the listener then asks the grammar pass. Refused without it: a question
    to the client nearest, or a lead over nothing."""
    matches = handicapped(matches, cfg)
    if len(matches) < 2 or matches[0].command == NOT_A_COMMAND:
        return False
    best = matches[0]
    limit = threshold(best.command, expected, cfg) - cfg.softness * math.log(at / (1.0 - at))
    return best.distance - cfg.agree <= limit


def in_context(matches: Sequence[Match], w: Witnesses, active: frozenset[str],
               cfg: EvidenceConfig) -> list[Match]:
    """The matches with the commands that do not fit the moment set aside where they stand
    nearer than one that does, when the grammar pass vouches for that one (`agrees`) and it is
    at most `context` further: a command that is not active cannot be acted on, and the two
    witnesses together favour one that can. In music a clear "next" at the first step was
    nearest "no" (0.139), then "yes", then "next" (0.160); refused three times as "not
    active", the session never left its first step (benchmarks/RESULTS-listen.md). The
    inactive commands stay in the ranking otherwise, so speech nearest them is still refused,
    not forced onto the few active ones; the not-a-command templates are never set aside.
    Not among other talkers (their words make both witnesses lean the same wrong way), and
    not for a costly command, which its templates must carry."""
    best = matches[0] if matches else None
    if best is None or best.command in active or best.command == NOT_A_COMMAND:
        return list(matches)
    own = vouched(matches, w, active, cfg)
    if own is None:
        return list(matches)
    kept = [m for m in matches if m.command in active or m.command == NOT_A_COMMAND
            or m.distance >= own.distance]
    return kept if len(kept) >= 2 else list(matches)  # a lead over nothing is no evidence


def aside(matches: Sequence[Match], w: Witnesses, active: frozenset[str],
          cfg: EvidenceConfig) -> list[Match] | None:
    """The matches without their best, a costly command its own evidence could not carry,
    where the grammar pass vouches for an active cost-1 command at most `context` further
    (None: it does not step aside). A costly command is held to a higher bar, so the command
    just behind it loses to one that cannot be taken either: "fading" nearest the finish
    templates (0.089 against 0.101), heard "fading" by the grammar pass, was refused. As a
    command that is not active (`in_context`), and not among other talkers."""
    best = matches[0]
    if cost(best.command) <= 1.0 or vouched(matches, w, active, cfg) is None:
        return None
    rest = [m for m in matches if m.command != best.command]
    return rest if len(rest) >= 2 else None  # a lead over nothing is no evidence


def vouched(matches: Sequence[Match], w: Witnesses, active: frozenset[str],
            cfg: EvidenceConfig) -> Match | None:
    """The templates' match for the command the grammar pass vouches for (`agrees`), where
    the templates' best may step aside for it (`in_context`, `aside`): another command,
    active and of cost 1 or less, at most `context` behind the best, not among other
    talkers (their words make both witnesses lean the same wrong way)."""
    g = w.grammar
    if (w.busy or g is None or g == matches[0].command or g not in active or cost(g) > 1.0
            or not agrees(g, w)):
        return None
    own = next((m for m in matches if m.command == g), None)
    if own is None or own.distance - matches[0].distance > cfg.context:
        return None
    return own


def handicapped(matches: Sequence[Match], cfg: EvidenceConfig) -> list[Match]:
    """The matches with the not-a-command templates' handicap added, best first again."""
    if not cfg.not_command:
        return list(matches)
    return moved(matches, NOT_A_COMMAND, cfg.not_command)


def moved(matches: Sequence[Match], command: str, by: float) -> list[Match]:
    """The matches with `command`'s distance moved by `by`, best first again."""
    out = [replace(m, distance=m.distance + by) if m.command == command else m for m in matches]
    return sorted(out, key=lambda m: m.distance)


def sure_matters(w: Witnesses, matches: Sequence[Match], *, length: float,
                 active: frozenset[str], expected: frozenset[str], cfg: EvidenceConfig) -> bool:
    """Whether the grammar pass's margin could change the verdict: it costs a small decode
    per rival (PocketSphinx: p95 live 235 -> 327-344 ms in clean speech when always asked,
    benchmarks/RESULTS-listen.md). A margin either reaches `sure_margin` or counts for
    nothing, so if a sure one changes nothing, none does."""
    if w.grammar is None:
        return False
    unsure = weigh(w, matches, length=length, active=active, expected=expected, cfg=cfg)
    sure = weigh(replace(w, margin=math.inf), matches, length=length, active=active,
                 expected=expected, cfg=cfg)
    return (unsure.command, unsure.confirm) != (sure.command, sure.confirm)


def rivals(grammar: str, matches: Sequence[Match], cfg: EvidenceConfig) -> tuple[str, ...]:
    """The commands the grammar's margin is taken over: the templates' best but its own."""
    return tuple(m.command for m in matches
                 if m.command not in (grammar, NOT_A_COMMAND))[:cfg.rivals]


def surer(matches: list[Match], w: Witnesses, expected: frozenset[str],
          cfg: EvidenceConfig) -> list[Match]:
    """The matches with the grammar's command moved closer when the grammar pass is sure of
    it: its best path leads the best through each of its rivals by `sure_margin`. The grammar
    pass names some phrasing for any speech, but how far it leads says how sure it is: on the
    tune split the lead was 0.8-0.9 at the median where it named the right command, -0.1 to
    -0.3 where it named a wrong one, and 0.0 for chatter (benchmarks/RESULTS-listen.md).
    Not when a question to the client is nearest (that refusal stands), nor against another
    command the templates alone carry (a clear "pause" at 0.095, decoded "pulse")."""
    if w.margin is None or w.margin < cfg.sure_margin or w.grammar is None:
        return matches
    best = matches[0]
    if best.command == NOT_A_COMMAND or (best.command != w.grammar and best.distance
                                         <= threshold(best.command, expected, cfg)):
        return matches
    return moved(matches, w.grammar, -cfg.sure)


def _runner_up(rest: Sequence[Match], w: Witnesses, expected: frozenset[str],
               cfg: EvidenceConfig) -> tuple[str | None, float]:
    """The closest other command and its confidence (what `listen --json` shows)."""
    other = next((m for m in rest if m.command != NOT_A_COMMAND), None)
    if other is None:
        return None, 0.0
    return other.command, confidence(score(other, w, cfg),
                                     threshold(other.command, expected, cfg), cfg)


def _not_a_command(matches: Sequence[Match], w: Witnesses, expected: frozenset[str],
                   cfg: EvidenceConfig) -> Verdict:
    """The templates heard a question to the client ("is that tender"), not a report."""
    runner, runner_conf = _runner_up(matches[1:], w, expected, cfg)
    why = f"templates: sounds like {matches[0].phrase!r} (not a command)"
    return Verdict(None, 0.0, "templates", _after_rules(w, why), runner, runner_conf)


def _after_rules(w: Witnesses, why: str) -> str:
    """A refusal's reason: the older rules' reason first, when they had one."""
    return f"{w.reason}; {why}" if w.reason else why


def _grammar_only(w: Witnesses) -> Verdict:
    """Speech too long for the templates to judge: the grammar pass and the older rules
    decide, and a safety command is asked back."""
    if w.grammar is None or not w.rules_accept:
        return Verdict(None, 0.0, "none", w.reason)
    return Verdict(w.grammar, 0.5, "grammar", confirm=w.grammar in CONFIRM)
