"""Stop strings end a TransformersModel reply where they appear, and no tokens are made after them."""

from __future__ import annotations

from syndisco_widgets.models import ChatPrompt, GenerationOptions, TransformersModel

N_TOKENS = 40
PROMPT = ChatPrompt.single("You are Ann.", "What do you think about the library?")


def test_reply_ends_at_the_first_stop_string_and_generation_stops_there(tiny_path):
    model = TransformersModel(tiny_path, "tiny", N_TOKENS, generation_kwargs={"min_new_tokens": N_TOKENS})
    full = model.complete(PROMPT)
    stop = full.text[12:14]  # two characters from the middle of the unstopped reply
    cut = full.text.find(stop)
    stopped = model.complete(PROMPT, options=GenerationOptions(stop=(stop, "never appears")))
    assert stopped.text == full.text[:cut].strip()
    assert stopped.completion_tokens is not None and full.completion_tokens == N_TOKENS
    assert stopped.completion_tokens < N_TOKENS  # generation ended at the stop, not at the length limit


def test_in_a_batch_each_row_stops_on_its_own(tiny_path):
    model = TransformersModel(tiny_path, "tiny", N_TOKENS, generation_kwargs={"min_new_tokens": N_TOKENS})
    other = ChatPrompt.single("You are Bob.", "Roads first.")
    full = model.complete_batch([PROMPT, other])
    stop = full[0].text[12:14]
    options = GenerationOptions(stop=(stop,))
    stopped = model.complete_batch([PROMPT, other], options=options)
    singles = [model.complete(p, options=options) for p in (PROMPT, other)]
    assert [c.text for c in stopped] == [c.text for c in singles]
    assert stopped[0].text == full[0].text[: full[0].text.find(stop)].strip()
