"""Prefix reuse on TransformersModel: kept prompt states give the same greedy texts as reading whole prompts."""

from __future__ import annotations

import pytest

from syndisco_widgets.errors import ConfigError, GenerationStopped
from syndisco_widgets.models import ChatPrompt, GenerationControl, GenerationOptions, TransformersModel

N_TOKENS = 16


def model(path: str, **kwargs: object) -> TransformersModel:
    return TransformersModel(path, "tiny", N_TOKENS, generation_kwargs={"min_new_tokens": N_TOKENS}, **kwargs)


@pytest.fixture
def reuse(tiny_path: str) -> TransformersModel:
    return model(tiny_path)


@pytest.fixture(scope="module")
def whole(tiny_path: str) -> TransformersModel:
    return model(tiny_path, prefix_reuse=False)


SYSTEMS = [
    "You are Ann, a participant. Your profile:\n- age: 30\n- likes: tea\n\nBe brief and polite.",
    "You are Bob, a participant. Your profile:\n- age: 41\n- likes: coffee and long walks",
    "You are Mod, the moderator of this conversation. Keep it civil and on topic.",
]


def turn_prompts(history: list[str]) -> list[ChatPrompt]:
    """Each speaker's prompt after ``history``: its system prompt, then the growing history."""
    shown = "Conversation so far:\n" + "\n\n".join(history) if history else "Not started yet."
    return [ChatPrompt.single(system, f"{shown}\n\nNow write your next comment.") for system in SYSTEMS]


def test_discussion_turns_in_batches_match_whole_prompts(reuse, whole):
    history: list[str] = []
    for turn in range(4):
        prompts = turn_prompts(history)
        assert reuse.prompt_batch(prompts) == whole.prompt_batch(prompts)
        # Uneven batches too: a row with a long kept prefix next to rows with none.
        mixed = [prompts[turn % 3], ChatPrompt.single("", f"hello {turn}"), prompts[(turn + 1) % 3]]
        assert reuse.prompt_batch(mixed) == whole.prompt_batch(mixed)
        history.append(f"[{'ABM'[turn % 3]}]: {reuse.prompt(prompts[turn % 3])}")
    cache = reuse.prefix_cache
    assert cache is not None and cache.reused_tokens > 0
    # Each speaker's newest prompt replaced the one it grew from.
    assert len(cache) <= len(SYSTEMS) + 4


def test_single_calls_match_whole_prompts_and_read_fewer_tokens(reuse, whole, spy_generate):
    history = ["[Ann]: I like tea.", "[Bob]: Coffee is better."]
    first = turn_prompts(history)[0]
    assert reuse.prompt(first) == whole.prompt(first)
    cache = reuse.prefix_cache
    assert cache is not None and cache.reused_tokens == 0
    spy = spy_generate(reuse.model)
    later = turn_prompts([*history, "[Mod]: Please explain why."])[0]
    assert reuse.prompt(later) == whole.prompt(later)
    # The system prompt and the two old history lines were not read again.
    assert cache.reused_tokens > len(reuse.tokenizer(SYSTEMS[0] + "\n".join(history))["input_ids"])
    assert cache.reused_tokens < spy.calls[0]["input_ids"].shape[1]


def test_stop_strings_and_options_match_whole_prompts(reuse, whole):
    options = GenerationOptions(stop=("\n[", "e"))
    for history in ([], ["[Ann]: hi"], ["[Ann]: hi", "[Bob]: hello"]):
        prompts = turn_prompts(history)
        assert reuse.prompt_batch(prompts, options=options) == whole.prompt_batch(prompts, options=options)


def test_stopped_reply_leaves_later_replies_unchanged(tiny_path, whole, stopping_control):
    long = TransformersModel(tiny_path, "long", 60, generation_kwargs={"min_new_tokens": 60})
    prompts = turn_prompts(["[Ann]: I like tea."])
    control, pieces = stopping_control(after=2)
    with pytest.raises(GenerationStopped) as info:
        long.prompt(prompts[0], control=control)
    assert info.value.partial_text == "".join(pieces)
    assert long.prefix_cache is not None and len(long.prefix_cache) == 1

    # After the stop, the kept states serve the next turn, streamed or batched.
    later = turn_prompts(["[Ann]: I like tea.", "[Bob]: Why?"])
    streamed: list[str] = []
    text = long.prompt(later[0], control=GenerationControl(streamed.append))
    unreused = TransformersModel(
        tiny_path, "long", 60, generation_kwargs={"min_new_tokens": 60}, prefix_reuse=False
    )
    assert text == unreused.prompt(later[0])
    assert text == "".join(streamed).strip()
    assert long.prompt_batch(later) == unreused.prompt_batch(later)
    assert long.prefix_cache.reused_tokens > 0


def test_switch_off_and_memory_bound(tiny_path, whole):
    assert whole.prefix_cache is None
    prompts = turn_prompts(["[Ann]: I like tea."])
    bounded = model(tiny_path, prefix_cache_bytes=60_000)
    bounded.prompt_batch(prompts)
    cache = bounded.prefix_cache
    assert cache is not None
    assert 0 < len(cache) < len(prompts)  # every prompt is ~20-30 kB of states here
    assert cache.nbytes <= 60_000
    nothing_kept = model(tiny_path, prefix_cache_bytes=0)
    assert nothing_kept.prompt_batch(prompts) == whole.prompt_batch(prompts)
    assert nothing_kept.prefix_cache is not None and len(nothing_kept.prefix_cache) == 0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"prefix_reuse": "yes"}, "prefix_reuse"), ({"prefix_cache_bytes": -1}, "prefix_cache_bytes")],
)
def test_bad_switches_name_the_parameter(tiny_path, kwargs, name):
    with pytest.raises(ConfigError, match=name):
        model(tiny_path, **kwargs)


def test_lookup_takes_the_longest_kept_start_and_of_equals_the_least_recently_used() -> None:
    import torch

    from syndisco_widgets.models.prefix_cache import Hit, PrefixCache

    cache = PrefixCache(2**20)
    rows = [torch.tensor(r) for r in ([1, 2, 3, 4], [1, 2, 5], [1, 2, 3, 9])]
    packed = cache.pack(rows, [Hit(None, 0)] * 3, 0, "cpu")
    states = torch.zeros(3, 1, packed.input_ids.shape[1], 2)
    packed.cache.update(states, states, 0)  # one layer of key/value states, as generate leaves it
    cache.keep(packed, [Hit(None, 0)] * 3)
    assert len(cache) == 3  # kept as keys 0, 1, 2, least recently used first
    assert cache.lookup(torch.tensor([1, 2, 3, 4, 7])) == Hit(0, 4)
    assert cache.lookup(torch.tensor([1, 2, 3, 9])) == Hit(2, 3)  # one token is left to read
    assert cache.lookup(torch.tensor([1, 2, 6, 6])) == Hit(1, 2)  # all share 2: key 1 was used least recently
    assert cache.lookup(torch.tensor([1, 2, 6, 6])) == Hit(0, 2)  # now key 0 was
    assert cache.lookup(torch.tensor([7, 8])) == Hit(None, 0)
    assert cache.lookup(torch.tensor([1])) == Hit(None, 0)
