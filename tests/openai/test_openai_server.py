"""OpenAIModel against a real `transformers serve --continuous-batching` (see conftest.py).

Nothing is mocked: the official client talks HTTP to the server. Faults
(429, 5xx, 401) are injected by a proxy in front of the real server.
"""

from __future__ import annotations

import asyncio
import time

import pytest

pytest.importorskip("openai", reason="OpenAIModel needs: pip install 'syndisco-widgets[openai]'")

from syndisco_widgets import Actor, ActorType, Discussion, OpenAIModel, Persona, RoundRobin, drive
from syndisco_widgets.errors import GenerationStopped, ModelError, TurnError
from syndisco_widgets.models import ChatPrompt, GenerationControl, GenerationOptions

pytestmark = pytest.mark.server


def tiny(served, **kwargs) -> OpenAIModel:
    kwargs.setdefault("max_out_tokens", 12)
    return OpenAIModel(served.model_name, base_url=kwargs.pop("base_url", served.url), **kwargs)


def prompt(text: str = "Hello, what do you think?") -> ChatPrompt:
    return ChatPrompt.single("You are a polite forum user.", text)


def people(model: OpenAIModel) -> tuple[list[Actor], Actor]:
    users = [
        Actor(model, Persona(username=name, age=30 + i), ActorType.USER, "A forum thread", "Be brief")
        for i, name in enumerate(("Ann", "Bob"))
    ]
    moderator = Actor(model, Persona(username="Mod"), ActorType.MODERATOR, "A forum thread", "Keep order")
    return users, moderator


def test_a_discussion_runs_end_to_end(served):
    model = tiny(served, name="served-tiny")
    users, moderator = people(model)
    discussion = Discussion(
        RoundRobin(),
        users,
        moderator,
        conv_len=4,
        seed_opinions=["Parks first."],
        seed_opinion_usernames=["Ann"],
    )
    discussion.begin(verbose=False)
    entries = list(discussion.get_logs())
    spoken = [e for e in entries if e["source"] == "model"]
    assert discussion.finished
    assert [e["name"] for e in spoken] == ["Ann", "Mod", "Bob", "Mod"] * 2
    assert all(e["model"] == "served-tiny" for e in spoken)
    assert all(isinstance(e["text"], str) for e in spoken)
    assert sum(bool(e["text"]) for e in spoken) >= len(spoken) - 1  # random weights: rarely an empty reply


def test_streamed_pieces_join_up_to_the_reply_with_token_counts(served):
    model = tiny(served, max_out_tokens=16)
    pieces: list[str] = []
    completion = model.complete(prompt(), control=GenerationControl(pieces.append))
    assert len(pieces) > 1
    assert "".join(pieces).strip() == completion.text
    assert completion.prompt_tokens is not None
    assert completion.prompt_tokens > 0
    assert completion.completion_tokens is not None
    assert 0 < completion.completion_tokens <= 16
    plain = model.complete(prompt())  # the unstreamed request reports tokens too
    assert plain.prompt_tokens == completion.prompt_tokens


def test_stop_mid_turn_closes_the_stream(served):
    model = tiny(served, max_out_tokens=2000)
    pieces: list[str] = []
    control = GenerationControl()

    def on_text(piece: str) -> None:
        pieces.append(piece)
        if len(pieces) == 3:
            control.stop()

    control.on_text = on_text
    started = time.monotonic()
    with pytest.raises(GenerationStopped) as caught:
        model.complete(prompt(), control=control)
    assert time.monotonic() - started < 30  # 2000 tokens would take far longer
    assert len(pieces) == 3
    assert caught.value.partial_text == "".join(pieces)
    assert model.complete(prompt()).completion_tokens  # the server is still fine


