"""OpenAIModel without the test server: arguments, records, hosted names, unreachable servers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("openai", reason="OpenAIModel needs: pip install 'syndisco-widgets[openai]'")

from syndisco_widgets import OpenAIModel
from syndisco_widgets.errors import ConfigError, ModelError
from syndisco_widgets.models import ChatPrompt
from syndisco_widgets.models.openai_model import hosted_model

PROMPT = ChatPrompt.single("You are brief.", "Hello there")


@pytest.fixture
def no_openai_env(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def test_syndisco_positional_signature_works():
    model = OpenAIModel("m", "key", "http://localhost:8000/v1/", "moderator-model", 50, 0.2, ["<eos>"])
    assert model.model_name == "m"
    assert model.name == "moderator-model"
    assert model.base_urls == ["http://localhost:8000/v1"]
    assert model.max_out_tokens == 50
    assert model.strip_strings == ("<eos>",)
    assert model.defaults.temperature == 0.2


def test_describe_records_server_model_and_settings_but_never_the_key():
    model = OpenAIModel(
        "m",
        api_key="sk-secret",
        base_url=["http://user:pw@gpu1:8000/v1", "http://gpu2:8000/v1"],
        top_p=0.9,
        seed=7,
        max_concurrency=4,
    )
    record = model.describe()
    assert record == {
        "backend": "OpenAIModel",
        "name": "m",
        "max_out_tokens": 256,
        "model_name": "m",
        "base_urls": ["http://gpu1:8000/v1", "http://gpu2:8000/v1"],
        "temperature": 0.0,
        "top_p": 0.9,
        "seed": 7,
        "max_concurrency": 4,
        "timeout": 60.0,
        "max_retries": 3,
    }
    assert "secret" not in repr(model)
    assert "pw" not in repr(model)


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"model_name": ""}, "model_name"),
        ({"base_url": "localhost:8000"}, "base_url"),
        ({"base_url": []}, "base_url"),
        ({"base_url": "http://a/v1,http://b/v1"}, "base_url"),
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"temperature": -1}, "temperature"),
        ({"top_p": 2}, "top_p"),
        ({"seed": "1"}, "seed"),
        ({"max_out_tokens": 0}, "max_out_tokens"),
        ({"remove_string_list": "</s>"}, "remove_string_list"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, names):
    arguments = {"model_name": "m", "base_url": "http://localhost:8000/v1", **kwargs}
    with pytest.raises(ConfigError, match=names):
        OpenAIModel(**arguments)


def test_the_openai_api_without_a_key_says_how_to_give_one(no_openai_env):
    with pytest.raises(ConfigError, match=r"OPENAI_API_KEY.*base_url="):
        OpenAIModel("gpt-4o-mini")


def test_base_url_defaults_to_the_environment_with_replicas(no_openai_env, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://gpu1:8000/v1, http://gpu2:8000/v1/")
    assert OpenAIModel("m").base_urls == ["http://gpu1:8000/v1", "http://gpu2:8000/v1"]


def test_hosted_model_needs_the_environment(no_openai_env, monkeypatch):
    assert hosted_model("gpt-4o") is None
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    model = hosted_model("openai/gpt-4o", max_out_tokens=100, temperature=0.7)
    assert isinstance(model, OpenAIModel)
    assert (model.model_name, model.base_urls, model.max_out_tokens) == (
        "gpt-4o",
        ["https://api.openai.com/v1"],
        100,
    )
    assert model.defaults.temperature == 0.7
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:8000/v1")
    local = hosted_model("openai/gpt-4o", name="agent")
    assert local is not None
    assert (local.model_name, local.name, local.base_urls) == (
        "openai/gpt-4o",
        "agent",
        ["http://localhost:8000/v1"],
    )


def test_a_port_with_no_server_fails_fast_and_names_the_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    url = f"http://127.0.0.1:{port}/v1"
    model = OpenAIModel("m", base_url=url, timeout=5)
    started = time.monotonic()
    with pytest.raises(ModelError, match="could not connect") as caught:
        model.complete(PROMPT)
    assert time.monotonic() - started < 5
    assert url in str(caught.value)
    assert "Is the server running?" in str(caught.value)


def test_a_server_that_never_answers_times_out_instead_of_hanging():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections into the backlog, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"
        model = OpenAIModel("m", base_url=url, timeout=1.5)
        started = time.monotonic()
        with pytest.raises(ModelError, match=r"sent nothing for 1.5 s") as caught:
            model.complete(PROMPT)
        assert time.monotonic() - started < 10
        assert url in str(caught.value)


def test_without_the_openai_package_the_error_gives_the_pip_line():
    code = (
        "import sys; sys.modules['openai'] = None\n"
        "from syndisco_widgets import OpenAIModel\n"
        "from syndisco_widgets.errors import ModelLoadError\n"
        "try:\n"
        "    OpenAIModel('m', base_url='http://localhost:8000/v1')\n"
        "except ModelLoadError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "pip install 'syndisco-widgets[openai]'" in done.stdout


def test_when_every_replica_is_down_the_error_says_so():
    ports = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    urls = [f"http://127.0.0.1:{p}/v1" for p in ports]
    model = OpenAIModel("m", base_url=urls, timeout=5)
    with pytest.raises(ModelError, match="none of the 2 servers answered"):
        model.complete_batch([PROMPT, PROMPT])
