"""Token and time summaries, and token counts that match the model's tokenizer."""

import pytest

from syndisco_widgets import Logs
from syndisco_widgets.engine.study import Study
from syndisco_widgets.engine.usage import Price, summarize_usage, usage_status, usage_table
from syndisco_widgets.errors import ConfigError


def logs(*counts, seed=True):
    """Logs with a seed entry, then one model entry per (prompt, completion, seconds)."""
    made = Logs()
    if seed:
        made.append("Ann", "Hello", source="seed")
    for i, (p, c, s) in enumerate(counts):
        made.append(
            "Bob" if i % 2 else "Ann",
            f"reply {i}",
            "m",
            source="model",
            prompt_tokens=p,
            completion_tokens=c,
            seconds=s,
        )
    return made


def test_one_discussion_adds_up_tokens_seconds_and_turns():
    summary = summarize_usage(logs((100, 10, 0.5), (150, 20, 0.25)))
    total = summary.total
    assert (total.turns, total.model_turns, total.counted_turns) == (3, 2, 2)
    assert (total.prompt_tokens, total.completion_tokens, total.total_tokens) == (250, 30, 280)
    assert total.seconds == pytest.approx(0.75)
    assert total.cost is None and total.complete
    assert summary.discussions[0].label == "logs"


def test_a_price_gives_the_estimated_cost():
    summary = summarize_usage(logs((1_000_000, 500_000, 1.0)), price=Price(0.15, 0.60))
    assert summary.total.cost == pytest.approx(0.15 + 0.30)
    assert "≈ 0.45 USD" in summary.status_text()
    as_dict = summarize_usage(
        logs((2000, 1000, 1.0)), price={"input_per_million": 1, "output_per_million": 2}
    )
    assert as_dict.total.cost == pytest.approx(0.004)
    assert "≈ 0.0040 USD" in as_dict.status_text()


def test_missing_counts_are_said_not_hidden():
    summary = summarize_usage(logs((100, 10, 0.5), (None, None, 0.5)), price=Price(1, 1))
    assert summary.total.counted_turns == 1 and not summary.total.complete
    text = summary.status_text()
    assert "counts for 1 of 2 model turns" in text and "≥" in text
    none = summarize_usage(logs((None, None, 0.5)))
    assert "tokens not reported" in none.status_text()


def test_many_discussions_get_a_row_each_and_a_total():
    summary = summarize_usage([logs((10, 1, 1.0)), logs((20, 2, 2.0), (30, 3, 3.0))], price=Price(1, 1))
    frame = summary.to_pandas()
    assert list(frame["discussion"]) == ["logs 0", "logs 1", "total"]
    assert list(frame["prompt_tokens"]) == [10, 50, 60]
    assert list(frame["turns"]) == [2, 3, 5]
    assert str(summary).splitlines()[-1].startswith("total: 5 turns")
    table = usage_table([logs((10, 1, 1.0))])
    assert table["prompt_tokens"].isna().tolist() == [True, False]
    assert (table["prompt_tokens"][1], table["source"][1]) == (10, "model")


def test_files_and_folders_are_read(tmp_path):
    logs((10, 1, 1.0)).export(tmp_path / "a.json")
    logs((20, 2, 2.0)).export(tmp_path / "b.json")
    summary = summarize_usage(tmp_path)
    assert [u.label for u in summary.discussions] == ["a.json", "b.json"]
    assert summary.total.prompt_tokens == 30
    assert summarize_usage(tmp_path / "a.json").total.prompt_tokens == 10


def test_bad_sources_and_prices_are_named(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        summarize_usage(tmp_path / "nope.jsonl")
    with pytest.raises(ConfigError, match="source must be"):
        summarize_usage(42)
    with pytest.raises(ConfigError, match="input_per_million must be >= 0"):
        Price(-1, 1)
    with pytest.raises(ConfigError, match=r"unknown field\(s\) \['input'\]"):
        summarize_usage(Logs(), price={"input": 1, "output_per_million": 1})
    assert usage_status(None) == ""


def tiny_study(tiny_model_dir, **generation):
    return Study.from_dict(
        {
            "version": 1,
            "name": "tokens",
            "personas": [{"username": "Ann"}, {"username": "Bob"}],
            "context": "A short chat.",
            "conv_len": 3,
            "history_context_len": 2,
            "seed_opinions": [{"user": "Bob", "text": "Shall we start?"}],
            "model": {"kind": "transformers", "path": str(tiny_model_dir), "name": "tiny"},
            "generation": {"max_new_tokens": 6, **generation},
        }
    )


def test_token_counts_match_the_models_tokenizer(tiny_model_dir):
    from syndisco_widgets.models.transformers_model import TransformersModel

    fixed = TransformersModel(
        str(tiny_model_dir), "tiny", 6, generation_kwargs={"min_new_tokens": 6}
    )  # every reply is exactly 6 new tokens
    discussion = tiny_study(tiny_model_dir).build_discussion(fixed)
    for _ in discussion:
        pass
    entries = list(discussion.logs)
    model_entries = [e for e in entries if e["source"] == "model"]
    assert len(model_entries) == 3
    speakers = {a.name: a for a in discussion.participants}
    for entry in model_entries:
        start, end = entry["context"]
        prompt = speakers[entry["name"]].turn_prompt(entries[start:end])
        text = fixed.format_prompt(prompt)
        assert entry["prompt_tokens"] == len(fixed.tokenizer(text, add_special_tokens=False)["input_ids"])
        assert entry["completion_tokens"] == 6
        assert entry["seconds"] > 0
    summary = summarize_usage(discussion)
    assert summary.total.completion_tokens == 18
    assert summary.total.prompt_tokens == sum(e["prompt_tokens"] for e in model_entries)
