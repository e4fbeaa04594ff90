"""Numbers, times and lists as a person says them, per language.

Why here and not in the phrase files: plural endings and Korean counting words are grammar,
not wording. English: "1 second", "8 seconds", "1 minute 39 seconds" (never "0 minutes").
Korean: times are read with Sino-Korean numbers, as espeak-ng reads digits ("1분 39초");
counts of things take native numbers ("두 곳"), which espeak-ng would misread from digits.
"""

from __future__ import annotations

#: English unit names, singular and plural.
_EN_UNITS = {"second": ("second", "seconds"), "minute": ("minute", "minutes"),
             "point": ("point", "points"), "step": ("step", "steps")}
_KO_UNITS = {"second": "초", "minute": "분", "point": "곳", "step": "단계"}
_KO_ONES = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
_KO_TENS = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")


def _number(x: float) -> str:
    """A whole number without a decimal point; a fraction with one digit ("2.5")."""
    return str(int(round(x))) if abs(x - round(x)) < 0.05 else f"{x:.1f}"


def korean_count(n: int) -> str:
    """Native Korean number before a counter (1..99: 한, 두, 스무, 서른다섯), else digits."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if n == 20:
        return "스무"
    return _KO_TENS[tens] + _KO_ONES[ones]


def count(n: int, unit: str, language: str = "en") -> str:
    """'1 point', '6 points'; Korean '한 곳', '여섯 곳'."""
    if language == "ko":
        return f"{korean_count(n)} {_KO_UNITS[unit]}"
    one, many = _EN_UNITS[unit]
    return f"{n} {one if n == 1 else many}"


def spoken_time(seconds: float, language: str = "en") -> str:
    """A duration read out: '8 seconds', '1 minute 39 seconds', '2 minutes', '2.5 seconds'."""
    seconds = max(0.0, float(seconds))
    minutes, rest = divmod(round(seconds), 60) if seconds >= 60 else (0, seconds)
    if language == "ko":
        parts = ([f"{minutes}분"] if minutes else []) + \
                ([f"{_number(rest)}초"] if rest or not minutes else [])
        return " ".join(parts)
    parts = []
    if minutes:
        parts.append(f"{minutes} {'minute' if minutes == 1 else 'minutes'}")
    if rest or not minutes:
        word = "second" if _number(rest) == "1" else "seconds"
        parts.append(f"{_number(rest)} {word}")
    return " ".join(parts)


def joined(items: list[str], language: str = "en") -> str:
    """'a', 'a and b', 'a, b and c' (Korean: 'a, b, c')."""
    if language == "ko" or len(items) < 2:
        return ", ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def grouped(titles: list[str], limit: int = 3) -> list[tuple[str, int]]:
    """How many of `titles` fall under each title, in order of first appearance; past
    `limit` titles the rest are counted under ''."""
    counts: dict[str, int] = {}
    for t in titles:
        counts[t] = counts.get(t, 0) + 1
    items = list(counts.items())
    if len(items) > limit:
        rest = sum(n for _, n in items[limit - 1:])
        items = items[:limit - 1] + [("", rest)]
    return items
