"""Prompts read row by row then decoded together, and caches growing in place: the same texts as before."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from transformers import AutoModelForCausalLM, GenerationConfig
from transformers.cache_utils import DynamicLayer

from syndisco_widgets.errors import GenerationStopped
from syndisco_widgets.models import (
    ChatPrompt,
    GenerationControl,
    GenerationOptions,
    TransformersModel,
    transformers_model,
)
from syndisco_widgets.models.greedy_decode import greedy_generate, plain_greedy
from syndisco_widgets.models.growing_cache import GrowingLayer, growing_cache
from syndisco_widgets.models.prefix_cache import Hit
from syndisco_widgets.models.row_prefill import column_weights, row_prefill_pays

N_TOKENS = 16

# Speakers of several discussions: their system prompts share their beginnings.
SYSTEMS = [
    f"You are {name}, a participant of a forum. Your profile:\n- age: {age}\n- likes: tea\n\nBe brief."
    for name in ("Ann", "Bob")
    for age in (30, 31, 47)
]


def model(path: str, tokens: int = N_TOKENS, **kwargs: Any) -> TransformersModel:
    return TransformersModel(path, "tiny", tokens, generation_kwargs={"min_new_tokens": tokens}, **kwargs)


def always_row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of two or more rows are read row by row (the tiny model is too small to choose it)."""
    monkeypatch.setattr(transformers_model, "row_prefill_pays", lambda model, rows, *_: len(rows) > 1)


@pytest.fixture
def rowwise(tiny_path: str, monkeypatch: pytest.MonkeyPatch) -> TransformersModel:
    always_row_by_row(monkeypatch)
    return model(tiny_path)


@pytest.fixture(scope="module")
def whole(tiny_path: str) -> TransformersModel:
    return model(tiny_path, prefix_reuse=False)


def turn_prompts(history: list[str]) -> list[ChatPrompt]:
    shown = "Conversation so far:\n" + "\n\n".join(history) if history else "Not started yet."
    return [ChatPrompt.single(system, f"{shown}\n\nNow write your next comment.") for system in SYSTEMS]


