"""drive() with a model that takes concurrent requests: no rounds, a bounded number in flight.

The model here is a complete concurrent backend of its own (the protocol a
server client such as OpenAIModel implements): replies depend only on the
prompt and take a time that depends on the speaker. The same drive against a
real server runs in tests/openai.
"""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from syndisco_widgets import drive, run_discussions
from syndisco_widgets.engine.drive import drive_feed
from syndisco_widgets.errors import DiscussionsFailedError, ModelError
from syndisco_widgets.models.base import BaseModel, ChatPrompt, Completion, GenerationOptions

from .helpers import make_discussion


def reply_for(prompt: ChatPrompt) -> str:
    text = prompt.system + "".join(m["content"] for m in prompt.messages)
    return "reply " + hashlib.sha256(text.encode()).hexdigest()[:8]


class ThreadedModel(BaseModel):
    """Answers up to ``max_concurrency`` prompts at once on worker threads."""

    def __init__(
        self, *, max_concurrency: int, delay: dict[str, float] | None = None, fail: str = ""
    ) -> None:
        super().__init__("threaded")
        self.max_concurrency = max_concurrency
        self.delay = delay or {}
        self.fail = fail
        self.pool = ThreadPoolExecutor(max_workers=max_concurrency)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.sent = 0

    def generate(self, prompt: ChatPrompt, *, control=None, options=None) -> Completion:
        return Completion(reply_for(prompt), prompt_tokens=3, completion_tokens=2)

    def submit(self, prompt: ChatPrompt, *, options: GenerationOptions | None = None) -> Future[Completion]:
        with self.lock:
            self.sent += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        return self.pool.submit(self._answer, prompt)

    def _answer(self, prompt: ChatPrompt) -> Completion:
        try:
            time.sleep(next((d for key, d in self.delay.items() if key in prompt.system), 0.0))
            if self.fail and self.fail in prompt.system:
                raise ModelError(f"model {self.name!r} failed: refused {self.fail}")
            return self.generate(prompt)
        finally:
            with self.lock:
                self.in_flight -= 1


class Batches(BaseModel):
    """The same replies, one batch per round (no submit)."""

    def __init__(self) -> None:
        super().__init__("batches")

    def generate(self, prompt: ChatPrompt, *, control=None, options=None) -> Completion:
        return Completion(reply_for(prompt), prompt_tokens=3, completion_tokens=2)


class Order:
    """A listener noting who recorded when."""

    def __init__(self) -> None:
        self.recorded: list[tuple[int, str]] = []

    def request_started(self, source, request) -> None:
        pass

    def entry_recorded(self, source, request, entry) -> None:
        self.recorded.append((id(source), entry["name"]))


def texts(convs):
    return [[e["text"] for e in c.logs] for c in convs]


def test_texts_equal_round_by_round_runs_and_in_flight_stays_bounded():
    model = ThreadedModel(max_concurrency=3, delay={"Ann": 0.01, "Bob": 0.002})
    pipelined = [make_discussion(model, conv_len=5) for _ in range(12)]
    rounds = [make_discussion(Batches(), conv_len=5) for _ in range(12)]
    report = run_discussions(pipelined, verbose=False)
    run_discussions(rounds, verbose=False)
    assert texts(pipelined) == texts(rounds)
    assert report.turns == 60 and report.finished == list(range(12))
    assert model.most_in_flight == 3
    assert model.sent == 60


def test_a_fast_discussion_never_waits_for_a_slow_one():
    model = ThreadedModel(max_concurrency=4, delay={"Ann": 0.3, "Cid": 0.001, "Dee": 0.001})
    slow = make_discussion(model, names=("Ann", "Bob"), conv_len=2)
    fast = make_discussion(model, names=("Cid", "Dee"), conv_len=6)
    order = Order()
    drive([slow, fast], verbose=False, listener=order)
    names = [name for _, name in order.recorded]
    # All six fast turns are in before the slow discussion's first reply.
    assert names[:6] == ["Cid", "Dee"] * 3
    assert names[6:] == ["Ann", "Bob"]


def test_sources_are_asked_for_requests_only_when_there_is_room():
    model = ThreadedModel(max_concurrency=2, delay={"Ann": 0.02})
    convs = [make_discussion(model, conv_len=2) for _ in range(30)]
    asked_when_first_recorded: list[int] = []

    class Watch(Order):
        def entry_recorded(self, source, request, entry) -> None:
            if not asked_when_first_recorded:
                asked_when_first_recorded.append(sum(1 for c in convs if c.logs))
            super().entry_recorded(source, request, entry)

    drive(convs, verbose=False, listener=Watch())
    assert all(len(c.logs) == 2 for c in convs)
    # Only the discussions that had a slot were started when the first reply came.
    assert asked_when_first_recorded[0] <= 2


def test_a_failing_source_fails_alone_and_the_others_finish():
    model = ThreadedModel(max_concurrency=4, fail="Eve")
    good = [make_discussion(model, conv_len=3) for _ in range(5)]
    bad = make_discussion(model, names=("Eve", "Bob"), conv_len=3)
    with pytest.raises(DiscussionsFailedError) as info:
        drive([*good[:2], bad, *good[2:]], verbose=False)
    assert list(info.value.failures) == [2]
    assert "refused Eve" in str(info.value.failures[2])
    assert all(len(c.logs) == 3 for c in good)
    assert len(bad.logs) == 0  # Eve speaks first