def test_stop_strings_end_the_reply_even_where_the_server_ignores_them(served):
    model = tiny(served, max_out_tokens=24)
    full = model.complete(prompt()).text
    stop = full[len(full) // 2 : len(full) // 2 + 2]
    if not stop.strip():
        pytest.skip("the reply's middle is blank; nothing to stop at")
    cut = model.complete(prompt(), options=GenerationOptions(stop=(stop,))).text
    pieces: list[str] = []
    streamed = model.complete(
        prompt(), control=GenerationControl(pieces.append), options=GenerationOptions(stop=(stop,))
    )
    assert cut == full[: full.index(stop)].strip()
    assert streamed.text == cut
    assert stop not in "".join(pieces)


def test_sixteen_prompts_are_sent_concurrently_and_come_back_in_order(served):
    model = tiny(served, max_concurrency=16)
    prompts = [prompt("why " * (i + 1)) for i in range(16)]
    completions = model.complete_batch(prompts)
    assert len(completions) == 16
    lengths = [c.prompt_tokens for c in completions]
    assert all(n is not None for n in lengths)
    assert lengths == sorted(lengths)  # longer prompt, more prompt tokens: the order is kept
    assert len(set(lengths)) == 16


def test_batches_work_from_inside_a_running_event_loop(served):
    model = tiny(served)

    async def notebook_cell() -> list[str]:
        return model.prompt_batch([prompt("a"), prompt("b")])  # a plain call, as in Jupyter

    assert len(asyncio.run(notebook_cell())) == 2


def test_requests_spread_across_replicas_and_skip_a_dead_one(served, faulty_proxy):
    second = faulty_proxy([])  # a second route to the server: another replica
    model = tiny(served, base_url=[served.url, second.url])
    assert len(model.complete_batch([prompt(str(i)) for i in range(8)])) == 8
    assert 0 < len(second.answered) < 8

    dead = f"http://127.0.0.1:{_closed_port()}/v1"
    survivor = tiny(served, base_url=[dead, served.url])
    assert len(survivor.complete_batch([prompt(str(i)) for i in range(4)])) == 4


def test_rate_limits_and_server_errors_are_retried(served, faulty_proxy):
    proxy = faulty_proxy([503, 429], retry_after="0")
    model = tiny(served, base_url=proxy.url, max_retries=3)
    assert model.complete(prompt()).completion_tokens
    assert proxy.answered == [503, 429, 200]


def test_retries_are_bounded(served, faulty_proxy):
    proxy = faulty_proxy([500] * 10, retry_after="0")
    model = tiny(served, base_url=proxy.url, max_retries=2)
    with pytest.raises(ModelError, match=r"HTTP 500 to 3 attempt\(s\).*injected fault 500") as caught:
        model.complete(prompt())
    assert proxy.answered == [500, 500, 500]
    assert proxy.url in str(caught.value)


def test_a_refused_key_is_not_retried_and_says_the_fix(served, faulty_proxy):
    proxy = faulty_proxy([401])
    model = tiny(served, base_url=proxy.url)
    with pytest.raises(ModelError, match=r"refused the API key \(HTTP 401.*api_key= or set OPENAI_API_KEY"):
        model.complete(prompt())
    assert proxy.answered == [401]


def test_an_unknown_model_name_is_a_clear_error(served):
    model = OpenAIModel("no-such-model", base_url=served.url)
    with pytest.raises(ModelError, match=r"does not serve model 'no-such-model'.*model_name=") as caught:
        model.complete(prompt())
    assert served.url in str(caught.value)


def test_a_server_killed_mid_run_keeps_the_log_and_the_run_resumes(served, tmp_path):
    # Long replies, so the server is still streaming when it is killed: a short
    # one can arrive whole before the kill lands on a fast machine.
    model = tiny(served, max_out_tokens=400)
    users, moderator = people(model)
    discussion = Discussion(RoundRobin(), users, moderator, conv_len=3, autosave_dir=tmp_path)
    for _ in range(2):
        discussion.step()
    before = list(discussion.get_logs())
    path = discussion.log_path
    assert path is not None

    def crash(_piece: str) -> None:
        if served.running:
            served.kill()  # dies while the reply streams (kill -9, waits until it is gone)

    with pytest.raises(TurnError):
        discussion.step(control=GenerationControl(crash))
    started = time.monotonic()
    with pytest.raises(TurnError, match="could not connect"):
        discussion.step()  # the server stays down: a fast, clear failure, no hang
    assert time.monotonic() - started < 10
    assert list(discussion.get_logs()) == before
    discussion.close()

    served.start()
    users, moderator = people(model)
    resumed = Discussion.resume(path, RoundRobin(), users, moderator)
    assert list(resumed.get_logs()) == before
    resumed.begin(verbose=False)
    after = list(resumed.get_logs())
    assert after[: len(before)] == before
    assert resumed.finished
    assert [e["name"] for e in after] == ["Ann", "Mod", "Bob", "Mod", "Ann", "Mod"]


def test_many_discussions_are_pipelined_across_replicas(served, faulty_proxy):
    second = faulty_proxy([])  # a second route to the server: another replica
    model = tiny(served, base_url=[served.url, second.url], max_concurrency=4)
    convs = []
    for i in range(6):
        users, moderator = people(model)
        convs.append(
            Discussion(
                RoundRobin(),
                users,
                moderator,
                conv_len=2,
                seed_opinions=[f"Topic {i}"],
                seed_opinion_usernames=["Ann"],
            )
        )
    started: list[str] = []

    class Watch:
        def request_started(self, source, request) -> None:
            started.append(request.name)

        def entry_recorded(self, source, request, entry) -> None:
            pass

    report = drive(convs, verbose=False, listener=Watch())
    assert report.finished == list(range(6))
    assert report.turns == 6 * 4 and report.batches == 6 * 4  # one request per call: no rounds
    for conv in convs:
        assert [e["name"] for e in conv.get_logs() if e["source"] == "model"] == ["Ann", "Mod", "Bob", "Mod"]
    assert 0 < len(second.answered) < 24


def test_a_failed_server_fails_each_pipelined_discussion_and_drive_resumes_them(served, tmp_path):
    model = tiny(served, max_out_tokens=400, max_concurrency=2)
    convs = []
    for i in range(3):
        users, moderator = people(model)
        convs.append(Discussion(RoundRobin(), users, moderator, conv_len=2, autosave_dir=tmp_path / str(i)))

    class Crash:
        def request_started(self, source, request) -> None:
            pass

        def entry_recorded(self, source, request, entry) -> None:
            if served.running:
                served.kill()  # the first reply is in; everything after it fails

    report = drive(convs, verbose=False, raise_on_failure=False, listener=Crash())
    assert set(report.failures) == {0, 1, 2} - set(report.finished)
    assert all(isinstance(e, TurnError) for e in report.failures.values())
    kept = [list(c.get_logs()) for c in convs]
    served.start()
    report = drive(convs, verbose=False)
    assert report.finished == [0, 1, 2]
    for conv, before in zip(convs, kept, strict=True):
        after = list(conv.get_logs())
        assert after[: len(before)] == before
        assert [e["name"] for e in after if e["source"] == "model"] == ["Ann", "Mod", "Bob", "Mod"]
        conv.close()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_capped_reply_says_it_hit_the_cap(served):
    model = tiny(served, max_out_tokens=2)
    for completion in (model.complete(prompt()), model.complete(prompt(), control=GenerationControl())):
        if completion.completion_tokens == 2:
            assert completion.finish_reason == "length"
        else:
            assert completion.finish_reason == "stop"


def test_labels_from_a_server_are_guided_or_parsed_with_one_retry(served):
    model = tiny(served, max_out_tokens=12)
    said = model.complete(prompt(), options=GenerationOptions(max_new_tokens=16)).text
    word = next(w for w in said.split() if w.isalnum() and w.casefold() != "zzz")
    choices = model.choose_labels([prompt(), prompt()], [word, "zzz"])
    for choice in choices:
        assert choice.method in ("guided", "parsed")
        assert choice.label in (word, "zzz")
        assert choice.raw_text.strip()
        assert choice.probabilities is None
