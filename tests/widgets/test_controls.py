"""DiscussionControls driven like a user: clicks, the message box and the status line."""

from __future__ import annotations

import threading

from widget_helpers import LONG_REPLY, Gate, make_discussion

from syndisco_widgets.models import BaseModel, ScriptedModel
from syndisco_widgets.widgets import DiscussionControls, TranscriptView


def buttons(controls: DiscussionControls) -> dict[str, bool]:
    """Button description -> enabled."""
    bs = [
        controls.step_button,
        controls.run_button,
        controls.stop_button,
        controls.branch_button,
        controls.reset_button,
        controls.send_button,
    ]
    return {b.description: not b.disabled for b in bs}


def test_buttons_are_labelled_and_enabled_by_state(closing):
    gate = Gate()
    controls = closing(DiscussionControls(make_discussion(ScriptedModel(gate), conv_len=1)))
    assert buttons(controls) == {
        "Step": True,
        "Run": True,
        "Stop": False,
        "Branch": True,
        "Start over": True,
        "Send": True,
    }
    controls.run_button.click()
    assert gate.entered.wait(5)
    assert buttons(controls) == {
        "Step": False,
        "Run": False,
        "Stop": True,
        "Branch": False,
        "Start over": False,
        "Send": True,
    }
    assert "Running" in controls.status.value
    gate.opened.set()
    assert controls.runner.wait(5)
    assert buttons(controls)["Step"] is False and buttons(controls)["Run"] is False  # finished
    assert buttons(controls)["Branch"] is True
    assert "Finished" in controls.status.value


def test_works_alone_with_its_own_transcript(closing):
    discussion = make_discussion()
    controls = closing(DiscussionControls(discussion))
    assert isinstance(controls.transcript, TranscriptView)
    assert controls.transcript in controls.children
    controls.step_button.click()
    controls.step_button.click()
    assert controls.runner.wait(5)
    assert [e["name"] for e in controls.transcript.entries] == ["Emma35", "Giannis"]


def test_shared_transcript_is_not_shown_twice(closing):
    view = TranscriptView()
    controls = closing(DiscussionControls(make_discussion(), view))
    assert controls.transcript is view and view not in controls.children


def test_stop_click_mid_turn_discards_the_turn(closing):
    model = ScriptedModel([LONG_REPLY], token_delay=0.01)
    controls = closing(DiscussionControls(make_discussion(model)))
    first = threading.Event()
    controls.runner.on_text(lambda _d: first.set())
    controls.run_button.click()
    assert first.wait(5)
    controls.stop_button.click()
    assert controls.runner.wait(5)
    assert len(controls.discussion.logs) == 0 and controls.transcript.entries == []
    assert "Stopped" in controls.status.value
    assert buttons(controls)["Step"] is True and buttons(controls)["Stop"] is False


def test_send_injects_as_participant_or_moderator(closing):
    controls = closing(DiscussionControls(make_discussion(moderator="Mod")))
    assert [v for _l, v in controls.speaker.options] == ["Emma35", "Giannis", "Mod"]
    assert dict(controls.speaker.options)["Mod (moderator)"] == "Mod"

    controls.speaker.value = "Mod"
    controls.message.value = "Please stay on topic."
    controls.send_button.click()
    assert controls.runner.wait(5)
    entry = controls.discussion.logs[-1]
    assert (entry["name"], entry["role"], entry["source"]) == ("Mod", "moderator", "human")
    assert controls.message.value == ""
    assert controls.transcript.entries[-1]["source"] == "human"


def test_send_with_empty_text_shows_a_note_and_adds_nothing(closing):
    controls = closing(DiscussionControls(make_discussion()))
    controls.message.value = "   "
    controls.send_button.click()
    assert controls.runner.wait(5)
    assert len(controls.discussion.logs) == 0
    assert "Message: type something first" in controls.message_error.value
    assert "sdw-error" in controls.message_error._dom_classes
    assert "Ready" in controls.status.value  # the badge stays: an empty box is not a broken discussion


