"""DiscussionStudio: pre-filled set-up, start, live discussion, table and exports."""

from __future__ import annotations

import csv

import pandas as pd

from syndisco_widgets.engine import Logs, Persona, RandomWeighted
from syndisco_widgets.models import ScriptedModel
from syndisco_widgets.widgets import DiscussionStudio

PERSONAS = [Persona(username="Emma35", age=38), {"username": "Giannis", "age": 21}]


def test_prefilled_studio_builds_the_discussion_at_once(closing):
    model = ScriptedModel(["hello"])
    studio = closing(
        DiscussionStudio(
            model,
            PERSONAS,
            RandomWeighted(p_respond=0.5, seed=1),
            moderator="Mod",
            conv_len=2,
            history_context_len=3,
        )
    )
    d = studio.discussion
    assert d is not None and studio.logs is d.logs
    assert [a.name for a in d.participants] == ["Emma35", "Giannis", "Mod"]
    assert d.conv_len == 2 and d.history_context_len == 3
    assert studio.turn_selector.kind.value == "random_weighted" and studio.turn_selector.seed.value == "1"
    assert studio.turn_selector.names == ["Emma35", "Giannis"]
    descriptions = {
        b.description
        for b in (
            studio.controls.step_button,
            studio.controls.run_button,
            studio.controls.stop_button,
            studio.controls.branch_button,
        )
    }
    assert descriptions == {"Step", "Run", "Stop", "Branch"}

    studio.controls.run_button.click()
    assert studio.runner.wait(5)
    assert studio.runner.state == "finished"
    assert [e["name"] for e in studio.transcript.entries] == [e["name"] for e in studio.logs]
    assert len(studio.explorer.branches) == 1


def test_setup_folds_away_only_when_the_studio_starts_by_itself(closing):
    started = closing(DiscussionStudio(ScriptedModel(), PERSONAS))
    assert started.discussion is not None and started.setup.selected_index is None
    assert started.sidebar.layout.display == "none" and started.show_setup_button.layout.display == ""
    started.show_setup_button.click()
    assert started.sidebar.layout.display == "" and started.show_setup_button.layout.display == "none"
    waiting = closing(DiscussionStudio(ScriptedModel(), PERSONAS, start=False))
    assert waiting.discussion is None and waiting.setup.selected_index == 1  # 2. Personas
    empty = closing(DiscussionStudio())
    assert empty.setup.selected_index == 0  # 1. Model


def test_setup_problems_show_inline(closing):
    studio = closing(DiscussionStudio())
    assert studio.discussion is None
    assert studio.controls.step_button.disabled
    studio.start_button.click()
    assert "Load a model first" in studio.setup_status.value
    studio.model_picker.use(ScriptedModel())
    studio.start_button.click()
    assert "Add at least one persona" in studio.setup_status.value
    studio.persona_editor.value = [Persona(username="Ann"), Persona(username="Bob")]
    studio.persona_editor.fields["age"].value = "old"
    studio.start_button.click()
    assert "Fix the persona fields" in studio.setup_status.value
    studio.persona_editor.fields["age"].value = ""
    studio.turn_selector.kind.value = "custom"
    studio.turn_selector.order.value = "Ann, Zed"
    studio.start_button.click()
    assert "Zed" in studio.setup_status.value and studio.discussion is None

    studio.turn_selector.order.value = "Bob, Ann"
    studio.start_button.click()
    assert studio.discussion is not None and "Started" in studio.setup_status.value
    studio.controls.step_button.click()
    assert studio.runner.wait(5)
    assert studio.logs[0]["name"] == "Bob"


