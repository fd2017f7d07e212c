"""The reference library's ANES table, when a ``plurals`` distribution is installed.

``persona='random'``, ``ideology=`` and ``query_str=`` draw from the ANES
table and persona mapping that the ``plurals`` package ships, so results can
be compared with the reference. The files are found through the installed
distribution's metadata (:mod:`importlib.metadata`); ``plurals`` itself is
never imported (it would load its API clients). Without it, agents use the
bundled SYNTHETIC demo table and warn.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .survey import SurveyPersonas

if TYPE_CHECKING:
    from collections.abc import Mapping

#: The distribution looked for.
DISTRIBUTION = "plurals"
#: The ANES wave the reference uses; ``age`` is computed from ``birthyr`` with it.
SURVEY_YEAR = 2024

_MAPPING_NAME = "anes-mapping.yaml"
_WEIGHT = "weight"
_IDEOLOGY = "ideo5"
# The reference's ideology words and the ideo5 answers each covers.
IDEOLOGY_GROUPS: dict[str, list[str]] = {
    "liberal": ["Liberal", "Very liberal"],
    "conservative": ["Conservative", "Very conservative"],
    "moderate": ["Moderate"],
    "very liberal": ["Very liberal"],
    "very conservative": ["Very conservative"],
}

_cache: dict[str, SurveyPersonas] = {}


def _files(dist: importlib.metadata.Distribution) -> tuple[Path, Path] | None:
    """The mapping YAML and the ANES CSV inside an installed distribution, if both are there."""
    listed = [Path(str(dist.locate_file(f))) for f in dist.files or ()]
    mapping = next((p for p in listed if p.name == _MAPPING_NAME), None)
    tables = sorted(
        p for p in listed if p.suffix == ".csv" and p.name.startswith("anes") and "data" in p.parts
    )
    if mapping is None or not tables or not mapping.is_file() or not tables[-1].is_file():
        return None
    return mapping, tables[-1]


def _fields(mapping: Mapping[str, Any], where: Path) -> dict[str, dict[str, Any]]:
    """The reference's ``{column: {name, recode_vals, bad_vals}}`` as SurveyPersonas fields."""
    fields: dict[str, dict[str, Any]] = {}
    for column, spec in mapping.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise ConfigError(f"{where}: entry {column!r} needs a 'name' text")
        recode = {str(k): str(v).lower() for k, v in dict(spec.get("recode_vals") or {}).items()}
        fields[str(column)] = {
            "sentence": spec["name"] + " ${value}.",
            "labels": recode,
            "missing": [str(v) for v in spec.get("bad_vals") or ()],
            "lower": True,
            "keep_unlabelled": True,
        }
    return fields


def _load(mapping_path: Path, table_path: Path, version: str) -> SurveyPersonas:
    import pandas as pd
    import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints

    try:
        mapping = yaml.safe_load(mapping_path.read_text(encoding="utf-8"))
        data = pd.read_csv(table_path, low_memory=False)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
        raise ConfigError(f"the installed plurals data could not be read ({exc}); reinstall plurals") from exc
    if not isinstance(mapping, dict):
        raise ConfigError(f"{mapping_path}: expected a mapping of survey columns")
    data = data.dropna(subset=[_WEIGHT])
    if "birthyr" in data.columns:  # as the reference does: the table's own age column is text
        data["age"] = SURVEY_YEAR - pd.to_numeric(data["birthyr"], errors="coerce")
    fields = {c: f for c, f in _fields(mapping, mapping_path).items() if c in data.columns}
    return SurveyPersonas(
        data,
        fields,
        weight_column=_WEIGHT,
        ideology_column=_IDEOLOGY if _IDEOLOGY in data.columns else None,
        ideology_groups=IDEOLOGY_GROUPS if _IDEOLOGY in data.columns else None,
        notice=f"ANES {SURVEY_YEAR} pilot table from the installed plurals {version} ({table_path})",
    )


def plurals_survey() -> SurveyPersonas | None:
    """The installed ``plurals`` distribution's ANES table, or None when it is not installed.

    Raises:
        ConfigError: the distribution is there but its data cannot be read.
    """
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    found = _files(dist)
    if found is None:
        return None
    key = f"{found[0]}|{found[1]}"
    if key not in _cache:
        _cache[key] = _load(*found, dist.version)
    return _cache[key]