def test_ctrl_enter_in_the_message_box_sends(closing):
    controls = closing(DiscussionControls(make_discussion()))
    controls.speaker.value = "Giannis"
    # What the browser sends on Ctrl+Enter (or Cmd+Enter) in the box.
    controls.message._handle_custom_msg({"type": "send", "text": "Typed, then Ctrl+Enter."}, [])
    assert controls.runner.wait(5)
    entry = controls.discussion.logs[-1]
    assert (entry["name"], entry["text"], entry["source"]) == ("Giannis", "Typed, then Ctrl+Enter.", "human")
    assert controls.message.value == ""  # taken, so the box is cleared
    assert "Ctrl+Enter" in controls.message.placeholder


def test_a_refused_keyboard_send_keeps_the_text(closing):
    controls = closing(DiscussionControls(make_discussion()))
    controls.message._handle_custom_msg({"type": "send", "text": "  "}, [])
    assert "Message: type something first" in controls.message_error.value
    assert len(controls.discussion.logs) == 0
    controls.runner.close()
    controls.message._handle_custom_msg({"type": "send", "text": "after close"}, [])
    assert controls.message.disabled  # the box says it is closed and ignores the keys
    assert len(controls.discussion.logs) == 0


def test_the_message_box_ignores_malformed_messages(closing):
    controls = closing(DiscussionControls(make_discussion()))
    controls.message.value = "draft"
    for bad in ({"type": "send"}, {"type": "branch", "index": 0}, "send"):
        controls.message._handle_custom_msg(bad, [])
    assert controls.message.value == "draft" and len(controls.discussion.logs) == 0


class ExplodingModel(BaseModel):
    """Fails once with a message that looks like HTML, then works."""

    def __init__(self) -> None:
        super().__init__("exploding")
        self.failed = False

    def generate(self, prompt, *, control=None, options=None):
        if not self.failed:
            self.failed = True
            raise RuntimeError("<img src=x onerror=alert(1)>")
        return "fine now"


def test_model_error_shows_escaped_in_the_status_line_and_step_retries(closing):
    controls = closing(DiscussionControls(make_discussion(ExplodingModel())))
    controls.step_button.click()
    assert controls.runner.wait(5)
    assert "Error" in controls.status.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in controls.status.value
    assert "<img" not in controls.status.value
    assert buttons(controls)["Step"] is True

    controls.step_button.click()
    assert controls.runner.wait(5)
    assert [e["text"] for e in controls.discussion.logs] == ["fine now"]
    assert "sdw-error" not in controls.status._dom_classes


def test_branch_button_and_branch_from_here_in_the_transcript(closing):
    controls = closing(DiscussionControls(make_discussion(conv_len=3)))
    first = controls.discussion
    controls.run_button.click()
    assert controls.runner.wait(5)

    controls.branch_button.click()
    assert controls.runner.wait(5)
    assert controls.discussion is not first and len(controls.discussion.logs) == 3

    # The browser sends {"type": "branch", "index": i} when "branch from here" is clicked.
    controls.transcript._handle_custom_msg({"type": "branch", "index": 0}, [])
    assert controls.runner.wait(5)
    assert len(controls.discussion.logs) == 1
    assert controls.transcript.entries == list(controls.discussion.logs)
    assert buttons(controls)["Step"] is True  # the branch can continue


def test_start_over_click_starts_a_fresh_branch(closing):
    controls = closing(DiscussionControls(make_discussion()))
    controls.step_button.click()
    assert controls.runner.wait(5)
    first = controls.discussion
    controls.reset_button.click()
    assert controls.runner.wait(5)
    assert len(controls.discussion.logs) == 0 and controls.transcript.entries == []
    assert controls.discussion is not first and len(first.logs) == 1  # the old one is untouched