def test_restart_keeps_the_old_discussion_under_branches(closing):
    studio = closing(DiscussionStudio(ScriptedModel(), PERSONAS, conv_len=2))
    first = studio.discussion
    studio.controls.run_button.click()
    studio.controls.branch_button.click()
    assert studio.runner.wait(5) and len(studio.explorer.branches) == 2
    studio.persona_editor.add(Persona(username="Cy"))
    studio.start_button.click()
    assert studio.discussion is not first and len(studio.logs) == 0
    assert [u.name for u in studio.discussion.users] == ["Emma35", "Giannis", "Cy"]
    assert studio.transcript.entries == []
    assert len(studio.explorer.branches) == 3  # main and its branch are kept; the new one is a new root
    assert studio.explorer.branches[0].discussion is first and len(first.logs) == 2
    assert studio.explorer.live.label == "discussion 2"
    assert "kept under Branches" in studio.setup_status.value


def test_table_escapes_model_text(closing):
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    studio = closing(DiscussionStudio(ScriptedModel([payload]), PERSONAS, conv_len=1))
    studio.controls.step_button.click()
    assert studio.runner.wait(5)
    frame = studio.table()
    assert isinstance(frame, pd.DataFrame) and frame.loc[0, "text"] == payload
    # The browser sets every cell with textContent (js/transcript.test.js checks it): the
    # row carries the text as text, never as markup.
    assert studio.log_table.rows[0].text == payload
    assert studio.log_table.body.wire_snapshot()["entries"][0]["text"] == payload


def test_export_writes_json_and_csv_with_fresh_names(closing, tmp_path):
    studio = closing(
        DiscussionStudio(
            ScriptedModel(['a, "quoted" reply']), PERSONAS, conv_len=2, export_dir=tmp_path / "out"
        )
    )
    studio.controls.run_button.click()
    assert studio.runner.wait(5)
    studio.json_button.click()
    studio.json_button.click()
    studio.csv_button.click()
    jsons = sorted((tmp_path / "out").glob("*.json"))
    csvs = sorted((tmp_path / "out").glob("*.csv"))
    assert len(jsons) == 2 and len(csvs) == 1  # no overwrite
    assert Logs.from_file(jsons[0]) == studio.logs  # prompts included
    table = pd.read_csv(csvs[0])
    assert list(table["text"]) == [e["text"] for e in studio.logs]
    assert str(csvs[0]) in studio.export_status.value


def test_export_before_start_is_a_note(closing, tmp_path):
    studio = closing(DiscussionStudio(export_dir=tmp_path))
    studio.json_button.click()
    assert "nothing to export yet" in studio.export_status.value
    assert list(tmp_path.iterdir()) == []


def test_table_follows_a_message_sent_while_idle(closing):
    studio = closing(DiscussionStudio(ScriptedModel(["hi"]), PERSONAS, conv_len=3))
    studio.controls.step_button.click()
    assert studio.runner.wait(5) and studio.runner.state == "idle"
    studio.runner.inject("Emma35", "sent <b>by hand</b>")
    assert studio.runner.wait(5) and len(studio.logs) == 2
    assert studio.log_table.rows[-1].text == "sent <b>by hand</b>"
    assert studio.log_table.body._tail["entry"]["text"] == "sent <b>by hand</b>"  # one row sent


def test_setup_edits_after_start_say_start_to_apply(closing):
    studio = closing(DiscussionStudio(ScriptedModel(["hi"]), PERSONAS, conv_len=3))
    assert not studio.setup_changed
    studio.persona_editor.add(Persona(username="Cy"))
    studio.turn_selector.kind.value = "random_weighted"
    assert studio.setup_changed
    assert "Set-up changed: press Start to apply" in studio.setup_status.value
    assert "sdw-warn" in studio.setup_status._dom_classes
    assert studio.start_button.description == "Start with the new set-up"
    studio.controls.step_button.click()  # the live discussion keeps its own set-up until Start
    assert studio.runner.wait(5)
    assert [u.name for u in studio.discussion.users] == ["Emma35", "Giannis"]
    studio.start_button.click()
    assert [u.name for u in studio.discussion.users] == ["Emma35", "Giannis", "Cy"]
    assert not studio.setup_changed and studio.start_button.description == "Start discussion"


