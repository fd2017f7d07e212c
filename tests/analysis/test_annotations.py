"""Annotation tables and agreement from annotate() logs (ScriptedModel annotators)."""

from __future__ import annotations

import math

import pytest

from syndisco_widgets import Actor, ActorType, Logs, Persona, ScriptedModel, annotate
from syndisco_widgets.analysis import (
    agreement,
    annotation_summary,
    annotation_table,
    label_counts,
    parse_label,
)
from syndisco_widgets.errors import ConfigError

DISCUSSION = Logs.from_lists(["Ann", "Bob", "Ann", "Bob"], ["hi", "you are wrong", "no", "ok then"])


def annotator(name, replies):
    return Actor(
        ScriptedModel(replies, name=f"m-{name}"), Persona(username=name), ActorType.ANNOTATOR, "", "Rate 1-3"
    )


@pytest.fixture
def two_annotators():
    first = annotate(DISCUSSION, annotator("R1", ["Toxicity: 1", "3", "2/3", "1."]))
    second = annotate(DISCUSSION, annotator("R2", ["1", "3", "1", "no idea"]))
    return [first, second]


def test_parse_label():
    assert parse_label("Toxicity: 4/5") == 4.0
    assert math.isnan(parse_label("none"))
    assert parse_label("In 2023 I'd say 2 of 5", scale=(1, 5)) == 2.0
    assert math.isnan(parse_label("2023", scale=(1, 5)))
    assert parse_label("  \nToxic.\nmore", "text") == "toxic"
    with pytest.raises(ConfigError, match="labels"):
        parse_label("x", "colour")


def test_annotation_table_lines_up_units(two_annotators):
    table = annotation_table(two_annotators)
    assert len(table) == 8
    assert table["annotator"].tolist() == ["R1"] * 4 + ["R2"] * 4
    assert table["target"].tolist() == [0, 1, 2, 3] * 2
    assert table["target_text"].tolist()[:4] == [e["text"] for e in DISCUSSION]
    assert table["label"].tolist()[:4] == [1.0, 3.0, 2.0, 1.0]
    assert math.isnan(table["label"].tolist()[7])


def test_annotation_summary_by_hand(two_annotators):
    summary = annotation_summary(annotation_table(two_annotators)).set_index("annotator")
    assert summary.loc["R1", "labelled"] == 4 and summary.loc["R2", "labelled"] == 3
    assert summary.loc["R1", "mean"] == pytest.approx((1 + 3 + 2 + 1) / 4)
    assert summary.loc["R2", "mean"] == pytest.approx((1 + 3 + 1) / 3)
    assert summary.loc["R1", "most_common"] == 1.0


def test_agreement_by_hand(two_annotators):
    # Units labelled by both: (1,1) (3,3) (2,1); unit 4 has one label.
    # nominal: o_11=2, o_33=2, o_21=o_12=1; n_1=3, n_2=1, n_3=2, n=6.
    # D_o = 2/6; D_e = (2*(3*1 + 3*2 + 1*2))/30 = 22/30; alpha = 1 - (1/3)/(22/30) = 6/11.
    row = agreement(annotation_table(two_annotators)).iloc[0]
    assert row["annotators"] == 2 and row["units"] == 3
    assert row["alpha"] == pytest.approx(6 / 11)
    # kappa on the 3 shared units: p_o = 2/3; R1 {1,3,2}, R2 {1,3,1}: p_e = (1*2 + 1*1)/9 = 1/3 -> 0.5
    assert row["mean_kappa"] == pytest.approx(0.5)


def test_label_counts(two_annotators):
    counts = label_counts(annotation_table(two_annotators))
    assert counts.loc["R1"].to_dict() == {1.0: 2, 2.0: 1, 3.0: 1}
    assert counts.loc["R2"].to_dict() == {1.0: 2, 2.0: 0, 3.0: 1}


def test_annotation_folder(tmp_path, two_annotators):
    for i, logs in enumerate(two_annotators):
        logs.export(tmp_path / f"annotations-{i}.json")
    DISCUSSION.export(tmp_path / "not-annotations.json")
    table = annotation_table(tmp_path)
    assert sorted(table["annotator"].unique()) == ["R1", "R2"]
    assert len(table) == 8


def test_not_annotations_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="annotate\\(\\) returns"):
        annotation_table(DISCUSSION)
    with pytest.raises(ConfigError, match="no annotation files"):
        annotation_table(tmp_path)
