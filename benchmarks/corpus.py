"""Synthetic listening corpus: long streams of commands and chatter in room noise.

Each stream interleaves bare commands, commands with carrier words (the grammar's longer
phrasings) and chatter sentences that contain command words, spoken by the split's voices
(espeak-ng, flite, hibari, festival) at slow/normal/fast rates, each line brought to one speech
level, then mixed with pink noise (20 dB SNR), synthetic music (15 dB) or babble of four other
talkers (10 dB; `babble3`, on request: three, as the issue's evaluation has it). The "tune"
and "report" sets use different voices and seeds so thresholds tuned on one are reported on
the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.voices import render
from voice_guide.ears.grammar import Grammar
from voice_guide.ears.templates import speech_span
from voice_guide.protocol.phrases import spoken
from voice_guide.runners.simulate import noise as room_noise

RATE = 16000
TEMPOS = {"slow": 1.28, "normal": 1.0, "fast": 0.78}
#: Voices (benchmarks/voices.py). The report voices are never tuned on, and the template
#: witness never sees them in a benchmark (their templates are taken out before it runs).
VOICES = {
    "en": {"tune": ["espeak:en-us", "espeak:en-gb+f3", "espeak:en-029+m2", "flite:kal16",
                    "hibari:heart"],
           "report": ["espeak:en-gb-scotland+m1", "espeak:en-us-nyc+f4",
                      "espeak:en-gb-x-gbcwmd+f2", "festival:kdlpc16k"]},
    "ko": {"tune": ["espeak:ko", "espeak:ko+f3"], "report": ["espeak:ko+m2", "espeak:ko+f2"]},
}
CONDITIONS = {"clean": None, "pink": 20.0, "music": 15.0, "babble": 10.0, "babble3": 10.0}
#: The conditions a benchmark runs unless told otherwise. `babble3` is the issue's own babble
#: (three talkers; `babble` has four, each quieter, with fewer gaps between them); it is run on
#: request (`--conditions babble3`) and over the same speech as `babble`.
STANDARD = ("clean", "pink", "music", "babble")
#: Each condition's speech: its script order and voices come from the seed plus 100 x this,
#: whichever other conditions run beside it.
SPEECH = {"clean": 0, "pink": 1, "music": 2, "babble": 3, "babble3": 3}
#: Every line of a stream is brought to this speech level (dB, int16 units; espeak-ng's own
#: is about 70) before the room is added, so that a condition's SNR holds for every voice.
LEVEL_DB = 70.0

CHATTER = {
    "en": [
        "is that tender", "does it refer anywhere", "tell me when it starts fading",
        "let me know if it gets worse", "can you feel a pulse there", "is it softer now",
        "we will go back to the first position", "i will repeat that stretch next time",
        "take a pause and breathe out slowly", "we can stop whenever you like",
        "do you need any help getting up", "how much time do we have left",
        "yes that is the right spot", "no need to hold your breath", "the pain is local then",
        "we are almost finished with this side", "say it again if it is too much",
        "next week we can try the other side", "it was tender last time as well",
        "that usually stops hurting after a while", "i found the edge of the muscle",
        "let it soften under my hand", "tell me if the feeling spreads", "okay breathe in",
    ],
    "ko": [
        "거기가 아파요", "어디로 퍼져요", "시간이 얼마나 걸려요", "다음에 다시 해볼게요",
        "숨을 천천히 내쉬세요", "조금 더 눌러볼게요", "여기가 어떠세요", "편하게 누워 계세요",
        "부드러워지면 말해 주세요", "멈추고 싶으면 말씀하세요",
        # questions and remarks to the client with this grammar's report words in them
        "거기 많이 아파요", "다른 곳으로 퍼지나요", "통증이 사라졌어요", "조금 약해졌나요",
        "다음으로 넘어가도 될까요", "잠시만 기다려 주세요", "계속해도 괜찮으세요",
        "맥박이 느껴지네요", "제자리에서 숨을 내쉬세요", "여기 누르면 어때요",
        "마무리는 천천히 할게요", "연관통이 있는지 볼게요", "아니요 괜찮아요 편하게 계세요",
        "네 그렇게 숨 쉬세요",
    ],
}
BABBLE = CHATTER["en"][:12] + ["the weather was lovely on the weekend",
                               "my sister is moving to a new flat next month",
                               "the train was late again this morning"]


@dataclass(frozen=True)
class Item:
    kind: str             # "command" | "chatter"
    text: str
    command: str | None   # expected canonical command (None for chatter)
    start: float          # speech start in the stream (s)
    end: float            # end of the last word (s), trailing silence trimmed
    voice: str
    rate: str


@dataclass
class Stream:
    name: str
    pcm: np.ndarray
    items: list[Item]


def script(grammar: Grammar, lang: str, seed: int, reps: int = 1) -> list[tuple[str, str | None]]:
    """Commands (each phrasing `reps` times) and chatter, shuffled: (text, command) pairs."""
    rng = np.random.default_rng(seed)
    lines: list[tuple[str, str | None]] = []
    for _ in range(reps):
        for cmd, phrases in grammar.phrases.items():
            lines += [(spoken(p, lang), cmd) for p in phrases]
    chatter = CHATTER[lang]
    n_chat = max(len(lines) // 2, len(chatter))
    lines += [(chatter[i % len(chatter)], None) for i in range(n_chat)]
    order = rng.permutation(len(lines))
    return [lines[i] for i in order]


def trim(pcm: np.ndarray) -> np.ndarray:
    """Cut the leading/trailing silence so `end` is the end of the last word: the same cut
    the listener makes before matching templates (templates.speech_span)."""
    a, b = speech_span(pcm)
    return pcm[a:b]


def levelled(speech: np.ndarray) -> np.ndarray:
    """`speech` at the speech level LEVEL_DB. The voices speak at their own levels (flite
    kal16 8 dB under espeak-ng, hibari 5 dB), and `mix` sets a condition's noise from the
    whole stream's speech: unlevelled, babble at "10 dB" was 2 dB for flite's lines."""
    x = speech.astype(np.float64)
    power = speech_power(x)
    return x if power is None else x * 10 ** ((LEVEL_DB - 10 * np.log10(power)) / 20)


def speech_power(x: np.ndarray) -> float | None:
    """The mean square over the voiced samples (int16 units; None: nothing voiced): the
    speech level `levelled` sets and `mix` sets a condition's noise against."""
    voiced = x[np.abs(x) > 100]
    return float(np.mean(voiced**2)) if len(voiced) else None