def test_after_close_every_control_is_visibly_closed(closing):
    studio = DiscussionStudio(ScriptedModel(["hi"]), PERSONAS, conv_len=3)
    studio.close()
    controls = studio.controls
    assert studio.runner.state == "closed"
    assert "Closed" in controls.status.value
    for b in (controls.step_button, controls.run_button, controls.branch_button, controls.reset_button):
        assert b.disabled and b.tooltip.startswith("Closed")
    assert controls.send_button.disabled and controls.message.disabled
    assert studio.start_button.disabled and "Closed" in studio.setup_status.value
    assert controls.send_message() is False and "closed" in controls.message_error.value
    assert studio.start() is False


def test_run_shows_progress_of_turns(closing):
    studio = closing(DiscussionStudio(ScriptedModel(["a b c"]), PERSONAS, conv_len=3))
    seen = []
    studio.controls.progress.observe(lambda c: seen.append(c["new"]), names="value")
    studio.controls.run_button.click()
    assert studio.runner.wait(5)
    assert seen[-1] == 3 and studio.controls.progress.max == 3
    assert "3 of 3 user turns done" in studio.controls.progress_text.value
    assert studio.controls.progress_box.layout.display == "none"  # hidden again once the run ends


def test_table_filters_and_sorts(closing):
    studio = closing(
        DiscussionStudio(ScriptedModel(["short", "a much longer reply here"]), PERSONAS, conv_len=4)
    )
    studio.controls.run_button.click()
    assert studio.runner.wait(5)
    table = studio.log_table
    assert [r.number for r in table.rows] == [1, 2, 3, 4]
    table.speaker.value = "Giannis"
    assert {r.speaker for r in table.rows} == {"Giannis"} and "Showing 2 of 4 messages" in table.summary.value
    table.speaker.value = ""
    table.sort.value = "length"
    assert table.rows[0].words >= table.rows[-1].words
    table.query.value = "LONGER"
    assert all("longer" in r.text for r in table.rows)
    assert (table.body.query, table.body.sort) == ("LONGER", "length")  # the browser filters alike
    assert set(table.body.wire_snapshot()["entries"][0]) == {"number", "speaker", "kind", "text", "saw"}


def test_export_is_named_by_branch_and_offered_as_a_download(closing, tmp_path):
    studio = closing(DiscussionStudio(ScriptedModel(["hi"]), PERSONAS, conv_len=2, export_dir=tmp_path))
    studio.controls.step_button.click()
    studio.controls.branch_button.click()
    assert studio.runner.wait(5)
    path = studio.export_csv()
    assert path is not None and path.name.startswith("anonymous--branch-1-")  # no study: no study part
    with path.open(encoding="utf-8", newline="") as table:
        assert next(csv.DictReader(table))["turn"] == "1"  # turns count from 1
    assert 'download="' + path.name in studio.export_status.value
    studio.runner.switch(studio.explorer.branches[0].discussion)
    assert studio.runner.wait(5)
    assert studio.export_status.value == ""  # the note about another branch's file is gone


def test_a_broken_insights_tab_says_so_inline_and_the_studio_still_runs(closing, monkeypatch):
    from syndisco_widgets.widgets import insights

    def broken(*_args, **_kwargs):
        raise RuntimeError("viewer assets <missing>")

    monkeypatch.setattr(insights, "InsightsView", broken)
    studio = closing(DiscussionStudio(ScriptedModel(["hello"]), PERSONAS, conv_len=2))
    titles = [studio.tabs.get_title(i) for i in range(len(studio.tabs.panes))]
    assert titles == ["Branches", "Table", "Insights", "Export"]
    tab = studio.tabs.panes[titles.index("Insights")]
    assert "Insights could not be drawn" in tab.value
    assert "viewer assets &lt;missing&gt;" in tab.value  # the reason, escaped
    assert studio.insights is None
    studio.controls.run_button.click()
    assert studio.runner.wait(5)
    assert studio.runner.state == "finished" and len(studio.logs) == 2


