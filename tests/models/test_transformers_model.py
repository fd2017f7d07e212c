"""TransformersModel on a real (tiny, random) checkpoint: the code users run."""

from __future__ import annotations

import threading

import pytest
import torch

from syndisco_widgets.errors import ConfigError, GenerationStopped
from syndisco_widgets.models import ChatPrompt, GenerationControl, TransformersModel

N_TOKENS = 24  # fixed reply length: min_new_tokens == max_out_tokens

HELLO = ChatPrompt.single("Be brief.", "Hello there")
PROMPTS = [
    ChatPrompt("You are Anna, a teacher.", ({"role": "user", "content": "What about the library?"},)),
    ChatPrompt("", ({"role": "user", "content": "Roads first."},)),
    ChatPrompt(
        "Moderate politely.",
        (
            {"role": "user", "content": "I think parks matter more than anything else here."},
            {"role": "assistant", "content": "Why do you think so?"},
            {"role": "user", "content": "Because children play there."},
        ),
    ),
]


@pytest.fixture(scope="module")
def greedy(tiny_path: str) -> TransformersModel:
    return TransformersModel(tiny_path, "tiny", N_TOKENS, generation_kwargs={"min_new_tokens": N_TOKENS})


def sampler(path: str, seed: int | None) -> TransformersModel:
    return TransformersModel(
        path,
        "tiny-sampled",
        N_TOKENS,
        generation_kwargs={"min_new_tokens": N_TOKENS},
        temperature=1.0,
        top_p=0.95,
        seed=seed,
    )


