"""Run records: every field, versions without imports, a weights hash that follows the weights."""

import importlib.metadata
import shutil

import pytest

from syndisco_widgets import ScriptedModel
from syndisco_widgets.engine import weights as identity_module
from syndisco_widgets.engine.run_record import (
    RUN_RECORD_FORMAT,
    RunRecord,
    finish_run_record,
    model_identity,
    prompt_template_hashes,
    start_run_record,
)
from syndisco_widgets.engine.weights import weight_files, weights_sha256
from syndisco_widgets.models import GenerationOptions


@pytest.fixture
def tiny_copy(tiny_model_dir, tmp_path):
    """A private copy of the tiny model whose weights a test may change."""
    return shutil.copytree(tiny_model_dir, tmp_path / "tiny")


def tiny(folder, **kwargs):
    from syndisco_widgets.models.transformers_model import TransformersModel

    return TransformersModel(str(folder), "tiny", 4, **kwargs)


def test_a_record_holds_every_field(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    model = tiny(tiny_model_dir, temperature=0.7, seed=3)
    record = start_run_record([model, model], seed=42, generation=GenerationOptions(top_p=0.9))
    assert set(record) == set(RunRecord.__annotations__)
    assert record["format"] == RUN_RECORD_FORMAT
    assert record["versions"] == {
        name: importlib.metadata.version(name)
        for name in ("syndisco-widgets", "transformers", "torch", "openai")
    }
    assert len(record["models"]) == 1  # the same model twice is recorded once
    identity = record["models"][0]
    assert identity["backend"] == "TransformersModel" and identity["name"] == "tiny"
    assert identity["model_path"] == str(tiny_model_dir)
    assert len(identity["weights_sha256"]) == 64
    assert identity["generation"]["temperature"] == 0.7
    assert record["generation"] == {"top_p": 0.9}
    assert record["device"] == "cpu"
    assert record["seed"] == 42
    assert {"engine.prompts.EMPTY_HISTORY", "engine.prompts.ASK[user]"} <= set(record["prompts"])
    assert all(len(h) == 64 for h in record["prompts"].values())
    assert record["ended"] is None
    done = finish_run_record(record)
    assert done["ended"] is not None and done["ended"] >= done["started"] and record["ended"] is None


def test_versions_are_read_without_importing_the_libraries():
    import subprocess
    import sys

    code = (
        "import sys; from syndisco_widgets.engine.run_record import package_versions; "
        "v = package_versions(); assert v['torch'] and v['transformers']; "
        "print(sorted(m for m in ('torch', 'transformers', 'openai') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_weights_hash_changes_when_the_weights_change(tiny_copy, tmp_path):
    cache = tmp_path / "hashes.json"
    before = weights_sha256(tiny_copy, cache_file=cache)
    assert before == weights_sha256(tiny_copy, cache_file=cache)
    weights = weight_files(tiny_copy)[0]
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # one bit pattern in the last weight
    weights.write_bytes(bytes(data))
    after = weights_sha256(tiny_copy, cache_file=cache)
    assert after is not None and after != before


def test_records_change_when_the_weights_change(tiny_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = start_run_record([tiny(tiny_copy)])["models"][0]["weights_sha256"]
    weights = weight_files(tiny_copy)[0]
    data = bytearray(weights.read_bytes())
    data[-2] ^= 0x01  # the last weight changes a little
    weights.write_bytes(bytes(data))
    second = start_run_record([tiny(tiny_copy)])["models"][0]["weights_sha256"]
    assert first != second


def test_each_weight_file_is_hashed_once_then_read_from_the_cache(tiny_copy, tmp_path, monkeypatch):
    cache = tmp_path / "hashes.json"
    calls = []
    real = identity_module._file_sha256
    monkeypatch.setattr(identity_module, "_file_sha256", lambda p: calls.append(p) or real(p))
    first = weights_sha256(tiny_copy, cache_file=cache)
    assert len(calls) == len(weight_files(tiny_copy)) >= 1
    assert cache.is_file() and not list(tmp_path.glob(".hashes.json.*"))  # written atomically, no leftovers
    identity_module._memo.clear()  # a new process: only the cache file remains
    assert weights_sha256(tiny_copy, cache_file=cache) == first
    assert len(calls) == len(weight_files(tiny_copy))


def test_a_broken_cache_file_is_rebuilt(tiny_copy, tmp_path):
    cache = tmp_path / "hashes.json"
    cache.write_text("{not json", encoding="utf-8")
    identity_module._memo.clear()
    digest = weights_sha256(tiny_copy, cache_file=cache)
    assert digest is not None and '"version": 1' in cache.read_text(encoding="utf-8")


def test_a_folder_without_weights_has_no_hash(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    assert weights_sha256(tmp_path, cache_file=tmp_path / "c.json") is None


def test_models_without_files_keep_what_describe_says():
    identity = model_identity(ScriptedModel(name="script"))
    assert identity == {**ScriptedModel(name="script").describe(), "weights_sha256": None}


def test_public_template_constants_are_hashed_by_name():
    import types

    module = types.ModuleType("syndisco_widgets.fake_prompts")
    module.GREETING = "Hello {name}"
    module.ASK = {"user": "Speak", "moderator": "Moderate"}
    module._PRIVATE = "not a template"
    hashes = prompt_template_hashes(module)
    assert set(hashes) == {"fake_prompts.GREETING", "fake_prompts.ASK[user]", "fake_prompts.ASK[moderator]"}
