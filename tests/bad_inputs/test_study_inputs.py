# mypy: disable-error-code="arg-type"
# (wrong types are what this table passes on purpose)
"""Bad input to study files, run records, usage and exports: each error names the parameter or file."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from syndisco_widgets import Logs, Persona, ScriptedModel
from syndisco_widgets.engine.exports import export_run, load_exports
from syndisco_widgets.engine.run_record import start_run_record
from syndisco_widgets.engine.study import Study
from syndisco_widgets.engine.usage import Price, summarize_usage
from syndisco_widgets.errors import ConfigError, StudyError, StudyVersionError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

BASE = {"version": 1, "name": "s", "personas": [{"username": "Ann"}]}


def _file(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


CASES: list[tuple[str, Callable[[Path], object], type[Exception], str]] = [
    ("study path not a path", lambda t: Study.load(3), StudyError, "path"),
    ("study file missing", lambda t: Study.load(t / "none.json"), StudyError, "none.json"),
    ("study file not JSON", lambda t: Study.load(_file(t, "b.json", "{")), StudyError, "b.json"),
    ("study newer version", lambda t: Study.from_dict({**BASE, "version": 9}), StudyVersionError, "version"),
    ("study unknown field", lambda t: Study.from_dict({**BASE, "turns": 3}), StudyError, "turns"),
    ("study wrong type", lambda t: Study.from_dict({**BASE, "conv_len": 2.5}), StudyError, "conv_len"),
    ("study not an object", lambda t: Study.from_dict(["Ann"]), StudyError, "one object"),
    ("study save path", lambda t: Study.from_dict(BASE).save(None), StudyError, "path"),
    (
        "setup generation key",
        lambda t: Study.from_setup(name="s", personas=[Persona("Ann")], generation={"temp": 1}),
        StudyError,
        "temp",
    ),
    (
        "setup seed lengths",
        lambda t: Study.from_setup(name="s", personas=[Persona("Ann")], seed_opinions=["hi"]),
        StudyError,
        "seed_opinion_usernames",
    ),
    (
        "setup moderator type",
        lambda t: Study.from_setup(name="s", personas=[Persona("Ann")], moderator=5),
        StudyError,
        "moderator",
    ),
    (
        "build with a non-model",
        lambda t: Study.from_dict(BASE).build_discussion(model="tiny"),
        ConfigError,
        "model",
    ),
    ("run record non-model", lambda t: start_run_record(["tiny"]), TypeError, "models"),
    ("price negative", lambda t: Price(-1, 0), ConfigError, "input_per_million"),
    ("price currency blank", lambda t: Price(1, 1, currency=" "), ConfigError, "currency"),
    ("usage source type", lambda t: summarize_usage(3.5), ConfigError, "source"),
    ("usage price type", lambda t: summarize_usage(Logs(), price=2), ConfigError, "price"),
    ("export participant blank", lambda t: export_run(Logs(), t, participant=""), ConfigError, "participant"),
    (
        "export branch blank",
        lambda t: export_run(Logs(), t, participant="A", branch=" "),
        ConfigError,
        "branch",
    ),
    ("export study type", lambda t: export_run(Logs(), t, participant="A", study="s"), ConfigError, "study"),
    ("export source type", lambda t: export_run(ScriptedModel(), t, participant="A"), ConfigError, "source"),
    ("exports folder missing", lambda t: load_exports(t / "nowhere"), ConfigError, "nowhere"),
    ("exports folder empty", load_exports, ConfigError, "no study exports"),
]


@pytest.mark.parametrize(("case", "make", "error", "names"), CASES, ids=[c[0] for c in CASES])
def test_bad_study_input_is_refused_clearly(
    case: str, make: Callable[[Path], object], error: type[Exception], names: str, tmp_path: Path
) -> None:
    with pytest.raises(error) as caught:
        make(tmp_path)
    assert names in str(caught.value), f"{case}: {caught.value}"
