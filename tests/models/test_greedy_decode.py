"""Our greedy loop makes exactly the token ids transformers' ``generate`` makes, and yields to it otherwise."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, DynamicCache, GenerationConfig

from syndisco_widgets.models import ChatPrompt, GenerationOptions, TransformersModel
from syndisco_widgets.models.greedy_decode import greedy_generate, plain_greedy

TEXTS = [
    "hello there, how are you",
    "a much longer prompt, with many more words in it than the first one has",
]


@pytest.fixture(scope="module")
def hf(tiny_path: str) -> tuple[Any, Any]:
    return AutoModelForCausalLM.from_pretrained(tiny_path).eval(), AutoTokenizer.from_pretrained(tiny_path)


@pytest.fixture(scope="module")
def batch(hf: tuple[Any, Any]) -> Any:
    return hf[1](TEXTS, return_tensors="pt", padding=True, padding_side="left")


def both(model: Any, config: GenerationConfig, ids: torch.Tensor, mask: torch.Tensor) -> tuple[Any, Any]:
    settings = plain_greedy(model, config)
    assert settings is not None
    with torch.inference_mode():
        theirs = model.generate(input_ids=ids, attention_mask=mask, generation_config=config)
        ours = greedy_generate(model, ids, mask, settings)
    return theirs, ours


@pytest.mark.parametrize("least", [0, 5, 20])
@pytest.mark.parametrize("rows", [slice(0, 1), slice(1, 2), slice(0, 2)])
def test_same_ids_as_generate_alone_and_left_padded(hf, batch, least, rows):
    config = GenerationConfig(do_sample=False, pad_token_id=hf[1].pad_token_id, max_new_tokens=20)
    config.min_new_tokens = least
    theirs, ours = both(hf[0], config, batch["input_ids"][rows], batch["attention_mask"][rows])
    assert theirs.shape[1] == batch["input_ids"].shape[1] + 20
    assert torch.equal(theirs, ours)


@pytest.mark.parametrize("least", [0, 4, 9])
def test_rows_end_at_an_end_token_and_finished_rows_are_padded_as_generate_does(hf, batch, least):
    model, tokenizer = hf
    ids, mask = batch["input_ids"], batch["attention_mask"]
    plain = GenerationConfig(do_sample=False, pad_token_id=tokenizer.pad_token_id, max_new_tokens=30)
    with torch.inference_mode():
        made = model.generate(input_ids=ids, attention_mask=mask, generation_config=plain)[:, ids.shape[1] :]
    # End tokens the tiny model does make: row 1's 6th token, row 0's 3rd.
    ends = [int(made[1, 5]), int(made[0, 2])]
    config = GenerationConfig(
        do_sample=False, pad_token_id=tokenizer.pad_token_id, max_new_tokens=30, eos_token_id=ends
    )
    config.min_new_tokens = least
    theirs, ours = both(model, config, ids, mask)
    assert torch.equal(theirs, ours)
    if not least:  # row 0 ended at its 3rd token, and was padded while row 1 went on
        assert int(ours[0, ids.shape[1] + 2]) in ends
        assert (ours[0, ids.shape[1] + 3 :] == tokenizer.pad_token_id).all()


def test_starting_from_a_filled_cache_matches_reading_the_whole_prompt(hf, batch):
    model = hf[0]
    ids = batch["input_ids"][1:]
    mask = batch["attention_mask"][1:]
    config = GenerationConfig(do_sample=False, pad_token_id=hf[1].pad_token_id, max_new_tokens=12)
    settings = plain_greedy(model, config)
    assert settings is not None
    cache = DynamicCache(config=model.config)
    with torch.inference_mode():
        model(input_ids=ids[:, :-5], cache=cache, use_cache=True)  # the first columns read already
        resumed = greedy_generate(model, ids, mask, settings, cache=cache)
        whole = model.generate(input_ids=ids, attention_mask=mask, generation_config=config)
    assert torch.equal(resumed, whole)


def test_other_settings_go_through_generate(hf):
    model = hf[0]
    assert plain_greedy(model, GenerationConfig(max_new_tokens=4, do_sample=True)) is None
    assert plain_greedy(model, GenerationConfig(max_new_tokens=4, repetition_penalty=1.2)) is None
    assert plain_greedy(model, GenerationConfig(max_new_tokens=4, num_beams=2)) is None
    assert plain_greedy(model, GenerationConfig(max_new_tokens=4, min_length=3)) is None
    assert plain_greedy(model, GenerationConfig(max_new_tokens=4, min_new_tokens=2)) is not None


def test_model_replies_equal_generate_replies(tiny_path, spy_generate):
    """Streamed, stop strings and batches: the model's texts are those of ``generate``."""
    fast = TransformersModel(tiny_path, "fast", 24, prefix_reuse=False)
    # Normalized logits keep the same greedy picks, but only generate applies them.
    slow = TransformersModel(
        tiny_path, "slow", 24, generation_kwargs={"renormalize_logits": True}, prefix_reuse=False
    )
    prompts = [ChatPrompt.single("You are Ann.", "Tea or coffee?"), ChatPrompt.single("", "hello")]
    spy = spy_generate(slow.model)
    options = GenerationOptions(stop=("e",))
    assert fast.prompt_batch(prompts) == slow.prompt_batch(prompts)
    assert fast.prompt_batch(prompts, options=options) == slow.prompt_batch(prompts, options=options)
    assert [fast.prompt(p) for p in prompts] == [slow.prompt(p) for p in prompts]
    # Both share one loaded model: 4 calls each, through our loop and through generate.
    assert sorted("generation_config" in c for c in spy.calls) == [False] * 4 + [True] * 4