def test_prompt_goes_through_the_chat_template(greedy, spy_generate):
    spy = spy_generate(greedy.model)
    greedy.generate(PROMPTS[0])

    fed = greedy.tokenizer.decode(spy.calls[0]["input_ids"][0])
    assert fed == greedy.format_prompt(PROMPTS[0])
    assert fed == (
        "<|im_start|>system\nYou are Anna, a teacher.<|im_end|>\n"
        "<|im_start|>user\nWhat about the library?<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    assert greedy.uses_chat_template


def test_empty_system_prompt_is_left_out(greedy):
    assert "system" not in greedy.format_prompt(PROMPTS[1])


def test_only_new_tokens_are_decoded(greedy, spy_generate):
    spy = spy_generate(greedy.model)
    reply = greedy.generate(PROMPTS[0]).text

    prompt_len = spy.calls[0]["input_ids"].shape[1]
    output = spy.outputs[0]
    assert output.shape[1] == prompt_len + N_TOKENS
    expected = greedy.tokenizer.decode(output[0, prompt_len:], skip_special_tokens=True)
    assert reply == expected
    assert reply  # the tiny model's tokens all decode to printable text
    assert "<|im_start|>" not in reply and "You are Anna" not in reply


def test_greedy_is_deterministic_and_sets_no_sampling_flags(greedy, tiny_path):
    first = greedy.prompt(HELLO)
    second = greedy.prompt(HELLO)
    assert first == second and first

    zero = TransformersModel(
        tiny_path, "t0", N_TOKENS, generation_kwargs={"min_new_tokens": N_TOKENS}, temperature=0
    )
    assert zero.prompt(HELLO) == first

    config = greedy.generation_config
    assert config.do_sample is False
    assert config.temperature is None and config.top_p is None
    assert config.max_new_tokens == N_TOKENS


def test_sampling_config_and_user_kwargs_on_top(tiny_path, spy_generate):
    model = TransformersModel(
        tiny_path,
        "s",
        30,
        generation_kwargs={"repetition_penalty": 1.3, "max_new_tokens": 5},
        temperature=0.7,
        top_p=0.9,
        seed=0,
    )
    config = model.generation_config
    assert (config.do_sample, config.temperature, config.top_p) == (True, 0.7, 0.9)
    assert config.repetition_penalty == 1.3
    assert config.max_new_tokens == 5  # user kwargs win
    spy = spy_generate(model.model)
    model.generate(PROMPTS[1])
    # Count the tokens generate made (re-tokenizing decoded text can give more).
    prompt_len = spy.calls[0]["input_ids"].shape[1]
    assert spy.outputs[0].shape[1] - prompt_len <= 5


def test_seeded_sampling_repeats_exactly_regardless_of_call_order(tiny_path):
    a = sampler(tiny_path, seed=7)
    forward = [a.generate(p).text for p in PROMPTS]
    b = sampler(tiny_path, seed=7)
    backward = [b.generate(p).text for p in reversed(PROMPTS)][::-1]
    assert forward == backward
    assert a.generate(PROMPTS[0]).text == forward[0]  # again, after other calls


def test_seeds_give_different_samples(tiny_path):
    seven = [sampler(tiny_path, seed=7).generate(p).text for p in PROMPTS]
    eight = [sampler(tiny_path, seed=8).generate(p).text for p in PROMPTS]
    assert seven != eight
    # Samples differ from the greedy reply, so sampling really happened.
    greedy = TransformersModel(tiny_path, "g", N_TOKENS, generation_kwargs={"min_new_tokens": N_TOKENS})
    assert seven != [greedy.generate(p).text for p in PROMPTS]


def test_seeded_sampling_leaves_global_rng_untouched(tiny_path):
    model = sampler(tiny_path, seed=7)
    torch.manual_seed(123)
    expected = torch.rand(4)
    torch.manual_seed(123)
    model.generate(PROMPTS[0])
    assert torch.equal(torch.rand(4), expected)


def test_streamed_pieces_join_to_the_returned_text(greedy):
    pieces: list[str] = []
    raw = greedy.generate(PROMPTS[2], control=GenerationControl(pieces.append)).text
    assert len(pieces) >= 2
    assert "".join(pieces) == raw == greedy.generate(PROMPTS[2]).text

    cleaned_pieces: list[str] = []
    reply = greedy.prompt(PROMPTS[2], control=GenerationControl(cleaned_pieces.append))
    assert reply == "".join(cleaned_pieces).strip()


def test_stop_event_set_from_the_callback_stops_early(tiny_path, stopping_control):
    model = TransformersModel(tiny_path, "long", 80, generation_kwargs={"min_new_tokens": 80})
    full = model.generate(PROMPTS[0]).text
    control, pieces = stopping_control(after=2)
    with pytest.raises(GenerationStopped) as info:
        model.prompt(PROMPTS[0], control=control)
    partial = info.value.partial_text
    assert partial == "".join(pieces)
    assert full.startswith(partial) and len(partial) < len(full)
    # At most one token is made after the stop request.
    n_partial = len(model.tokenizer(partial, add_special_tokens=False)["input_ids"])
    assert n_partial < 80 // 2


def test_stop_event_already_set_skips_generation(greedy, spy_generate):
    spy = spy_generate(greedy.model)
    stop = threading.Event()
    stop.set()
    with pytest.raises(GenerationStopped) as info:
        greedy.prompt(ChatPrompt.single("x", "y"), control=GenerationControl(stop_event=stop))
    assert info.value.partial_text == "" and spy.calls == []


def test_strip_strings_are_removed(greedy, tiny_path):
    reply = greedy.generate(PROMPTS[0]).text
    unwanted = reply.strip()[:3]
    assert len(unwanted) == 3
    stripping = TransformersModel(
        tiny_path,
        "strip",
        N_TOKENS,
        generation_kwargs={"min_new_tokens": N_TOKENS},
        strip_strings=[unwanted],
    )
    cleaned = stripping.prompt(PROMPTS[0])
    assert unwanted not in cleaned
    assert cleaned == reply.replace(unwanted, "").strip()


def test_batch_is_one_left_padded_generate_call(greedy, spy_generate):
    singles = [greedy.generate(p).text for p in PROMPTS]
    spy = spy_generate(greedy.model)
    batch = [c.text for c in greedy.generate_batch(PROMPTS)]

    assert len(spy.calls) == 1
    mask = spy.calls[0]["attention_mask"]
    assert mask.shape[0] == 3
    assert bool(mask[:, -1].all())  # left padding: every row ends with real tokens
    assert not bool(mask[:, 0].all())  # prompts differ in length, so some rows are padded
    assert batch == singles
    assert greedy.prompt_batch(PROMPTS) == [greedy.clean(s) for s in singles]
    assert greedy.generate_batch([]) == []


def test_one_model_shared_by_threads(greedy):
    expected = [greedy.generate(p).text for p in PROMPTS]
    results: dict[int, str] = {}

    def work(i: int) -> None:
        results[i] = greedy.generate(PROMPTS[i % 3]).text

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == {i: expected[i % 3] for i in range(6)}


@pytest.mark.parametrize(
    "kwargs",
    [{"temperature": -1.0}, {"top_p": 0.0}, {"top_p": 1.5}, {"seed": "7"}, {"model_kwargs": [1]}],
)
def test_bad_arguments_raise_config_error(tiny_path, kwargs):
    with pytest.raises(ConfigError):
        TransformersModel(tiny_path, "bad", 8, **kwargs)


def test_repr_names_the_path_and_mode(greedy, tiny_path):
    text = repr(greedy)
    assert tiny_path in text and "greedy" in text and "cpu" in text


def test_a_reply_at_the_token_cap_says_so(tiny_path):
    from syndisco_widgets.models import ChatPrompt, TransformersModel

    model = TransformersModel(tiny_path, "tiny", 6, generation_kwargs={"min_new_tokens": 6})
    prompt = ChatPrompt.single("", "hello")
    completion = model.complete(prompt)
    assert (completion.completion_tokens, completion.finish_reason) == (6, "length")
    assert [c.finish_reason for c in model.complete_batch([prompt, prompt])] == ["length", "length"]