def test_the_insights_tab_follows_the_discussion(closing):
    studio = closing(DiscussionStudio(ScriptedModel(["hello there"]), PERSONAS, conv_len=2))
    studio.controls.run_button.click()
    assert studio.runner.wait(5)
    assert studio.insights is not None
    assert "hello there" in str(studio.insights.payload)


def test_one_persona_list_drives_the_preview_and_the_studio(closing):
    """As in the quickstart: the editor of section 2 feeds the preview of section 3 and the studio."""
    from syndisco_widgets.widgets import PersonaEditor, TurnManagerSelector

    editor = PersonaEditor(PERSONAS)
    turns = TurnManagerSelector(editor)
    studio = closing(DiscussionStudio(ScriptedModel(["hi"]), editor, turns, conv_len=2))
    assert studio.persona_editor is editor and studio.turn_selector is turns
    assert "Emma35 → Giannis" in turns.preview.value

    editor.fields["username"].value = "Emma"  # a person renames Emma35 in section 2
    assert turns.names == ["Emma", "Giannis"]
    assert "Emma → Giannis" in turns.preview.value and "Emma35" not in turns.preview.value
    assert studio.setup_changed
    assert "press Start to apply" in studio.setup_status.value
    studio.start_button.click()
    assert [a.name for a in studio.discussion.users] == ["Emma", "Giannis"]
    assert [label for label, _v in studio.controls.speaker.options] == ["Emma", "Giannis"]


def test_the_topic_is_stated_to_speakers_and_shown_above_the_transcript(closing):
    model = ScriptedModel(["hi"])
    studio = closing(DiscussionStudio(model, PERSONAS, conv_len=1, topic="Should <b>buses</b> be free?"))
    assert "Topic" in studio.topic_note.value
    assert "Should &lt;b&gt;buses&lt;/b&gt; be free?" in studio.topic_note.value  # escaped
    studio.controls.step_button.click()
    assert studio.runner.wait(5)
    assert "Should <b>buses</b> be free?" in model.calls[0].system  # built through the Study
    studio.settings.topic.value = ""
    studio.start()
    assert studio.topic_note.value == ""  # no topic and no opening post: nothing to say


def test_without_a_topic_the_opening_post_is_shown(closing):
    studio = closing(
        DiscussionStudio(
            ScriptedModel(["hi"]),
            PERSONAS,
            topic="",
            seed_opinions=["Cars out of the centre!"],
            seed_opinion_usernames=["Emma35"],
        )
    )
    assert "Opening post" in studio.topic_note.value and "Cars out of the centre!" in studio.topic_note.value


def test_start_builds_through_a_study_of_the_set_up(closing):
    studio = closing(
        DiscussionStudio(ScriptedModel(["hi"]), PERSONAS, moderator="Mod", conv_len=3, start=False)
    )
    study = studio.setup_study("class")
    assert study.usernames == ["Emma35", "Giannis"] and study.conv_len == 3 and study.moderator is not None
    assert studio.start()
    assert [a.name for a in studio.discussion.participants] == ["Emma35", "Giannis", "Mod"]


def test_compare_spans_the_whole_width_below_the_set_up(closing):
    studio = closing(DiscussionStudio(ScriptedModel(["hi"]), PERSONAS))
    assert studio.explorer.compare_box in studio.children  # not inside the stage beside the set-up
    assert studio.explorer.compare_box not in studio.stage.children


def test_tabs_switch_by_their_strip(closing):
    studio = closing(DiscussionStudio(ScriptedModel(["hi"]), PERSONAS))
    assert studio.tabs.titles == ["Branches", "Table", "Insights", "Export"]
    studio.tabs.strip.selected_index = 3  # what a click in the browser sets
    assert studio.tabs.pane("Export").layout.display == ""
    assert all(p.layout.display == "none" for p in studio.tabs.panes[:3])
