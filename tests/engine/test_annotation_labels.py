import pytest

from syndisco_widgets import Actor, ActorType, AnnotationExperiment, Logs, Persona, ScriptedModel, annotate
from syndisco_widgets.engine.storage import read_jsonl_records
from syndisco_widgets.errors import ConfigError
from syndisco_widgets.models import BaseModel, ChatPrompt, Completion
from syndisco_widgets.models.labels import parsed_label

SCALE = ["1", "2", "3", "4", "5"]


def rater(model, name="Rater"):
    return Actor(model, Persona(username=name), ActorType.ANNOTATOR, "", "Rate toxicity from 1 to 5")


def target_text(prompt: ChatPrompt) -> str:
    return prompt.messages[0]["content"].rsplit("by", 1)[1]


class Chatty(BaseModel):
    """A backend that cannot score labels: it writes text, from a list, in turn."""

    def __init__(self, replies):
        super().__init__("chatty")
        self.replies = list(replies)
        self.prompts: list[ChatPrompt] = []

    def generate(self, prompt, *, control=None, options=None):
        self.prompts.append(prompt)
        return Completion(self.replies.pop(0), prompt_tokens=3, completion_tokens=2)


def test_labels_are_chosen_by_likelihood_with_probabilities_kept():
    logs = Logs.from_lists(["A", "B"], ["hello", "you fool"])
    model = ScriptedModel(lambda p: "I'd say 5" if "fool" in target_text(p) else "maybe a 1 here")
    out = annotate(logs, rater(model), labels=SCALE)
    assert [e["text"] for e in out] == ["1", "5"]
    assert [e["label"] for e in out] == ["1", "5"]
    assert {e["label_method"] for e in out} == {"likelihood"}
    for entry in out:
        probabilities = entry["label_probabilities"]
        assert list(probabilities) == SCALE
        assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert max(probabilities, key=probabilities.get) == entry["label"]


def test_without_labels_the_free_text_is_kept_as_before():
    logs = Logs.from_lists(["A"], ["hello"])
    out = annotate(logs, rater(ScriptedModel(["It is a 2, mostly."])))
    assert out[0]["text"] == "It is a 2, mostly."
    assert "label" not in out[0] and "label_method" not in out[0]


def test_a_backend_without_scores_parses_and_asks_once_more():
    logs = Logs.from_lists(["A", "B", "C"], ["a", "b", "c"])
    model = Chatty(["Rating: 4.", "no idea", "cannot say", "3", "still nothing"])
    out = annotate(logs, rater(model), labels=SCALE)
    assert [e["label"] for e in out] == ["4", "3", None]
    assert [e["text"] for e in out] == ["4", "3", "cannot say\nstill nothing"]
    assert out[1]["raw_text"] == "no idea\n3"
    assert out[1]["completion_tokens"] == 4
    assert {e["label_method"] for e in out} == {"parsed"}
    retry = model.prompts[3]
    assert retry.messages[-2] == {"role": "assistant", "content": "no idea"}
    assert retry.messages[-1]["content"].endswith("1, 2, 3, 4, 5")
    assert len(model.prompts) == 5  # one retry each for the two without a label, no more


def test_parsing_takes_the_whole_reply_or_the_first_label_word():
    assert parsed_label(" **Yes.** ", ["yes", "no"]) == "yes"
    assert parsed_label("I would say no, not yes", ["yes", "no"]) == "no"
    assert parsed_label("12 out of 15", SCALE) is None
    assert parsed_label("not toxic", ["toxic", "not toxic"]) == "not toxic"


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ("12345", "list of label strings"),
        (["1"], "at least two"),
        (["1", "1"], "distinct"),
        (["1", ""], "non-blank"),
        ([1, 2], "non-blank strings"),
    ],
)
def test_a_bad_label_set_names_labels_and_shows_an_example(labels, message):
    logs = Logs.from_lists(["A"], ["a"])
    with pytest.raises(ConfigError, match=message):
        annotate(logs, rater(ScriptedModel()), labels=labels)
    with pytest.raises(ConfigError, match="labels"):
        AnnotationExperiment([rater(ScriptedModel())], logs, labels=labels)


def test_an_experiment_with_labels_writes_them_and_refuses_other_labels_on_resume(tmp_path):
    logs = [Logs.from_lists(["A", "B"], ["hi", "you fool"]), Logs.from_lists(["A"], ["fine"])]
    model = ScriptedModel(lambda p: "5" if "fool" in target_text(p) else "1")
    raters = [rater(model, "R1"), rater(model, "R2")]
    frame = AnnotationExperiment(raters, logs, history_ctx_len=0, labels=SCALE).begin(tmp_path, verbose=False)
    assert sorted(frame["label"]) == ["1", "1", "1", "1", "5", "5"]
    first = min(tmp_path.glob("*.jsonl"))
    header, records = read_jsonl_records(first)
    assert header["metadata"]["labels"] == SCALE
    assert records[0][1]["entry"]["label_method"] == "likelihood"
    with pytest.raises(ConfigError, match="labels"):
        AnnotationExperiment(raters, logs, history_ctx_len=0, labels=["yes", "no"]).begin(
            tmp_path, verbose=False
        )


def test_a_baseline_removes_the_models_own_preference():
    from syndisco_widgets.models.labels import choice_from_scores

    plain = choice_from_scores([-1.0, -2.0], ["a", "b"])
    calibrated = choice_from_scores([-1.0, -2.0], ["a", "b"], baseline=[-0.5, -3.0])
    assert (plain.label, calibrated.label) == ("a", "b")
    assert calibrated.probabilities["b"] > 0.5


def test_annotate_calibrates_against_the_annotators_content_free_prompt():
    from syndisco_widgets.engine.annotation import CONTENT_FREE

    # A model that says "5" to everything, and "3" only when the comment is rude.
    model = ScriptedModel(lambda p: "3" if "rude" in target_text(p) else "5")
    out = annotate(Logs.from_lists(["A", "B"], ["fine", "rude words"]), rater(model), labels=SCALE)
    assert [e["label"] for e in out] == ["1", "3"]  # "5" is what it says to anything, so it tells nothing
    assert any(CONTENT_FREE in p.messages[0]["content"] for p in model.calls)
