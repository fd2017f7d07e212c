from syndisco_widgets import Logs, ScriptedModel
from syndisco_widgets.engine.sentences import ELLIPSIS, last_whole_sentence, whole_reply

from .helpers import make_discussion

LONG = "I walked to the market. The stalls were full of fruit and I couldn't stop looking at"


def test_a_reply_cut_by_the_cap_ends_at_its_last_sentence_and_keeps_the_raw_text(tmp_path):
    model = ScriptedModel([LONG, "Short and done."], max_out_tokens=12)
    discussion = make_discussion(model, conv_len=2, autosave_dir=tmp_path)
    cut, whole = list(discussion)
    assert cut["text"] == "I walked to the market."
    assert cut["truncated"] is True
    assert cut["raw_text"] == " ".join(LONG.split()[:12])
    assert "truncated" not in whole and "raw_text" not in whole
    assert Logs.from_file(discussion.log_path)[0]["raw_text"] == cut["raw_text"]


def test_the_next_speaker_sees_the_whole_sentences_only():
    model = ScriptedModel([LONG, "Fine."], max_out_tokens=12)
    discussion = make_discussion(model, conv_len=2)
    list(discussion)
    assert "I couldn" not in model.calls[1].messages[0]["content"]
    assert "[Ann]: I walked to the market.\n" in model.calls[1].messages[0]["content"] + "\n"


def test_without_a_sentence_end_the_cut_word_is_dropped_and_marked():
    assert last_whole_sentence("feeling humbled by the") == "feeling humbled by" + ELLIPSIS
    assert last_whole_sentence('Yes! "Right." And th') == 'Yes! "Right."'
    assert last_whole_sentence("It costs 3.5 euros and") == "It costs 3.5 euros" + ELLIPSIS


def test_a_reply_that_stopped_by_itself_is_untouched():
    assert whole_reply("no full stop at the end", "stop") == ("no full stop at the end", None)
    assert whole_reply("Ends well.", "length") == ("Ends well.", None)
    assert whole_reply("no reason known", None) == ("no reason known", None)
