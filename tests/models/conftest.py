"""Fixtures for the model-backend tests (on the session's tiny model)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import pathlib
    from collections.abc import Iterator


class GenerateSpy:
    """Records every decoding call on one loaded HF model: its ``generate``, or our greedy loop.

    Each call's inputs are kept as keyword arguments (``input_ids``,
    ``attention_mask``, ...) and its output ids in ``outputs``.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.original = model.generate
        self.calls: list[dict[str, Any]] = []
        self.outputs: list[Any] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        out = self.original(*args, **kwargs)
        self.outputs.append(out)
        return out

    def record(self, inputs: dict[str, Any], output: Any) -> None:
        self.calls.append(inputs)
        self.outputs.append(output)


@pytest.fixture
def stopping_control() -> Any:
    """``stopping_control(after)``: a GenerationControl that stops once ``after`` pieces came, and the pieces."""
    from syndisco_widgets.models import GenerationControl

    def make(after: int = 2) -> tuple[GenerationControl, list[str]]:
        pieces: list[str] = []
        control = GenerationControl()

        def on_text(piece: str) -> None:
            pieces.append(piece)
            if len(pieces) == after:
                control.stop()

        control.on_text = on_text
        return control, pieces

    return make


@pytest.fixture
def spy_generate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``spy_generate(hf_model)`` starts recording its decoding calls; undone after the test."""
    from syndisco_widgets.models import transformers_model

    spies: list[GenerateSpy] = []
    loop = transformers_model.greedy_generate

    def spied_loop(model: Any, input_ids: Any, attention_mask: Any, *args: Any, **kwargs: Any) -> Any:
        out = loop(model, input_ids, attention_mask, *args, **kwargs)
        for spy in spies:
            if spy.model is model:
                spy.record({"input_ids": input_ids, "attention_mask": attention_mask, **kwargs}, out)
        return out

    monkeypatch.setattr(transformers_model, "greedy_generate", spied_loop)

    def install(model: Any) -> GenerateSpy:
        spy = GenerateSpy(model)
        model.generate = spy  # instance attribute shadows the method
        spies.append(spy)
        return spy

    yield install
    for spy in spies:
        del spy.model.generate


@pytest.fixture(scope="module")
def tiny_path(tiny_model_dir: pathlib.Path) -> str:
    return str(tiny_model_dir)


@pytest.fixture
def fake_hub_cache(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``fake_hub_cache(folder)``: a Hugging Face cache (in use for the test) holding the demo id.

    Its snapshot is a copy of ``folder``; returns the snapshot folder.
    """
    import shutil

    from huggingface_hub import constants

    from syndisco_widgets.models.demo import DEMO_HUB_ID

    root = tmp_path / "hub-cache"
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(root))

    def build(folder: pathlib.Path) -> pathlib.Path:
        repo = root / ("models--" + DEMO_HUB_ID.replace("/", "--"))
        snapshot = repo / "snapshots" / "0123abcd"
        shutil.copytree(folder, snapshot)
        (repo / "refs").mkdir()
        (repo / "refs" / "main").write_text("0123abcd")
        return snapshot

    return build
