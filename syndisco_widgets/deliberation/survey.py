"""Personas drawn from survey data: ``Agent(persona='random', ideology=...)``.

A :class:`SurveyPersonas` wraps a pandas DataFrame you supply (one row per
respondent), the name of its weights column, and a mapping from codebook
columns to persona sentences. :meth:`SurveyPersonas.sample` picks a row by
seeded, weighted sampling, after optional structured filters
(``{column: allowed values}``) or a pandas query string (``query_str=``, as in
the reference library; it is the caller's own code, run by ``DataFrame.query``).

The package ships a small demo table (:func:`load_demo_survey`) so that
``persona='random'`` works offline. That table is SYNTHETIC: it was made up by
a script and is not real survey data (see :data:`SYNTHETIC_NOTICE`).
"""

from __future__ import annotations

import json
import math
import numbers
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..checks import optional_seed
from ..errors import ConfigError, PersonaError, SyndiscoWarning
from .templates import fill, placeholders

if TYPE_CHECKING:
    import os

    import pandas as pd

#: Shown wherever the bundled demo table is used.
SYNTHETIC_NOTICE = (
    "SYNTHETIC DEMO DATA: every row of this table was generated at random by a script. "
    "It is not real survey data, represents no real person or population, and must not "
    "be used for research claims."
)

_DEMO_CSV = "synthetic_survey.csv"
_DEMO_MAPPING = "synthetic_survey_mapping.json"


class SyntheticDataWarning(SyndiscoWarning):
    """A persona was drawn from the bundled synthetic demo table."""


@dataclass(frozen=True)
class SurveyDraw:
    """One sampled respondent.

    Attributes:
        persona: The persona text built from the respondent's answers.
        row: The respondent's raw answers (column -> value).
        index: The row's label in the DataFrame.
        seed: The seed the draw used; the same seed and filters give the same row.
        synthetic: True when the table is synthetic demo data.
        source: A short description of the table (the notice for synthetic data).
    """

    persona: str
    row: dict[str, Any]
    index: Any
    seed: int
    synthetic: bool
    source: str
    filters: dict[str, list[Any]] = field(default_factory=dict)
    query_str: str | None = None


