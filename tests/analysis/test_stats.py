"""Per-discussion tables against figures counted by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from syndisco_widgets import Logs
from syndisco_widgets.analysis import (
    discussion_table,
    links,
    speaking_share,
    transitions,
    turn_lengths,
    word_count,
)
from syndisco_widgets.analysis.core import hue_of, mentions
from syndisco_widgets.errors import ConfigError
from tests.engine.helpers import make_discussion

# Ann 3 turns (2+4+1 = 7 words), Bob 2 turns (3+2 = 5 words), Mod 1 turn (4 words): 16 words, 6 turns.
ENTRIES = [
    {"name": "Ann", "text": "phones help", "role": "user", "source": "seed"},
    {"name": "Bob", "text": "I disagree, Ann", "role": "user", "source": "model"},
    {"name": "Ann", "text": "why do you, @bob?", "role": "user", "source": "model"},
    {"name": "Mod", "text": "please stay on topic", "role": "moderator", "source": "model"},
    {"name": "Ann", "text": "sure", "role": "user", "source": "model"},
    {"name": "Bob", "text": "fine, fine", "role": "user", "source": "human"},
]
LOGS = Logs(ENTRIES)


def test_word_count_is_str_split():
    assert word_count("  a b\tc\nd ") == 4
    assert word_count("") == 0
    assert word_count(None) == 0


def test_speaking_share_by_hand():
    share = speaking_share(LOGS)
    assert list(share.columns) == ["speaker", "turns", "words", "turn_share", "word_share"]
    assert share["speaker"].tolist() == ["Ann", "Bob", "Mod"]
    assert share["turns"].tolist() == [3, 2, 1]
    assert share["words"].tolist() == [7, 5, 4]
    assert share["turn_share"].tolist() == pytest.approx([3 / 6, 2 / 6, 1 / 6])
    assert share["word_share"].tolist() == pytest.approx([7 / 16, 5 / 16, 4 / 16])


def test_turn_lengths_by_hand():
    lengths = turn_lengths(LOGS)
    assert lengths["words"].tolist() == [2, 3, 4, 4, 1, 2]
    assert lengths["characters"].tolist() == [len(e["text"]) for e in ENTRIES]
    assert lengths["role"].tolist()[3] == "moderator"
    assert lengths["source"].tolist()[-1] == "human"


def test_transitions_by_hand():
    # Ann->Bob, Bob->Ann, Ann->Mod, Mod->Ann, Ann->Bob
    counts = transitions(LOGS)
    expected = pd.DataFrame(
        [[0, 2, 1], [1, 0, 0], [1, 0, 0]],
        index=pd.Index(["Ann", "Bob", "Mod"], name="after"),
        columns=pd.Index(["Ann", "Bob", "Mod"], name="next"),
    )
    pd.testing.assert_frame_equal(counts, expected)
    rows = transitions(LOGS, normalize="rows")
    assert rows.loc["Ann"].tolist() == pytest.approx([0, 2 / 3, 1 / 3])
    with pytest.raises(ValueError, match="normalize"):
        transitions(LOGS, normalize="cols")


def test_links_replies_and_mentions():
    table = links(LOGS)
    replies = table[table["kind"] == "reply"][["turn", "speaker", "target"]].to_numpy().tolist()
    assert replies == [
        [1, "Bob", "Ann"],
        [2, "Ann", "Bob"],
        [3, "Mod", "Ann"],
        [4, "Ann", "Mod"],
        [5, "Bob", "Ann"],
    ]
    found = table[table["kind"] == "mention"][["turn", "speaker", "target"]].to_numpy().tolist()
    assert found == [[1, "Bob", "Ann"], [2, "Ann", "Bob"]]


def test_mentions_are_whole_words_and_not_oneself():
    assert mentions("Annabel and @ann", ["Ann", "Annabel"], own=None) == ["Annabel", "Ann"]
    assert mentions("I, Ann, think", ["Ann"], own="Ann") == []
    assert mentions("Bobby", ["Bob"]) == []


def test_discussion_table_with_design_columns():
    row = discussion_table(LOGS, discussion=3, condition="calm").iloc[0]
    assert row["discussion"] == 3 and row["condition"] == "calm"
    assert row["turns"] == 6 and row["speakers"] == 3 and row["words"] == 16
    assert row["mean_words"] == pytest.approx(16 / 6)
    assert row["moderator_turns"] == 1 and row["human_turns"] == 1
    assert row["top_share"] == pytest.approx(7 / 16)
    assert row["mentions"] == 2


def test_empty_discussion_has_no_nan_or_error():
    assert speaking_share(Logs()).empty
    assert transitions(Logs()).shape == (0, 0)
    row = discussion_table(Logs()).iloc[0]
    assert row["turns"] == 0 and row["mean_words"] == 0 and not math.isnan(row["top_share"])


def test_sources_discussion_file_and_jsonl(tmp_path):
    conv = make_discussion(conv_len=4, autosave_dir=tmp_path)
    conv.begin(verbose=False)
    exported = conv.logs.export(tmp_path / "run.discussion.json")
    for source in (conv, conv.logs, exported, str(conv.log_path), list(conv.logs)):
        assert speaking_share(source)["turns"].sum() == 4


def test_bad_source_names_the_parameter(tmp_path):
    with pytest.raises(ConfigError, match="source must be Logs"):
        speaking_share(42)
    with pytest.raises(ConfigError, match="experiment_table"):
        speaking_share(tmp_path)


def test_hue_matches_the_javascript_hash():
    # Values printed by js/transcript.js hueOf for the same names.
    assert [hue_of(n) for n in ["Alice", "Bob", "Zoë", "😀x"]] == [143, 220, 127, 152]
