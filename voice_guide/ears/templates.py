"""The template witness: how close an utterance is to recordings of each command phrasing.

Every command phrasing was rendered by the synthetic voices the project may use, at several
tempos and pitches, in quiet and in noise (benchmarks/build_templates.py), and stored as
speech-embedding frames (embedding.py) in `voice_guide/data/command_templates/<lang>.npz`. An
utterance is embedded the same way and compared with every template by dynamic time
warping; the distance per command (the mean over its few nearest templates), and the gap to
the runner-up command, are evidence the listener weighs beside the grammar pass
(listener.py). A sentence that merely contains a command word matches no template closely:
its other words have nothing to align with.

DTW steps are (1,1), (1,2) and (2,1): a template may be up to twice as fast or slow as the
utterance, and each row depends only on the rows before it, so all templates are aligned at
once with numpy (about 3 ms for 3,000 templates on one core).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from voice_guide.ears.room import loud_span
from voice_guide.errors import UserError

INF = np.float32(1e9)
#: The command name of the templates of `not_commands:` (grammars): a question to the client
#: ("is that tender") that competes with the commands and is never accepted.
NOT_A_COMMAND = "-"
#: How an utterance is framed for matching, templates and queries alike: seconds of audio
#: kept before the speech starts and after it ends (the listener has about 0.2 s after the
#: end when it decides, its hangover). The embedding sees 0.76 s, so the framing counts: the
#: same "located" started 0.23 s late in its frame matched "fading" better (0.19) than its own
#: rendering (0.26); framed alike, 0.006. So both sides are cut by `speech_span`.
PRE, POST = 0.5, 0.2
#: Where speech starts and ends: 10 ms frames within this many dB of the loudest.
SPAN_DB = 35.0


def speech_span(pcm: np.ndarray, floor_db: float | None = None) -> tuple[int, int]:
    """First and last sample of the speech in `pcm` (frames within SPAN_DB of its loudest
    and above `floor_db`, the room, when given); the whole of it when it is silent."""
    span = loud_span(pcm, SPAN_DB, hop=160, floor_db=floor_db)
    return span if span is not None else (0, len(pcm))


@dataclass(frozen=True)
class Match:
    command: str
    distance: float   # normalised DTW cost, cosine distance per frame (0 = identical); the
                      # mean over the command's nearest templates (Templates.ranked)
    phrase: str       # the phrasing of the closest template
    voice: str        # which voice rendered it ("user" for the therapist's own takes)


class Templates:
    """A set of templates; `ranked(query)` gives each command's distance, nearest first."""

    def __init__(self, frames: np.ndarray, offsets: np.ndarray, commands: np.ndarray,
                 phrases: np.ndarray, voices: np.ndarray, lang: str,
                 weights: np.ndarray | None = None) -> None:
        self.frames = np.asarray(frames, dtype=np.float32)
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self.commands = np.asarray(commands).astype(str)
        self.phrases = np.asarray(phrases).astype(str)
        self.voices = np.asarray(voices).astype(str)
        self.lang = lang
        n = len(self.commands)
        self.weights = (np.ones(n, dtype=np.float32) if weights is None
                        else np.asarray(weights, dtype=np.float32))
        self.lengths = np.diff(self.offsets)
        lmax = int(self.lengths.max()) if n else 1
        # index into frames (plus one dummy column = INF) for a (K, Lmax) view of every template
        cols = self.offsets[:-1, None] + np.arange(lmax)[None, :]
        self._index = np.where(np.arange(lmax)[None, :] < self.lengths[:, None], cols,
                               len(self.frames))

    def __len__(self) -> int:
        return len(self.commands)

    # -- loading and saving -------------------------------------------------------------
    @classmethod
    def load(cls, lang: str) -> Templates:
        """The templates shipped for `lang` (package data)."""
        res = resources.files("voice_guide.data.command_templates").joinpath(f"{lang}.npz")
        if not res.is_file():
            raise UserError(f"no command templates for language {lang!r}; rebuild them with "
                            f"python -m benchmarks.build_templates --lang {lang}")
        with resources.as_file(res) as path:
            return cls.from_file(path)

    @classmethod
    def from_file(cls, path: str | Path) -> Templates:
        with np.load(path, allow_pickle=False) as z:
            weights = z["weights"] if "weights" in z.files else None
            return cls(z["frames"], z["offsets"], z["commands"], z["phrases"], z["voices"],
                       str(z["lang"]), weights)

    def save(self, path: str | Path) -> None:
        np.savez_compressed(path, frames=self.frames.astype(np.float16), offsets=self.offsets,
                            commands=self.commands, phrases=self.phrases, voices=self.voices,
                            lang=np.array(self.lang), weights=self.weights)

    @classmethod
    def from_embeddings(cls, items: list[tuple[str, str, str, np.ndarray]], lang: str,
                        weight: float = 1.0) -> Templates:
        """Build from (command, phrase, voice, frames) tuples."""
        frames = [f for *_, f in items]
        offsets = np.concatenate([[0], np.cumsum([len(f) for f in frames])])
        return cls(np.concatenate(frames) if frames else np.zeros((0, 96), np.float32),
                   offsets, np.array([c for c, *_ in items]), np.array([p for _, p, *_ in items]),
                   np.array([v for _, _, v, _ in items]), lang,
                   np.full(len(items), weight, dtype=np.float32))

    def without_voices(self, voices: Iterable[str]) -> Templates:
        """The same set less the templates of these voices (a benchmark's held-out voices)."""
        return self._select(~np.isin(self.voices, list(voices)))

    def _select(self, keep: np.ndarray) -> Templates:
        offsets = np.concatenate([[0], np.cumsum(self.lengths[keep])])
        return Templates(self.frames[np.repeat(keep, self.lengths)], offsets,
                         self.commands[keep], self.phrases[keep], self.voices[keep], self.lang,
                         self.weights[keep])

    def without_commands(self, commands: Iterable[str]) -> Templates:
        """The same set less the templates of these commands (takes about to be redone)."""
        return self._select(~np.isin(self.commands, list(commands)))

    def with_weight(self, weight: float) -> Templates:
        """The same templates, every distance to them multiplied by `weight`."""
        return Templates(self.frames, self.offsets, self.commands, self.phrases, self.voices,
                         self.lang, np.full(len(self), weight, dtype=np.float32))

    def merged(self, other: Templates) -> Templates:
        """Both sets in one (the therapist's enrolled takes beside the shipped ones)."""
        offsets = np.concatenate([self.offsets, other.offsets[1:] + self.offsets[-1]])
        return Templates(np.concatenate([self.frames, other.frames]), offsets,
                         np.concatenate([self.commands, other.commands]),
                         np.concatenate([self.phrases, other.phrases]),
                         np.concatenate([self.voices, other.voices]), self.lang,
                         np.concatenate([self.weights, other.weights]))

    # -- matching -----------------------------------------------------------------------
    def distances(self, query: np.ndarray) -> np.ndarray:
        """DTW distance from `query` (frames, 96; unit rows) to every template (INF: out of
        reach, over twice as long or short)."""
        one_core()
        n = len(query)
        if n == 0 or len(self) == 0:
            return np.full(len(self), INF, dtype=np.float32)
        cost = 1.0 - query.astype(np.float32) @ self.frames.T               # (n, M)
        cost = np.concatenate([cost, np.full((n, 1), INF, np.float32)], axis=1)
        c = cost[:, self._index]                                              # (n, K, Lmax)
        k, lmax = self._index.shape
        prev2 = np.full((k, lmax), INF, dtype=np.float32)
        prev = np.full((k, lmax), INF, dtype=np.float32)
        prev[:, 0] = c[0, :, 0]
        for i in range(1, n):
            row = np.full((k, lmax), INF, dtype=np.float32)
            best = prev[:, :-1].copy()                                        # (i-1, j-1)
            if lmax > 2:
                best[:, 1:] = np.minimum(best[:, 1:], prev[:, :-2] + c[i, :, 1:-1])  # (i-1, j-2)
            if i >= 2:
                best = np.minimum(best, prev2[:, :-1] + c[i - 1, :, 1:])      # (i-2, j-1)
            row[:, 1:] = best + c[i, :, 1:]
            prev2, prev = prev, row
        end = prev[np.arange(k), self.lengths - 1]
        d = end / (n + self.lengths) * 2.0 * self.weights
        # A template over twice as long or short as the query has no path: INF, not an INF
        # divided down to a finite-looking distance (ranked leaves it out).
        return np.where(no_path(end), INF, d).astype(np.float32)

    def ranked(self, query: np.ndarray, commands: Iterable[str] | None = None,
               neighbours: int = 1) -> list[Match]:
        """Each command's distance (only `commands`, when given), best first: the mean over
        its `neighbours` closest templates (fewer where fewer are within reach), so that one
        rendering that happens to lie near the utterance does not speak for its command
        alone (benchmarks/RESULTS-listen.md). The phrase and voice are the closest one's."""
        d = self.distances(query)
        allowed = None if commands is None else set(commands)
        near: dict[str, list[int]] = {}
        for k in np.argsort(d):
            cmd = self.commands[k]
            if no_path(d[k]) or (allowed is not None and cmd not in allowed):
                continue
            kept = near.setdefault(cmd, [])
            if len(kept) < neighbours:
                kept.append(int(k))
        found = [Match(str(c), float(np.mean(d[ks])), str(self.phrases[ks[0]]),
                       str(self.voices[ks[0]])) for c, ks in near.items()]
        return sorted(found, key=lambda m: m.distance)


def no_path(distance: np.ndarray | float) -> np.ndarray | np.bool_:
    """Whether a distance (or each of an array's) is INF: the template was over twice as long
    or as short as the query, and DTW, which warps at most twice, found no path."""
    return distance >= INF / 2


@functools.cache
def one_core() -> None:
    """numpy's BLAS on one thread, for the whole process. Its worker threads spin between the
    small products done here and burned a third more CPU than the listening itself (RTF 0.137
    against 0.090 in babble, benchmarks/RESULTS-listen.md); the budget is one core."""
    threadpool_limits(1, user_api="blas")


@functools.cache
def shipped_templates(lang: str) -> Templates | None:
    """The shipped templates for `lang`, loaded once per process (None: none shipped)."""
    try:
        return Templates.load(lang)
    except UserError:
        return None
