"""build_tiny_model: a complete folder, reused when built, never half-written."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from syndisco_widgets.models import tiny

if TYPE_CHECKING:
    import pathlib


def test_folder_is_complete_and_documented(tiny_model_dir):
    names = {p.name for p in tiny_model_dir.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "README.md"} <= names
    assert "meaningless" in (tiny_model_dir / "README.md").read_text()
    config = json.loads((tiny_model_dir / "config.json").read_text())
    assert config["model_type"] == "llama"
    assert (config["hidden_size"], config["num_hidden_layers"]) == (64, 2)
    assert 256 <= config["vocab_size"] <= 1024
    assert tiny.TINY_MODEL_LABEL == "tiny-random (meaningless output)"


def test_tokenizer_has_special_tokens_and_chat_template(tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    assert None not in (tok.bos_token, tok.eos_token, tok.pad_token, tok.unk_token)
    text = tok.apply_chat_template(
        [{"role": "user", "content": "Hi"}], tokenize=False, add_generation_prompt=True
    )
    assert text == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"


def test_complete_build_is_reused(tiny_model_dir, monkeypatch):
    def must_not_build(folder, seed):
        raise AssertionError("rebuilt a complete folder")

    monkeypatch.setattr(tiny, "_write_checkpoint", must_not_build)
    assert tiny.build_tiny_model(tiny_model_dir) == tiny_model_dir


def test_crash_leaves_no_half_folder(tmp_path, monkeypatch):
    def crash(folder: pathlib.Path, seed: int) -> None:
        (folder / "config.json").write_text("{}")
        raise RuntimeError("disk full")

    monkeypatch.setattr(tiny, "_write_checkpoint", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        tiny.build_tiny_model(tmp_path / "m")
    assert list(tmp_path.iterdir()) == []


def test_incomplete_folder_is_replaced(tmp_path, monkeypatch):
    target = tmp_path / "m"
    target.mkdir()
    (target / "config.json").write_text("{}")  # no completion marker

    def fake_build(folder: pathlib.Path, seed: int) -> None:
        (folder / "weights").write_text(str(seed))
        (folder / tiny._MARKER).write_text(tiny._marker_text(seed))

    monkeypatch.setattr(tiny, "_write_checkpoint", fake_build)
    assert tiny.build_tiny_model(target, seed=3) == target
    assert sorted(p.name for p in target.iterdir()) == sorted([tiny._MARKER, "weights"])
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no staging leftovers


def test_default_folder_honours_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert tiny._default_dir(0) == tmp_path / "syndisco_widgets" / "tiny-random-llama"
    assert tiny._default_dir(5) != tiny._default_dir(0)
