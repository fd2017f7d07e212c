"""Loading failures raise ModelLoadError naming the path and the fix."""

from __future__ import annotations

import shutil

import pytest

from syndisco_widgets.errors import ModelLoadError
from syndisco_widgets.models import ChatPrompt, TransformersModel


def test_missing_local_folder(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelLoadError, match="does not exist") as info:
        TransformersModel(str(missing), "m", 8)
    assert str(missing) in str(info.value)
    assert "check the path" in str(info.value)


def test_missing_relative_folder():
    with pytest.raises(ModelLoadError, match=r"'\./models/nothing-here' does not exist"):
        TransformersModel("./models/nothing-here", "m", 8)


def test_unknown_hub_id_offline():
    hub_id = "syndisco-tests/definitely-not-a-model"
    with pytest.raises(ModelLoadError) as info:
        TransformersModel(hub_id, "m", 8)
    message = str(info.value)
    assert hub_id in message
    assert "check the id, or pass a local folder; no network access?" in message
    assert info.value.__cause__ is not None


def test_folder_of_an_encoder_model(tmp_path):
    from transformers import DistilBertConfig

    DistilBertConfig(dim=32, hidden_dim=64, n_layers=1, n_heads=2).save_pretrained(tmp_path)
    with pytest.raises(ModelLoadError, match="does not hold a causal") as info:
        TransformersModel(str(tmp_path), "m", 8)
    assert str(tmp_path) in str(info.value)
    assert info.value.__cause__ is not None


def test_folder_without_config(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelLoadError, match=r"no config\.json"):
        TransformersModel(str(tmp_path), "m", 8)


def test_tokenizer_without_chat_template_falls_back_with_one_warning(tiny_model_dir, tmp_path):
    folder = tmp_path / "no-template"
    shutil.copytree(tiny_model_dir, folder)
    (folder / "chat_template.jinja").unlink(missing_ok=True)

    with pytest.warns(UserWarning, match="no chat template") as record:
        model = TransformersModel(str(folder), "plain", 8)
    assert len([w for w in record if "chat template" in str(w.message)]) == 1
    assert not model.uses_chat_template

    prompt = ChatPrompt("Be brief.", ({"role": "user", "content": "Hi"},))
    assert model.format_prompt(prompt) == "System: Be brief.\nUser: Hi\nAssistant:"
    assert isinstance(model.generate(prompt).text, str)
