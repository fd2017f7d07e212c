"""The per-call options of the model contract: mapping, layering and cutting at stops."""

from __future__ import annotations

import pytest

from syndisco_widgets.errors import ConfigError
from syndisco_widgets.models import GenerationOptions
from syndisco_widgets.models.base import cut_at_stop


def test_reference_keys_map_to_options():
    options = GenerationOptions.from_kwargs({"temperature": 1.0, "max_tokens": 5, "stop": "\n"})
    assert options == GenerationOptions(temperature=1.0, max_new_tokens=5, stop=("\n",))
    assert options.as_dict() == {"temperature": 1.0, "max_new_tokens": 5, "stop": ["\n"]}


def test_unknown_key_names_close_matches():
    with pytest.raises(ConfigError, match=r"'temprature'.*did you mean 'temperature'"):
        GenerationOptions.from_kwargs({"temprature": 0.2})


def test_laid_over_base_given_settings_win_and_stops_add_up():
    base = GenerationOptions(temperature=0.7, top_p=0.9, stop=("<end>",))
    call = GenerationOptions(temperature=0, stop=("\n[",))
    merged = call.over(base)
    assert merged.temperature == 0 and merged.top_p == 0.9
    assert merged.stop == ("<end>", "\n[")
    assert GenerationOptions().over(base) == base


def test_cut_at_stop_takes_the_earliest_stop():
    assert cut_at_stop("hi there\n[Bob]: forged", ("\n[", "there")) == "hi "
    assert cut_at_stop("no stop here", ("\n[",)) == "no stop here"
    assert cut_at_stop("empty stops are ignored", ("",)) == "empty stops are ignored"