def build(grammar: Grammar, lang: str, split: str, seed: int, reps: int = 1,
          gap: tuple[float, float] = (1.2, 2.5),
          after_talk: tuple[float, float] = (0.35, 0.7)) -> tuple[np.ndarray, list[Item]]:
    """The clean speech track of one stream and its ground truth.

    The stream starts with speech at its first sample and ends with speech at its last (the
    edges of a file); a command after a chatter sentence follows it, two times in five, after
    a normal pause (`after_talk`): a therapist talks to the client, then reports."""
    rng = np.random.default_rng(seed + 1)
    voices = VOICES[lang][split]
    parts: list[np.ndarray] = []
    t, items = 0.0, []
    lines = script(grammar, lang, seed, reps)
    for k, (text, cmd) in enumerate(lines):
        voice = voices[rng.integers(len(voices))]
        rate = list(TEMPOS)[rng.integers(3)]
        speech = levelled(trim(render(text, voice, TEMPOS[rate],
                                      float(rng.uniform(-2.5, 2.5)), lang=lang)))
        items.append(Item("command" if cmd else "chatter", text, cmd, t,
                          t + len(speech) / RATE, voice, rate))
        parts.append(speech)
        t += len(speech) / RATE
        if k + 1 == len(lines):
            break
        talk = cmd is None and lines[k + 1][1] is not None and rng.random() < 0.4
        silence = np.zeros(int(RATE * rng.uniform(*(after_talk if talk else gap))))
        parts.append(silence)
        t += len(silence) / RATE
    return np.concatenate(parts).astype(np.float64), items


def babble(n: int, rng: np.random.Generator, talkers: int = 4) -> np.ndarray:
    """Other people talking: the corpus's own sentences and voices
    (voice_guide.runners.simulate.noise)."""
    return room_noise.babble(n, rng, talkers, sentences=tuple(BABBLE),
                        voices=("en-us+m3", "en-gb+f2", "en-us+f5", "en-029+m4",
                                "en-gb-x-rp+f1"))


def mix(speech: np.ndarray, condition: str, seed: int) -> np.ndarray:
    """Add the condition's noise at its SNR (speech power over the voiced samples)."""
    rng = np.random.default_rng(seed + 7)
    n = len(speech)
    p_speech = speech_power(speech) or 1.0
    snr = CONDITIONS[condition]
    make = {"clean": lambda: rng.standard_normal(n), "pink": lambda: room_noise.pink(n, rng),
            "music": lambda: room_noise.music(n, rng), "babble": lambda: babble(n, rng),
            "babble3": lambda: babble(n, rng, talkers=3)}
    noise = make[condition]()
    level = 30.0 if snr is None else np.sqrt(p_speech / 10 ** (snr / 10))  # clean: faint hiss
    noise *= level / (np.sqrt(np.mean(noise**2)) + 1e-9)
    return np.clip(np.round(speech + noise), -32768, 32767).astype(np.int16)


def streams(grammar: Grammar, lang: str, split: str, conditions: list[str], seed: int,
            reps: int = 1) -> list[Stream]:
    """One stream per condition; each condition gets its own script order and voices
    (`SPEECH`)."""
    out = []
    for cond in conditions:
        s = seed + 100 * SPEECH[cond]
        speech, items = build(grammar, lang, split, s, reps)
        out.append(Stream(cond, mix(speech, cond, s), items))
    return out
