"""The shared model cache: one load per (path, kwargs, device), thread-safe."""

from __future__ import annotations

import threading

from syndisco_widgets.models import TransformersModel, cache


def test_same_path_reuses_the_same_module(tiny_path):
    a = TransformersModel(tiny_path, "a", 8)
    b = TransformersModel(tiny_path + "/", "b", 8, device="cpu")  # same folder, "auto" == cpu here
    assert a.model is b.model
    assert a.tokenizer is b.tokenizer
    assert a._lock is b._lock


def test_different_kwargs_load_separately(tiny_path):
    a = TransformersModel(tiny_path, "a", 8)
    b = TransformersModel(tiny_path, "b", 8, tokenizer_kwargs={"use_fast": True})
    assert a.model is not b.model


def test_clear_model_cache_forces_a_fresh_load(tiny_path):
    before = TransformersModel(tiny_path, "a", 8)
    cache.clear_model_cache()
    assert cache.cached_model_count() == 0
    after = TransformersModel(tiny_path, "a", 8)
    assert after.model is not before.model
    assert cache.cached_model_count() == 1


def test_kwargs_order_does_not_matter(monkeypatch, tmp_path):
    loads: list[str] = []
    monkeypatch.setattr(
        cache, "_load_uncached", lambda path, mk, tk, dev: (loads.append(path) or object(), object())
    )
    folder = tmp_path / "m"
    folder.mkdir()
    first = cache.load_model_and_tokenizer(str(folder), {"a": 1, "b": 2}, None, "cpu")
    second = cache.load_model_and_tokenizer(str(folder), {"b": 2, "a": 1}, {}, "cpu")
    assert first is second and len(loads) == 1
    cache.clear_model_cache()


def test_two_threads_loading_one_key_load_once(monkeypatch, tmp_path):
    entered = threading.Event()
    release = threading.Event()
    loads: list[str] = []

    def slow_load(path, model_kwargs, tokenizer_kwargs, device):
        loads.append(path)
        entered.set()
        assert release.wait(timeout=30)
        return object(), object()

    monkeypatch.setattr(cache, "_load_uncached", slow_load)
    folder = tmp_path / "m"
    folder.mkdir()
    results: list[tuple] = []

    def load() -> None:
        results.append(cache.load_model_and_tokenizer(str(folder), device="cpu"))

    first = threading.Thread(target=load)
    first.start()
    assert entered.wait(timeout=30)  # first thread is inside the loader now
    second = threading.Thread(target=load)
    second.start()
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert len(loads) == 1
    assert len(results) == 2 and results[0] is results[1]
    cache.clear_model_cache()
