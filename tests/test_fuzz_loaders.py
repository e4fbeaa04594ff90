"""Property-based fuzzing of every loader a user's file goes through: a file either loads or
gives one UserError line; no other exception (a traceback) is allowed.

Inputs are valid documents with one part replaced by something random (a wrong type, an
unknown key, a missing target, a huge number), and raw text made of YAML's own punctuation.
The budget is fixed (MAX_EXAMPLES a loader, derandomized), so CI runs are repeatable.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from voice_guide.ears import grammar
from voice_guide.errors import UserError
from voice_guide.protocol.loader import load_protocol
from voice_guide.record.reader import read_log
from voice_guide.runners.simulate.script import load_script
from voice_guide.settings import load_settings

MAX_EXAMPLES = 200
FUZZ = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
FOLDER = Path(tempfile.mkdtemp(prefix="vg-fuzz-"))

PROTOCOL = {
    "id": "fuzz", "title": "Fuzz", "start": "a",
    "parameters": {"hold_limit": 12, "hold_calls": [4, 8], "reprompt_after": 60,
                   "duration": {"limit": 600, "call_every": 60}},
    "safety": {"pulse": {"in": ["locating"], "say": "Move lateral."}},
    "steps": {
        "a": {"kind": "locating", "cue": "Find it.", "on": {"located": "b", "next": {"to": "b"}}},
        "b": {"kind": "treatment", "cue": "Work.", "reps": {"min": 2, "max": 3, "lift": 2},
              "timers": [{"after": 30, "say": "Half a minute."}], "on": {"next": "c"}},
        "c": {"kind": "finish", "cue": "Done.", "end": True},
    },
}
SCRIPT = {"protocol": "psoas", "engine": "pocketsphinx", "noise": {"kind": "pink", "snr_db": 20},
          "echo_db": -6, "seed": 1,
          "turns": [{"say": "next", "after_cue": 1.0}, {"silence": 2}, {"say": "located", "at": 9}]}
GRAMMAR = {"language": "en", "commands": {"next": ["next", "okay next"], "stop": ["stop"]}}
SETTINGS = {"voice": "en-us", "rate": 165, "volume": 0.8, "language": "en",
            "input_device": None, "output_device": "2"}

WORDS = st.sampled_from(["a", "b", "c", "end", "next", "located", "pulse", "on", "to", "say",
                         "cue", "kind", "steps", "turns", "commands", "yes", "no", "", "x y"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=True, allow_infinity=True), WORDS,
                    st.text(max_size=12))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.one_of(WORDS, st.integers()), inner,
                                                 max_size=3)), max_leaves=6)
#: YAML's punctuation and structure, for text that is not even a document.
YAML_TEXT = st.text(alphabet=st.sampled_from(list("ab:- \n\t{}[],&*!|>'\"#%@`?0.9\\\x00é한")),
                    max_size=80)


def mutate(data: st.DataObject, doc):
    """`doc` with one node (at a random depth) replaced, removed or given an extra key."""
    if isinstance(doc, dict) and doc and data.draw(st.integers(0, 3)):
        key = data.draw(st.sampled_from(sorted(doc, key=str)))
        action = data.draw(st.sampled_from(["descend", "descend", "drop", "add"]))
        out = dict(doc)
        if action == "descend":
            out[key] = mutate(data, doc[key])
        elif action == "drop":
            del out[key]
        else:
            out[data.draw(WORDS)] = data.draw(VALUES)
        return out
    if isinstance(doc, list) and doc and data.draw(st.integers(0, 3)):
        i = data.draw(st.integers(0, len(doc) - 1))
        return [*doc[:i], mutate(data, doc[i]), *doc[i + 1:]]
    return data.draw(VALUES)


def document(data: st.DataObject, base: dict) -> str:
    """Mostly a mutated valid document; sometimes raw YAML-ish text."""
    if data.draw(st.integers(0, 4)) == 0:
        return data.draw(YAML_TEXT)
    return yaml.safe_dump(mutate(data, base), allow_unicode=True)


def loads_or_user_error(load, text: str, name: str) -> None:
    path = FOLDER / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load(path)
        event("loaded")
    except UserError as exc:
        event("refused")
        assert "\n" not in str(exc).strip(), str(exc)


@FUZZ
@given(st.data())
def test_protocol_loader(data):
    loads_or_user_error(load_protocol, document(data, PROTOCOL), "fuzz.yaml")


@FUZZ
@given(st.data())
def test_script_loader(data):
    loads_or_user_error(load_script, document(data, SCRIPT), "script.yaml")


@FUZZ
@given(st.data())
def test_grammar_loader(data):
    loads_or_user_error(lambda p: grammar.load(path=p), document(data, GRAMMAR), "g.yaml")


@FUZZ
@given(st.data())
def test_settings_loader(data):
    loads_or_user_error(load_settings, document(data, SETTINGS), "settings.yaml")


EVENT = st.fixed_dictionaries({"t": st.one_of(st.floats(0, 1e4), SCALARS),
                               "event": st.one_of(st.sampled_from(
                                   ["session_start", "cue", "heard", "session_end",
                                    "session_resume"]), SCALARS)},
                              optional={"finished": SCALARS, "protocol": SCALARS,
                                        "started": SCALARS})
LOG_LINE = st.one_of(EVENT.map(json.dumps), VALUES.map(json.dumps),
                     st.binary(max_size=30).map(lambda b: b.decode("latin-1")))


@FUZZ
@given(st.lists(LOG_LINE, max_size=6), st.booleans())
def test_session_log_reader(lines, torn):
    start = json.dumps({"t": 0, "event": "session_start", "protocol": "psoas"})
    text = "\n".join([start, *lines]) + ("" if torn else "\n")
    path = FOLDER / "log.jsonl"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        log = read_log(path)
        _ = (log.protocol, log.last_t, log.finished, log.of("cue"))  # what report/resume use
    except UserError as exc:
        assert "\n" not in str(exc)


# -- structured hostile values: every field of every loader, aliases, huge numbers -------------

#: What a hostile or careless file puts where a word, a number or a mapping belongs.
HOSTILE = st.one_of(
    st.lists(WORDS, min_size=1, max_size=3),                      # [b] where a step id goes
    st.lists(st.lists(WORDS, min_size=1, max_size=2), min_size=1, max_size=2),  # [[locating]]
    st.dictionaries(WORDS, WORDS, min_size=1, max_size=2),
    st.sampled_from([10**30, -10**30, 2**63, 1e308, -1e308, float("inf"), float("nan"), 0,
                     -1, True, False, None, "", " ", "\u202e\u0000x", "../../x", "-w/tmp/x",
                     "tp_hold", "confirm_finish", "end", "x" * 5000, "next\nstop"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),  # any unicode, RTL, emoji
)


def paths(doc, prefix=()) -> list[tuple]:
    """Every node of a document (as a key path), the root included."""
    found = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            found += paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            found += paths(v, (*prefix, i))
    return found


def replaced(doc, path: tuple, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    out = dict(doc) if isinstance(doc, dict) else list(doc)
    out[head] = replaced(doc[head], rest, value)
    return out


def with_alias(text: str, data: st.DataObject) -> str:
    """The document with a block of YAML anchors and aliases in front (a "billion laughs"
    seed of random width and depth, under a key the loader does not know)."""
    width, depth = data.draw(st.integers(1, 9)), data.draw(st.integers(1, 9))
    lines = ["zz0: &a0 [lol]"] + [
        f"zz{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth)]
    return "\n".join(lines) + "\n" + text


def structured(data: st.DataObject, base: dict) -> str:
    """`base` with one field (any field, uniformly) given a hostile value; sometimes with
    anchors and aliases too."""
    doc = replaced(base, data.draw(st.sampled_from(paths(base))), data.draw(HOSTILE))
    text = yaml.safe_dump(doc, allow_unicode=True)
    return with_alias(text, data) if data.draw(st.integers(0, 5)) == 0 else text


def quick(load, text: str, name: str) -> None:
    """Loads or one bounded UserError line, and never slowly (a bomb or a lying size)."""
    import time

    began = time.monotonic()
    loads_or_user_error(load, text, name)
    assert time.monotonic() - began < 5.0, "a hostile file took more than 5 s"


KO = {"protocol": "fuzz", "language": "ko", "title": "퍼즈",
      "safety": {"pulse": "바깥쪽으로."},
      "steps": {"a": {"title": "가", "cue": "찾으세요."},
                "b": {"title": "나", "cue": "작업.", "timers": {30: "삼십 초."}},
                "c": {"title": "다", "cue": "끝."}}}


def load_translated(path: Path):
    """The fuzzed file is a translation beside a valid protocol."""
    (path.parent / "fuzz.yaml").write_text(yaml.safe_dump(PROTOCOL), encoding="utf-8")
    return load_protocol(path.parent / "fuzz.yaml", language="ko")


STRUCTURED_LOADERS = {
    "protocol": (load_protocol, PROTOCOL, "fuzz.yaml"),
    "translation": (load_translated, KO, "fuzz.ko.yaml"),
    "script": (load_script, SCRIPT, "script.yaml"),
    "grammar": (lambda p: grammar.load(path=p), GRAMMAR, "g.yaml"),
    "settings": (load_settings, SETTINGS, "settings.yaml"),
}


def test_the_translation_base_document_loads():
    """Without this the translation fuzz would only ever see refusals."""
    FOLDER.joinpath("fuzz.ko.yaml").write_text(yaml.safe_dump(KO, allow_unicode=True),
                                               encoding="utf-8")
    assert load_translated(FOLDER / "fuzz.ko.yaml").steps["a"].cue == "찾으세요."


@pytest.mark.parametrize("which", sorted(STRUCTURED_LOADERS))
@FUZZ
@given(data=st.data())
def test_structured_hostile_values(which, data):
    load, base, name = STRUCTURED_LOADERS[which]
    quick(load, structured(data, base), name)


@FUZZ
@given(st.lists(st.one_of(EVENT, st.fixed_dictionaries(
    {"t": HOSTILE, "event": st.sampled_from(["cue", "heard", "session_end"])},
    optional={"finished": HOSTILE, "protocol": HOSTILE, "text": HOSTILE})).map(
    lambda e: json.dumps(e, allow_nan=True)), max_size=6), st.integers(0, 3000))
def test_session_log_with_hostile_values(lines, nesting):
    """Wrong types in every field of a log line, and JSON nested past the recursion limit."""
    start = json.dumps({"t": 0, "event": "session_start", "protocol": "psoas"})
    deep = "[" * nesting + "]" * nesting
    path = FOLDER / "hostile.jsonl"
    path.write_text("\n".join([start, *lines, deep]) + "\n", encoding="utf-8")
    try:
        log = read_log(path)
        _ = (log.protocol, log.last_t, log.finished, log.of("cue"))
    except UserError as exc:
        assert "\n" not in str(exc)
