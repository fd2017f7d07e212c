"""Small pieces of wording for people, shared by every layer: counts and elapsed times."""

from __future__ import annotations

MINUTE = 60


def plural(count: int, one: str, many: str | None = None) -> str:
    """``"1 entry"``, ``"2 entries"``: the count with the right form of the noun."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def elapsed(seconds: float) -> str:
    """``"4 s"`` or ``"1 min 05 s"``: a short elapsed time for people."""
    whole = max(0, int(seconds))
    if whole < MINUTE:
        return f"{whole} s"
    return f"{whole // 60} min {whole % 60:02d} s"
