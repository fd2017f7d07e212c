"""Inter-annotator agreement: Krippendorff's alpha and Cohen's kappa, written out in full.

Reliability data is a table with one row per annotator and one column per
unit (an annotated entry); a missing label is NaN/None. Alpha uses every
unit labelled by at least two annotators (Krippendorff 2011, "Computing
Krippendorff's Alpha-Reliability"); kappa compares two annotators on the
units both labelled.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from itertools import combinations
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable, Mapping, Sequence

    import pandas as pd

Level = Literal["nominal", "ordinal", "interval"]
#: A unit (or a whole data set) needs two labels before labels can be compared.
PAIR = 2


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _units(data: pd.DataFrame | Sequence[Sequence[Any]]) -> list[list[Hashable]]:
    """The labels of each unit (column), missing ones dropped."""
    rows = data.to_numpy().tolist() if hasattr(data, "to_numpy") else [list(r) for r in data]
    if not rows:
        return []
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise ConfigError("reliability data: every annotator (row) needs one value per unit (column)")
    return [[r[u] for r in rows if not _missing(r[u])] for u in range(width)]


def _distance(
    level: Level, values: list[Hashable], totals: Mapping[Hashable, float]
) -> dict[tuple[Hashable, Hashable], float]:
    """Squared distance between every two values for the level of measurement."""
    if level == "nominal":
        return {(c, k): float(c != k) for c in values for k in values}
    try:
        ranked = sorted(values)  # type: ignore[type-var]
    except TypeError:
        raise ConfigError(f"{level} agreement needs labels that can be ordered, got {values}") from None
    if level == "interval":
        return {(c, k): (float(c) - float(k)) ** 2 for c in ranked for k in ranked}  # type: ignore[arg-type]
    # ordinal: (n_c + ... + n_k - (n_c + n_k) / 2) squared, over the ranks between c and k
    delta: dict[tuple[Hashable, Hashable], float] = {}
    for i, c in enumerate(ranked):
        for j, k in enumerate(ranked):
            lo, hi = min(i, j), max(i, j)
            between = sum(totals[g] for g in ranked[lo : hi + 1])
            delta[c, k] = (between - (totals[c] + totals[k]) / 2) ** 2
    return delta


def krippendorff_alpha(data: pd.DataFrame | Sequence[Sequence[Any]], level: Level = "nominal") -> float:
    """Krippendorff's alpha of reliability data (annotators x units).

    Args:
        data: One row per annotator, one column per unit; None/NaN for a missing label.
        level: ``"nominal"`` (labels are categories), ``"ordinal"`` (ordered
            categories, e.g. ratings 1 to 5) or ``"interval"`` (numbers).

    Returns:
        Alpha: 1 is perfect agreement, 0 agreement at chance level. NaN when
        fewer than two labelled values can be paired, or when every value is
        the same (no variation: agreement is undefined).
    """
    if level not in ("nominal", "ordinal", "interval"):
        raise ConfigError(f"level must be 'nominal', 'ordinal' or 'interval', got {level!r}")
    units = [u for u in _units(data) if len(u) >= PAIR]
    # Coincidences: every ordered pair of labels within a unit, weighted 1/(m_u - 1).
    coincidence: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for labels in units:
        weight = 1 / (len(labels) - 1)
        for i, c in enumerate(labels):
            for j, k in enumerate(labels):
                if i != j:
                    coincidence[c, k] += weight
    totals: defaultdict[Hashable, float] = defaultdict(float)
    for (c, _), count in coincidence.items():
        totals[c] += count
    n = sum(totals.values())
    if n < PAIR or len(totals) < PAIR:
        return math.nan
    delta = _distance(level, list(totals), totals)
    observed = sum(count * delta[pair] for pair, count in coincidence.items()) / n
    expected = sum(totals[c] * totals[k] * delta[c, k] for c in totals for k in totals) / (n * (n - 1))
    return 1 - observed / expected


def cohen_kappa(first: Iterable[Any], second: Iterable[Any]) -> float:
    """Cohen's kappa of two annotators' labels for the same units (pairs with a missing label are dropped).

    Returns NaN when no pair is left or when both always give one and the same label.
    """
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if not _missing(a) and not _missing(b)]
    if not pairs:
        return math.nan
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    count_a = Counter(a for a, _ in pairs)
    count_b = Counter(b for _, b in pairs)
    expected = sum(count_a[c] * count_b[c] for c in count_a) / (n * n)
    if expected == 1:
        return math.nan
    return float((observed - expected) / (1 - expected))


def pairwise_kappa(data: pd.DataFrame) -> pd.DataFrame:
    """Cohen's kappa for every pair of annotators (rows of ``data``).

    Columns: ``first``, ``second``, ``units`` (labelled by both) and ``kappa``.
    """
    import pandas as pd

    rows = []
    for a, b in combinations(data.index, 2):
        both = data.loc[[a, b]].dropna(axis=1)
        rows.append(
            {"first": a, "second": b, "units": both.shape[1], "kappa": cohen_kappa(both.loc[a], both.loc[b])}
        )
    return pd.DataFrame(rows, columns=["first", "second", "units", "kappa"])
