"""Listening benchmark: accuracy, chatter false accepts, latency and CPU per condition.

    .venv/bin/python -m benchmarks.listen [--quick] [--split report] [--engine pocketsphinx]

Prints a markdown table. Time is audio time: latency = decision time - end of the last word.
That leaves out the time the listener computes, so "p95 live" replays the stream as a live
session hears it: audio arrives in the session's microphone blocks (20 ms) at real-time pace,
each `feed` call starts when its block has arrived and the calls before it are done, and a
decision is out when the call that made it returns (one core; wall times measured here).
RTF = CPU seconds (this process) / audio seconds, with the whole Listener (VAD + decoding).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from benchmarks import corpus
from benchmarks.contexts import Context, contexts, placed
from voice_guide.audio.mic import BLOCK
from voice_guide.ears import recognizer as recognizers
from voice_guide.ears.denoise import DenoiseConfig
from voice_guide.ears.listener import Decision, Listener, ListenerConfig
from voice_guide.ears.segmenter import SegmenterConfig
from voice_guide.ears.templates import Templates
from voice_guide.session.pardon import AGAIN, Pardons

CHUNK = int(corpus.RATE * BLOCK)  # the session's microphone blocks (20 ms)
WHOLE = 0.35  # s: a segment within this of both ends of a command cut it whole


@dataclass
class Score:
    commands: int = 0
    correct: int = 0
    substituted: int = 0
    chatter: int = 0
    false_accepts: int = 0
    spurious: int = 0        # accepted where nobody said anything (noise, babble)
    whole: int = 0           # commands the segmenter cut whole (both ends within 0.35 s)
    asked: int = 0           # weak numb: the guide froze and asked "did you say numbness?"
    again: int = 0           # "pardon?" after a command that was missed (session/pardon.py)
    again_else: int = 0      # ... after chatter, nothing, or a command already heard
    confusions: dict[tuple[str, str], int] = field(default_factory=dict)  # (said, heard)
    latencies: list[float] = field(default_factory=list)
    live: list[float] = field(default_factory=list)  # latency as a live session has it (run())
    audio: float = 0.0
    cpu: float = 0.0
    errors: list[str] = field(default_factory=list)
    #: per voice, commands right and said: a voice far below the others shows at once (flite
    #: in babble, when the corpus did not level its lines: benchmarks/RESULTS-listen.md)
    voices: dict[str, list[int]] = field(default_factory=dict)

    def by_voice(self) -> str:
        return "by voice: " + ", ".join(f"{v} {r}/{n}" for v, (r, n) in sorted(self.voices.items()))

    def row(self, name: str, engine: str) -> str:
        lat = np.array(self.latencies) * 1000 if self.latencies else np.array([np.nan])
        live = np.array(self.live) * 1000 if self.live else np.array([np.nan])
        acc = 100 * self.correct / max(1, self.commands)
        fa = 100 * self.false_accepts / max(1, self.chatter)
        pairs = ", ".join(f"{a}→{b}" + (f" ×{n}" if n > 1 else "")
                          for (a, b), n in sorted(self.confusions.items()))
        return (f"| {engine} | {name} | {self.commands} | {acc:.1f} % | {self.substituted} | "
                f"{self.false_accepts}/{self.chatter} ({fa:.1f} %) | {self.spurious} | "
                f"{self.asked} | {self.again} / {self.again_else} | "
                f"{100 * self.whole / max(1, self.commands):.0f} % | "
                f"{np.median(lat):.0f} | {np.percentile(lat, 95):.0f} | "
                f"{np.percentile(live, 95):.0f} | "
                f"{self.cpu / max(self.audio, 1e-9):.3f} | {pairs or '–'} |")


HEADER = ("| engine | condition | commands | accuracy | substitutions | chatter false accepts | "
          "spurious | asked back | asked again (missed / else) | cut whole | latency median (ms) | "
          "latency p95 (ms) | p95 live (ms) | RTF | confusions (said→heard) |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def run(listener: Listener, pcm: np.ndarray, heard: list[float] | None = None,
        context: Sequence[tuple[float, Context]] = (),
        actives: list[frozenset[str]] | None = None) -> tuple[list[Decision], float]:
    """Feed a stream in CHUNK blocks; return decisions and CPU seconds used. `heard` gets, per
    decision, the audio time a live session has it: a block arrives when its last sample is
    spoken, waits for the calls before it, and its decisions are out when its call returns.
    `context`: (audio time, what the dialogue listens for from then on), in time order, as a
    session sets it (`--context`); `actives` gets, per decision, the commands active then."""
    out: list[Decision] = []
    cpu = time.process_time()
    free = 0.0  # audio time when the listener is done with the blocks so far
    todo = list(context)
    for i in range(0, len(pcm) + CHUNK, CHUNK):
        while todo and todo[0][0] * corpus.RATE <= i:
            listener.set_active(todo[0][1].active, todo[0][1].expected)
            todo.pop(0)
        began = time.perf_counter()
        got = listener.feed(pcm[i:i + CHUNK]) if i < len(pcm) else listener.flush()
        free = max(free, min(i + CHUNK, len(pcm)) / corpus.RATE) + time.perf_counter() - began
        out += got
        if heard is not None:
            heard += [free] * len(got)
        if actives is not None:
            actives += [listener.active] * len(got)
    return out, time.process_time() - cpu


def score(items: list[corpus.Item], decisions: list[Decision], audio: float, cpu: float,
          heard: list[float] | None = None,
          actives: Sequence[Collection[str]] | None = None) -> Score:
    """Match each accepted decision to the item it overlaps; first accept per item counts.
    `heard`: run()'s live time per decision (without it, the decision's own time).
    `actives`: per decision, the commands a session would ask again about ("pardon?",
    `asked_again`; run() records them); without them, none is asked about."""
    s = Score(audio=audio, cpu=cpu)
    out = {id(d): t for d, t in zip(decisions, heard or [], strict=False)}
    taken: dict[int, Decision] = {}
    why: dict[int, str] = {}  # the first rejection overlapping an item: why it was missed
    for d in decisions:
        k = item_at(items, d)
        if getattr(d, "confirm", False):  # not acted on as said: the guide asks back
            s.asked += 1
            s.errors.append(f"asked back about {d.command} at {d.start:.1f}")
            if k is not None:
                why.setdefault(k, f"'{d.text}': asked back (weak evidence for {d.command})")
            continue
        if d.command is None:
            if k is not None:
                why.setdefault(k, f"'{d.text}': {d.reason}")
            continue
        if k is None or k in taken:
            s.spurious += 1
            s.errors.append(f"spurious {d.command} '{d.text}' at {d.start:.1f}")
        else:
            taken[k] = d
    for k, item in enumerate(items):
        got = taken.get(k)
        if item.kind == "chatter":
            s.chatter += 1
            if got:
                s.false_accepts += 1
                s.errors.append(f"chatter '{item.text}' ({item.voice}) -> {got.command}"
                                f" [{why_heard(got)}]")
            continue
        s.commands += 1
        tally = s.voices.setdefault(item.voice, [0, 0])
        tally[1] += 1
        s.whole += any(abs(x.start - item.start) < WHOLE and abs(x.end - item.end) < WHOLE
                       for x in decisions)
        if got and got.command == item.command:
            s.correct += 1
            tally[0] += 1
            s.latencies.append(got.t - item.end)
            s.live.append(out.get(id(got), got.t) - item.end)
        elif got:
            s.substituted += 1
            pair = (str(item.command), str(got.command))
            s.confusions[pair] = s.confusions.get(pair, 0) + 1
            s.errors.append(f"'{item.text}' ({item.voice},{item.rate}) -> {got.command}"
                            f" [{why_heard(got)}]")
        else:
            s.errors.append(f"missed '{item.text}' ({item.voice},{item.rate})"
                            f" [{why.get(k, 'no utterance')}]")
    for d, k in asked_again(items, decisions, actives or [()] * len(decisions)):
        if k is not None and items[k].kind == "command" and k not in taken:
            s.again += 1
        else:
            s.again_else += 1
            what = "nothing" if k is None else f"{items[k].kind} '{items[k].text}'"
            s.errors.append(f"asked again at {d.start:.1f} after {what} (heard '{d.text}')")
    return s


def asked_again(items: list[corpus.Item], decisions: list[Decision],
                actives: Sequence[Collection[str]]) -> list[tuple[Decision, int | None]]:
    """The refused decisions a session asks again about ("pardon?", session/pardon.py), with
    the item each overlaps (no guide's voice here to keep clear of); `actives`: the commands
    active at each decision."""
    pardons, out = Pardons(), []
    for d, active in zip(decisions, actives, strict=True):
        if d.command is not None:
            pardons.heard(d)
        elif pardons.reply(d, active) == AGAIN:
            out.append((d, item_at(items, d)))
    return out


def why_heard(d: Decision) -> str:
    """What decided an accepted command: the evidence, the grammar's text, the templates' best."""
    best = ", ".join(f"{m.command} {m.distance:.3f}" for m in d.matches)
    return f"{d.evidence}: grammar '{d.text}', confidence {d.confidence}, templates {best}"


def item_at(items: list[corpus.Item], d: Decision) -> int | None:
    best, overlap = None, 0.0
    for k, it in enumerate(items):
        o = min(d.end, it.end + 0.3) - max(d.start, it.start - 0.3)
        if o > overlap:
            best, overlap = k, o
    return best


def templates_for(lang: str, split: str, use: bool) -> Templates | None:
    """The shipped templates less every voice the split scores (and always less the report
    voices): no utterance is ever matched against its own voice's templates."""
    if not use:
        return None
    held_out = corpus.VOICES[lang]["report"] + (corpus.VOICES[lang]["tune"]
                                                 if split == "tune" else [])
    return Templates.load(lang).without_voices(held_out)


#: Tuning options that set an EvidenceConfig field as given:
#: option -> (field, type, metavar, what it does).
EVIDENCE_FLAGS: dict[str, tuple[str, type, str, str]] = {
    "not_command": ("not_command", float, "D", "distance added to the not-a-command templates"),
    "loud_room": ("loud_room_db", float, "DB",
                  "among other talkers, under this stand-out from the room, no agreement"),
    "accept": ("accept", float, "D", "the score a cost-1 command must beat"),
    "neighbours": ("neighbours", int, "K",
                   "a command's template distance is the mean over its K nearest"),
    "agree": ("agree", float, "D", "the score bonus when the grammar pass agrees"),
    "soon": ("soon", float, "D", "the score penalty for following other speech closely"),
    "outside": ("outside", float, "D",
                "the score penalty for speech outside the phrasing's words"),
    "margin": ("margin", float, "D", "the lead a cost-1 command needs over the next one"),
    "conflict": ("conflict", float, "D",
                 "the lead needed when the grammar pass named another command"),
    "alone": ("alone", float, "X",
              "numb, back carried by the templates alone are asked back over their "
              "threshold x X"),
    "strong": ("strong", float, "X",
               "numb, back taken with the grammar's agreement are asked back when their "
               "templates are over their threshold x X"),
    "sure_margin": ("sure_margin", float, "M",
                    "the grammar pass is sure when its best path leads its rivals' by M"),
    "sure": ("sure", float, "D", "its command's template distance then counts D less"),
}


def off_below_zero(value: float | None) -> float | None:
    """A tuning flag's value, where a negative one (-1) switches the setting off (None)."""
    return value if value is not None and value >= 0 else None


def listener_for(rec, lang: str, args, templates: Templates | None = None) -> Listener:
    seg = SegmenterConfig(hangover=args.hangover, postroll=args.postroll,
                          use_vad=args.vad in ("both", "silero"),
                          use_energy=args.vad in ("both", "energy"),
                          hold_margin_db=args.hold_margin,
                          tail_db=off_below_zero(args.tail),
                          hold_vad_threshold=args.hold_vad,
                          vad_reset_after=args.vad_reset if args.vad_reset > 0 else None,
                          wake_db=off_below_zero(args.wake),
                          early_db=off_below_zero(args.early))
    cfg = ListenerConfig.for_lang(lang)
    if args.min_words is not None:
        cfg = replace(cfg, min_words=args.min_words, extra_words=args.extra_words)
    if args.room_margin is not None:
        cfg = replace(cfg, room_margin_db=off_below_zero(args.room_margin))
    if args.max_uncovered is not None:
        cfg = replace(cfg, max_uncovered=off_below_zero(args.max_uncovered))
    if args.uncovered_room is not None:
        cfg = replace(cfg, uncovered_room_db=args.uncovered_room)
    if args.denoise:
        over, floor = (float(v) for v in args.denoise.split(","))
        cfg = replace(cfg, denoise=DenoiseConfig(over=over, floor=floor))
    if args.min_gap_templates is not None:
        cfg = replace(cfg, min_gap_templates=args.min_gap_templates)
    if args.min_gap_busy is not None:
        cfg = replace(cfg, min_gap_busy=args.min_gap_busy)
    given = {field: getattr(args, flag) for flag, (field, *_) in EVIDENCE_FLAGS.items()
             if getattr(args, flag) is not None}
    cfg = replace(cfg, evidence=replace(cfg.evidence, **given), ahead=not args.no_ahead)
    if args.ahead_busy is not None:
        cfg = replace(cfg, ahead_busy_db=args.ahead_busy)
    if args.early_confidence is not None:
        cfg = replace(cfg, early_confidence=args.early_confidence)
    return Listener(rec, lang=lang, config=cfg, segmenter=seg, templates=templates)


def engines(args) -> list[tuple[str, str]]:
    """(engine, lang) pairs: English on PocketSphinx, Korean on Vosk, English Vosk if found."""
    pairs = []
    if args.engine in ("all", "pocketsphinx"):
        pairs.append(("pocketsphinx", "en"))
    if args.engine in ("all", "vosk"):
        if recognizers.find_vosk_model(None, "en")[0] is not None:
            pairs.append(("vosk", "en"))
        pairs.append(("vosk", "ko"))
    return pairs


def default_seed(split: str) -> int:
    """The corpus seed of a split's streams (the numbers in RESULTS-listen.md use these)."""
    return 11 if split == "tune" else 2024


def parser() -> argparse.ArgumentParser:
    """This benchmark's options; other benchmarks take the listener's tuning defaults here."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="one phrasing round, two conditions")
    p.add_argument("--split", choices=["tune", "report"], default="report")
    p.add_argument("--engine", choices=["all", "pocketsphinx", "vosk"], default="all")
    p.add_argument("--conditions", default=",".join(corpus.STANDARD))
    p.add_argument("--reps", type=int, default=2, help="rounds of every phrasing per stream")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--vad", choices=["both", "silero", "energy"], default="both")
    p.add_argument("--hangover", type=float, default=SegmenterConfig.hangover)
    p.add_argument("--postroll", type=float, default=SegmenterConfig.postroll,
                   help="tuning: audio kept after the last speech frame (s); the listener "
                        "hears an utterance ahead of its close once that much is in")
    p.add_argument("--hold-margin", type=float, default=SegmenterConfig.hold_margin_db,
                   help="tuning: dB above the busy room's floor that keeps an utterance open")
    p.add_argument("--tail", type=float, default=SegmenterConfig.tail_db, metavar="DB",
                   help="tuning: dB above the energy floor that keeps an utterance open in a "
                        "room that is not busy (-1: the VAD alone)")
    p.add_argument("--min-words", type=int, default=None, help="tuning: chatter word rule")
    p.add_argument("--extra-words", type=int, default=0)
    p.add_argument("--room-margin", type=float, default=None,
                   help="tuning: dB a command must stand above the room (-1: off)")
    p.add_argument("--max-uncovered", type=float, default=None,
                   help="tuning: seconds of speech outside the command words (-1: off)")
    p.add_argument("--uncovered-room", type=float, default=None,
                   help="tuning: dB above the room that counts as speech for that rule")
    p.add_argument("--no-templates", action="store_true",
                   help="the listener without the template witness (the earlier listener)")
    p.add_argument("--denoise", default=None, metavar="OVER,FLOOR",
                   help="tuning: spectral subtraction before the templates (e.g. 2,0.05)")
    p.add_argument("--min-gap-templates", type=float, default=None, metavar="S",
                   help="tuning: a shorter gap after other speech is refused outright")
    p.add_argument("--min-gap-busy", type=float, default=None, metavar="S",
                   help="tuning: the same among other talkers")
    p.add_argument("--hold-vad", type=float, default=SegmenterConfig.hold_vad_threshold,
                   metavar="P", help="tuning: VAD probability that keeps an utterance open")
    p.add_argument("--vad-reset", type=float, default=SegmenterConfig.vad_reset_after or 0.0,
                   metavar="S", help="tuning: VAD state reset after S s of silence (0: never)")
    for flag, (_, kind, metavar, text) in EVIDENCE_FLAGS.items():
        p.add_argument("--" + flag.replace("_", "-"), type=kind, default=None, metavar=metavar,
                       help="tuning: " + text)
    p.add_argument("--no-ahead", action="store_true",
                   help="decode an utterance only once it has closed (ears/ahead.py)")
    p.add_argument("--ahead-busy", type=float, default=None, metavar="DB",
                   help="tuning: in a busy room, hear ahead only what stands this far out of it")
    p.add_argument("--context", action="store_true",
                   help="hear each line where a session would (benchmarks/contexts.py): a "
                        "command where the dialogue expects it, not with every command active")
    p.add_argument("--wake", type=float, default=SegmenterConfig.wake_db, metavar="DB",
                   help="tuning: a fresh VAD state for a loud frame it calls silence, this "
                        "far above the floor (-1: never; segmenter.py)")
    p.add_argument("--early", type=float, default=SegmenterConfig.early_db, metavar="DB",
                   help="tuning: among other talkers, hear an open utterance where it stays "
                        "under this many dB over the floor (-1: never; segmenter.py)")
    p.add_argument("--early-confidence", type=float, default=None, metavar="P",
                   help="tuning: ... and take a command there at this confidence")
    p.add_argument("--errors", action="store_true", help="list every error")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    conds = args.conditions.split(",")
    reps = 1 if args.quick else args.reps
    if args.quick and args.conditions == p.get_default("conditions"):
        conds = ["clean", "babble"]
    seed = args.seed if args.seed is not None else default_seed(args.split)
    print(HEADER)
    for engine, lang in engines(args):
        rec = recognizers.create(engine, lang=lang, announce=False)
        templates = templates_for(lang, args.split, not args.no_templates)
        points = contexts(lang) if args.context else []
        for stream in corpus.streams(rec.grammar, lang, args.split, conds, seed, reps):
            heard: list[float] = []
            actives: list[frozenset[str]] = []
            context = placed(stream.items, points, seed) if points else []
            decisions, cpu = run(listener_for(rec, lang, args, templates), stream.pcm, heard,
                                 context, actives)
            s = score(stream.items, decisions, len(stream.pcm) / corpus.RATE, cpu, heard,
                      actives=actives)
            print(s.row(f"{stream.name} ({lang})", engine), flush=True)
            if args.errors:
                print("\n".join(f"    {e}" for e in [s.by_voice(), *s.errors]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