def forward_shapes(hf_model: Any, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """Records the shape of the ids each forward call of the whole model (with its output head) reads."""
    shapes: list[tuple[int, ...]] = []
    original = hf_model.forward

    def forward(*args: Any, **kwargs: Any) -> Any:
        shapes.append(tuple(kwargs["input_ids"].shape))
        return original(*args, **kwargs)

    monkeypatch.setattr(hf_model, "forward", forward)
    return shapes


def test_discussion_batches_read_row_by_row_match_whole_prompts(rowwise, whole, monkeypatch):
    shapes = forward_shapes(rowwise.model, monkeypatch)
    cache = rowwise.prefix_cache
    assert cache is not None
    history: list[str] = []
    for turn in range(4):
        prompts = turn_prompts(history)
        replies = rowwise.prompt_batch(prompts)
        # The batched call read one column per row; the rest came from the joined cache.
        assert shapes[-N_TOKENS:] == [(len(SYSTEMS), 1)] * N_TOKENS
        if turn == 0:  # rows started from the shared beginning of the rows before them
            assert cache.reused_tokens > len(SYSTEMS)
        assert replies == whole.prompt_batch(prompts)  # (whole shares the loaded model)
        mixed = [prompts[turn], ChatPrompt.single("", f"hello {turn}"), prompts[turn + 1]]
        assert rowwise.prompt_batch(mixed) == whole.prompt_batch(mixed)
        history.append(f"[{'AB'[turn % 2]}]: {rowwise.prompt(prompts[turn])}")
    # Each row's states replaced what it grew from: one kept prompt per speaker and a few others.
    assert len(cache) <= len(SYSTEMS) + 6


def test_identical_rows_and_stop_strings_match_whole_prompts(rowwise, whole):
    prompts = turn_prompts(["[Ann]: hi"])
    same = [prompts[0], prompts[0], prompts[1], prompts[0]]
    assert rowwise.prompt_batch(same) == whole.prompt_batch(same)
    options = GenerationOptions(stop=("\n[", "e"))
    for history in ([], ["[Ann]: hi", "[Bob]: hello"]):
        batch = turn_prompts(history)
        assert rowwise.prompt_batch(batch, options=options) == whole.prompt_batch(batch, options=options)


def test_a_stopped_reply_then_batches_read_row_by_row(tiny_path, monkeypatch, stopping_control):
    always_row_by_row(monkeypatch)
    long, unreused = model(tiny_path, 40), model(tiny_path, 40, prefix_reuse=False)
    prompts = turn_prompts(["[Ann]: I like tea."])
    control, pieces = stopping_control(after=2)
    with pytest.raises(GenerationStopped) as info:
        long.prompt(prompts[0], control=control)
    assert info.value.partial_text == "".join(pieces)
    later = turn_prompts(["[Ann]: I like tea.", "[Bob]: Why?"])
    assert long.prompt_batch(later) == unreused.prompt_batch(later)
    streamed: list[str] = []
    assert long.prompt(later[0], control=GenerationControl(streamed.append)) == "".join(streamed).strip()


def test_memory_bound_holds_after_rows_read_one_by_one(tiny_path, monkeypatch, whole):
    always_row_by_row(monkeypatch)
    prompts = turn_prompts([])
    nothing_kept = model(tiny_path, prefix_cache_bytes=0)
    assert nothing_kept.prompt_batch(prompts) == whole.prompt_batch(prompts)
    assert nothing_kept.prefix_cache is not None
    assert len(nothing_kept.prefix_cache) == 0
    assert nothing_kept.prefix_cache.nbytes == 0
    bounded = model(tiny_path, prefix_cache_bytes=60_000)
    assert bounded.prompt_batch(prompts) == whole.prompt_batch(prompts)
    assert bounded.prefix_cache is not None
    assert 0 < bounded.prefix_cache.nbytes <= 60_000


def test_seeded_sampling_reads_rows_one_by_one_and_repeats(tiny_path, monkeypatch):
    always_row_by_row(monkeypatch)

    def sampler() -> TransformersModel:
        return TransformersModel(tiny_path, "s", N_TOKENS, temperature=0.9, seed=3)

    first = sampler()
    shapes = forward_shapes(first.model, monkeypatch)
    prompts = turn_prompts(["[Ann]: I like tea."])
    replies = first.prompt_batch(prompts)
    assert shapes[0] == (len(prompts), 1)
    assert sampler().prompt_batch(prompts) == replies
    assert len(set(replies)) > 1


def test_only_big_models_on_a_cpu_read_rows_one_by_one(tiny_path, whole):
    rows = [torch.full((n,), i) for i, n in enumerate((40, 200, 60, 90))]
    hits = [Hit(None, 0)] * len(rows)
    tiny = whole.model
    assert not row_prefill_pays(tiny, rows, hits, column_weights(tiny))
    assert row_prefill_pays(tiny, rows, hits, 100_000_000)  # a 100M-parameter model
    assert not row_prefill_pays(tiny, rows[:1], hits[:1], 100_000_000)  # one row: nothing to pad
    even = [torch.full((50,), i) for i in range(3)]
    assert not row_prefill_pays(tiny, even, hits[:3], 100_000_000)  # no padding to save
    shared = [torch.cat([torch.arange(100), row]) for row in even]
    assert row_prefill_pays(tiny, shared, hits[:3], 100_000_000)  # later rows start from the first


def test_growing_layer_holds_what_a_dynamic_layer_holds() -> None:
    grown, dynamic = GrowingLayer(reserve=3), DynamicLayer()
    steps = [torch.randn(2, 1, n, 4) for n in (5, 1, 1, 1, 4, 1)]  # past the room kept: it grows
    for step in steps:
        keys, values = grown.update(step, -step)
        want_keys, want_values = dynamic.update(step, -step)
        assert torch.equal(keys, want_keys)
        assert torch.equal(values, want_values)
    assert grown.get_seq_length() == sum(s.shape[2] for s in steps)
    # Other cache methods replace the filled part; growing goes on from what they left.
    for change in (lambda layer: layer.crop(-2), lambda layer: layer.batch_select_indices(torch.tensor([1]))):
        change(grown)
        change(dynamic)
        step = torch.randn(grown.keys.shape[0], 1, 2, 4)
        assert torch.equal(grown.update(step, step)[0], dynamic.update(step, step)[0])


def test_greedy_ids_with_a_growing_cache_equal_generate(tiny_path):
    hf = AutoModelForCausalLM.from_pretrained(tiny_path).eval()
    ids = torch.tensor([[0, 0, 5, 9, 11, 3], [7, 8, 5, 9, 11, 4]])
    mask = torch.tensor([[0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]])
    config = GenerationConfig(do_sample=False, pad_token_id=0, max_new_tokens=30)
    settings = plain_greedy(hf, config)
    assert settings is not None
    with torch.inference_mode():
        theirs = hf.generate(input_ids=ids, attention_mask=mask, generation_config=config)
        ours = greedy_generate(hf, ids, mask, settings, cache=growing_cache(reserve=4))
        default = greedy_generate(hf, ids, mask, settings)
    assert torch.equal(theirs, ours)
    assert torch.equal(theirs, default)