def _code(value: Any) -> str:
    """A codebook key for ``value``: ``4``, ``4.0`` and ``"4"`` all give ``"4"``."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):  # also numpy integers
        return str(int(value))
    if isinstance(value, numbers.Real) and float(value).is_integer():  # also numpy floats
        return str(int(float(value)))
    return str(value)


def _plain(value: Any) -> Any:
    """A numpy scalar as the matching Python value; anything else unchanged."""
    return value.item() if hasattr(value, "item") else value


def _is_missing(value: Any) -> bool:
    try:
        return value is None or (isinstance(value, float) and math.isnan(value)) or bool(value != value)  # noqa: PLR0124  NaN-like values differ from themselves
    except (TypeError, ValueError):
        return False


def _as_values(column: str, allowed: Any) -> list[Any]:
    if isinstance(allowed, (str, bytes)) or not isinstance(allowed, Iterable):
        return [allowed]
    values = list(allowed)
    if not values:
        raise ConfigError(f"filter on {column!r} allows no values; give at least one")
    return values


class SurveyPersonas:
    """Survey respondents that can be turned into persona text.

    Args:
        data: One row per respondent.
        fields: ``{column: {"sentence": "... ${value} ...", "labels": {code: text},
            "missing": [codes], "lower": bool, "keep_unlabelled": bool}}``.
            Sentences are joined in this order; ``labels`` translates codebook
            codes (a code without a label is an error, unless ``keep_unlabelled``
            keeps it as written), ``missing`` lists codes to leave out (empty
            cells are always left out), ``lower`` writes the value in lower case.
        weight_column: Column of non-negative sampling weights.
        ideology_column: Column used by the ``ideology=`` shortcut.
        ideology_groups: ``{ideology name: [allowed values]}``, e.g. ``"liberal"``
            covering both "liberal" and "very liberal". Without it, the
            ideology name itself is the allowed value.
        synthetic: True if the table is made-up demo data.
        notice: Text describing the data's origin (required when ``synthetic``).
    """

    def __init__(
        self,
        data: pd.DataFrame,
        fields: Mapping[str, Mapping[str, Any]],
        *,
        weight_column: str = "weight",
        ideology_column: str | None = None,
        ideology_groups: Mapping[str, Iterable[Any]] | None = None,
        synthetic: bool = False,
        notice: str | None = None,
    ) -> None:
        import pandas as pd

        if not isinstance(data, pd.DataFrame) or data.empty:
            raise ConfigError("survey data must be a non-empty pandas DataFrame")
        if weight_column not in data.columns:
            raise ConfigError(
                f"survey data has no weights column {weight_column!r}; columns are {list(data.columns)}"
            )
        weights = pd.to_numeric(data[weight_column], errors="coerce")
        if weights.isna().any() or (weights < 0).any() or not weights.map(math.isfinite).all():
            raise ConfigError(f"weights column {weight_column!r} must hold finite numbers >= 0")
        if ideology_column is not None and ideology_column not in data.columns:
            raise ConfigError(f"survey data has no ideology column {ideology_column!r}")
        if synthetic and not notice:
            raise ConfigError("synthetic survey data needs a notice saying it is synthetic")
        self.data = data
        self.weight_column = weight_column
        self.ideology_column = ideology_column
        self.ideology_groups = {str(k): list(v) for k, v in (ideology_groups or {}).items()}
        self.synthetic = bool(synthetic)
        self.notice = notice or "survey data supplied by the user"
        self.fields = self._checked_fields(fields)

    def _checked_fields(self, fields: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        if not isinstance(fields, Mapping) or not fields:
            raise ConfigError("fields must map codebook columns to {'sentence': ...} specs")
        checked: dict[str, dict[str, Any]] = {}
        for column, spec in fields.items():
            if column not in self.data.columns:
                raise ConfigError(f"fields names column {column!r}, which the survey data does not have")
            sentence = spec.get("sentence") if isinstance(spec, Mapping) else None
            if not isinstance(sentence, str) or "value" not in placeholders(sentence):
                raise ConfigError(
                    f"fields[{column!r}] needs a 'sentence' containing ${{value}}, got {spec!r}"
                )
            labels = {_code(k): str(v) for k, v in dict(spec.get("labels") or {}).items()}
            missing = {_code(m) for m in spec.get("missing") or ()}
            checked[column] = {
                "sentence": sentence,
                "labels": labels,
                "missing": missing,
                "lower": bool(spec.get("lower", False)),
                "keep_unlabelled": bool(spec.get("keep_unlabelled", False)),
            }
        return checked

    # -- building ------------------------------------------------------------------
    @classmethod
    def from_files(
        cls, csv_path: str | os.PathLike[str], mapping_path: str | os.PathLike[str]
    ) -> SurveyPersonas:
        """Load a CSV (``#`` lines are comments) and a JSON mapping file.

        The mapping holds ``fields`` and optionally ``weight_column``,
        ``ideology_column``, ``ideology_groups``, ``synthetic`` and ``notice``.
        """
        import pandas as pd

        with Path(mapping_path).open(encoding="utf-8") as handle:
            mapping = json.load(handle)
        data = pd.read_csv(csv_path, comment="#")
        return cls(
            data,
            mapping["fields"],
            weight_column=mapping.get("weight_column", "weight"),
            ideology_column=mapping.get("ideology_column"),
            ideology_groups=mapping.get("ideology_groups"),
            synthetic=bool(mapping.get("synthetic", False)),
            notice=mapping.get("notice"),
        )

    # -- selecting -----------------------------------------------------------------
    def filter_spec(
        self, ideology: str | None = None, filters: Mapping[str, Any] | None = None
    ) -> dict[str, list[Any]]:
        """Combine ``ideology`` and ``filters`` into one ``{column: allowed values}`` dict."""
        if filters is not None and not isinstance(filters, Mapping):
            raise ConfigError(
                "filters must be a dict {column: allowed value(s)}, e.g. {'state': ['Ohio', 'Iowa']}; "
                f"expressions are never evaluated, got {filters!r}"
            )
        spec = {str(c): _as_values(str(c), v) for c, v in (filters or {}).items()}
        if ideology is not None:
            if self.ideology_column is None:
                raise ConfigError("this survey data has no ideology column; use filters={column: values}")
            if self.ideology_groups:
                if ideology not in self.ideology_groups:
                    raise PersonaError(
                        f"unknown ideology {ideology!r}; choose one of {sorted(self.ideology_groups)}"
                    )
                allowed = self.ideology_groups[ideology]
            else:
                allowed = [ideology]
            if self.ideology_column in spec:
                raise ConfigError("give the ideology either as ideology= or in filters, not both")
            spec[self.ideology_column] = list(allowed)
        for column in spec:
            if column not in self.data.columns:
                raise ConfigError(
                    f"filter column {column!r} is not in the survey data; "
                    f"columns are {list(self.data.columns)}"
                )
        return spec

    def select(self, ideology: str | None = None, filters: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """The rows allowed by ``ideology`` and ``filters`` (all conditions must hold)."""
        return self._rows(self.filter_spec(ideology, filters))

    def _rows(self, spec: Mapping[str, list[Any]], query_str: str | None = None) -> pd.DataFrame:
        """The rows allowed by a :meth:`filter_spec` result and a pandas query string."""
        mask = None
        for column, allowed in spec.items():
            codes = {_code(v) for v in allowed}
            column_mask = self.data[column].map(_code).isin(codes)
            mask = column_mask if mask is None else mask & column_mask
        rows = self.data if mask is None else self.data[mask]
        if query_str is None:
            return rows
        try:
            found = rows.query(query_str)
        except Exception as exc:  # pandas raises many kinds for a bad expression
            raise PersonaError(
                f"query_str {query_str!r} is not a valid pandas query on the survey table "
                f"({type(exc).__name__}: {exc}); columns are {list(self.data.columns)}"
            ) from exc
        if not hasattr(found, "columns"):
            raise PersonaError(f"query_str {query_str!r} must select rows, e.g. \"state == 'Ohio'\"")
        return found

    def sample(
        self,
        *,
        seed: int | None = None,
        ideology: str | None = None,
        filters: Mapping[str, Any] | None = None,
        query_str: str | None = None,
    ) -> SurveyDraw:
        """Draw one respondent, weighted by the weights column.

        Args:
            seed: Makes the draw repeatable. ``None`` picks a fresh seed, which is
                recorded in the result so the draw can be repeated.
            ideology: Shortcut filter on the ideology column (see ``ideology_groups``).
            filters: ``{column: allowed value(s)}``; codes match loosely (4 == "4").
            query_str: A pandas query over the table, e.g. ``"age > 60"``.

        Raises:
            PersonaError: no row matches or the query is invalid (a
                :class:`~syndisco_widgets.errors.ConfigError`, as Plurals raises).
            ConfigError: the matching rows all weigh zero.
        """
        chosen = optional_seed("seed", seed)
        seed = random.SystemRandom().randrange(2**32) if chosen is None else chosen
        spec = self.filter_spec(ideology, filters)
        rows = self._rows(spec, query_str)
        if rows.empty:
            where = f"{spec} and query_str {query_str!r}" if query_str else str(spec)
            raise PersonaError(f"no survey respondent matches {where}")
        weights = [float(w) for w in rows[self.weight_column]]
        if sum(weights) <= 0:
            raise ConfigError(f"every respondent matching {spec} has weight 0; nothing can be drawn")
        position = random.Random(seed).choices(range(len(rows)), weights=weights, k=1)[0]
        row = rows.iloc[position]
        values = {str(k): _plain(v) for k, v in row.items()}
        return SurveyDraw(
            persona=self.persona_text(values),
            row=values,
            index=_plain(rows.index[position]),
            seed=seed,
            synthetic=self.synthetic,
            source=self.notice,
            filters=spec,
            query_str=query_str,
        )

    def persona_text(self, row: Mapping[str, Any]) -> str:
        """The persona sentences for one respondent, in ``fields`` order."""
        sentences = []
        for column, spec in self.fields.items():
            value = row.get(column)
            if _is_missing(value) or _code(value) in spec["missing"]:
                continue
            key = _code(value)
            if key in spec["labels"]:
                value = spec["labels"][key]
            elif spec["labels"] and not spec["keep_unlabelled"]:
                raise PersonaError(
                    f"column {column!r} has the code {value!r}, which its labels do not define "
                    f"(known codes: {sorted(spec['labels'])}); add it to labels or to missing"
                )
            shown = _code(value).lower() if spec["lower"] else _code(value)
            sentences.append(fill(spec["sentence"], value=shown))
        return " ".join(sentences)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        kind = "SYNTHETIC demo data" if self.synthetic else "user data"
        return f"SurveyPersonas({len(self)} respondents, {kind})"


@lru_cache(maxsize=1)
def _demo() -> SurveyPersonas:
    folder = resources.files(__package__).joinpath("data")
    with (
        resources.as_file(folder.joinpath(_DEMO_CSV)) as csv_path,
        resources.as_file(folder.joinpath(_DEMO_MAPPING)) as mapping_path,
    ):
        survey = SurveyPersonas.from_files(csv_path, mapping_path)
    if not survey.synthetic or set(survey.data["synthetic"]) != {"yes"}:
        raise ConfigError("the bundled demo table must be marked synthetic")  # guards edits to the file
    survey.notice = SYNTHETIC_NOTICE
    return survey


def load_demo_survey() -> SurveyPersonas:
    """The bundled, SYNTHETIC demo table (80 made-up respondents). Never real survey data."""
    return _demo()