def test_max_entries_stops_after_exactly_that_many():
    model = ThreadedModel(max_concurrency=8)
    convs = [make_discussion(model, conv_len=4) for _ in range(5)]
    report = drive(convs, verbose=False, max_entries=7)
    assert report.turns == 7
    assert sum(len(c.logs) for c in convs) == 7
    drive(convs, verbose=False)  # the rest, later
    assert [len(c.logs) for c in convs] == [4] * 5


def test_server_and_local_models_in_one_run_give_the_round_by_round_texts():
    from syndisco_widgets import Actor, ActorType, Discussion, Persona, RoundRobin

    def mixed(server: BaseModel, local: BaseModel) -> Discussion:
        users = [
            Actor(server, Persona(username="Ann"), ActorType.USER, "ctx", "be brief"),
            Actor(local, Persona(username="Bob"), ActorType.USER, "ctx", "be brief"),
        ]
        return Discussion(RoundRobin(["Ann", "Bob"]), users, conv_len=5)

    server, local = ThreadedModel(max_concurrency=2, delay={"Ann": 0.005}), Batches()
    convs = [mixed(server, local) for _ in range(6)]
    report = drive(convs, verbose=False)
    expected = [mixed(Batches(), Batches()) for _ in range(6)]
    drive(expected, verbose=False)
    assert report.finished == list(range(6))
    assert texts(convs) == texts(expected)
    assert server.sent == 6 * 3 and server.most_in_flight <= 2


class ListFeed:
    """Gives ``sources`` in order and notes how many were open at most and the order they ended in."""

    def __init__(self, sources) -> None:
        self.waiting = list(sources)
        self.open: set[int] = set()
        self.given = 0
        self.most_open = 0
        self.ended: list[tuple[int, bool]] = []

    def next_source(self):
        if not self.waiting:
            return None
        self.open.add(self.given)
        self.given += 1
        self.most_open = max(self.most_open, len(self.open))
        return self.waiting.pop(0)

    def source_ended(self, position, failure) -> None:
        self.open.remove(position)
        self.ended.append((position, failure is not None))


def test_a_feed_keeps_its_window_and_gives_the_texts_of_one_drive():
    model = ThreadedModel(max_concurrency=3, delay={"Ann": 0.005})
    fed = [make_discussion(model, conv_len=4) for _ in range(9)]
    feed = ListFeed(fed)
    report = drive_feed(feed, window=2)
    together = [make_discussion(Batches(), conv_len=4) for _ in range(9)]
    drive(together, verbose=False)
    assert texts(fed) == texts(together)
    assert report.finished == list(range(9)) and report.turns == 36
    assert feed.most_open == 2 and not feed.open
    assert sorted(position for position, _ in feed.ended) == list(range(9))


def test_a_slow_run_holds_one_place_of_the_window_not_the_others():
    model = ThreadedModel(max_concurrency=4, delay={"Ann": 0.4, "Cid": 0.001})
    slow = make_discussion(model, names=("Ann", "Bob"), conv_len=2)
    fast = [make_discussion(model, names=("Cid", "Dee"), conv_len=2) for _ in range(5)]
    feed = ListFeed([slow, *fast])
    drive_feed(feed, window=2)
    # In waves of two, the third discussion would wait for the slow first one;
    # here all five fast ones end while it is still running.
    assert [position for position, _ in feed.ended] == [1, 2, 3, 4, 5, 0]


def test_a_fed_source_that_fails_is_reported_and_its_place_taken():
    model = ThreadedModel(max_concurrency=2, fail="Eve")
    bad = make_discussion(model, names=("Eve", "Bob"), conv_len=2)
    good = [make_discussion(model, conv_len=2) for _ in range(3)]
    feed = ListFeed([bad, *good])
    report = drive_feed(feed, window=1)
    assert list(report.failures) == [0] and "refused Eve" in str(report.failures[0])
    assert report.finished == [1, 2, 3]
    assert feed.ended[0] == (0, True) and all(len(c.logs) == 2 for c in good)


def test_a_feed_on_a_local_model_runs_in_batched_rounds():
    fed = [make_discussion(Batches(), conv_len=3) for _ in range(5)]
    feed = ListFeed(fed)
    report = drive_feed(feed, window=3, batch_size=3)
    together = [make_discussion(Batches(), conv_len=3) for _ in range(5)]
    drive(together, verbose=False)
    assert texts(fed) == texts(together) and report.finished == list(range(5))
    assert feed.most_open == 3


def test_an_experiment_keeps_every_server_slot_busy_twice_over():
    from syndisco_widgets.engine.experiment_runs import open_runs

    fleet = ThreadedModel(max_concurrency=256)
    assert open_runs([fleet, fleet], batch_size=32) == 512  # one model, counted once
    assert open_runs([Batches()], batch_size=32) == 128
    assert open_runs([Batches()], batch_size=64) == 256
