"""Do a discussion's speakers stay on topic, and does every reply end on a whole word?

Reads run files (autosave ``.jsonl`` or export ``.json``) and judges every
model-written reply on its own, by this written rule:

* **on topic**: the reply names the question itself: at least one word of
  the topic's question list (:data:`QUESTION_WORDS`; for a topic not listed
  there, ``--keywords``), matched as a whole word with its listed endings,
  so "street" counts in "streets" but "car" not in "care". For the car-free
  main street these are the street, pedestrians, walking, cycling, traffic,
  parking, "car-free", a zone or downtown; cars, driving or transport alone
  are not enough (the demo model drifts to "sustainable transportation" and
  electric cars in general). Words of the question that fit any other
  subject ("turn", "main", "free", "town") are not in the list.
  **On the subject** is the looser count: the question's words or the
  wider subject's (:data:`SUBJECT_WORDS`: cars, driving, vehicles, roads,
  buses, transport, commuting);
* and it is not an **echo**: it does not repeat the request's wording
  ("two or three sentences", "Write only the comment", "your own view on
  this question", a leading "Topic:" or "The question:") and is not just
  the question itself (fewer than three words
  left once the question's words are taken out);
* and it is not **letter-like** ("Dear Priya, I hope this message finds you
  well", "Hi Emma35,"; "Hello everyone," is a forum post), the wandering
  issue 19 reported.

**Whole ending**: the reply's last visible character is not a letter or
digit (it ends in punctuation, an ellipsis, a closing quote or an emoji).

The topic is read from the run file (a discussion records it in its
settings), else ``--topic``.

    python bench/on_topic.py RUN_FILE... [--topic "..."] [--keywords car,traffic]
    python bench/on_topic.py --setup quickstart --setup studio --seeds 0,1,2 --out DIR

``--setup`` builds that discussion exactly as its widget does
(``DiscussionStudio(...).build_discussion()``) on the demo model, sampling
with each ``--seeds`` value, runs it to the end, saves it under ``--out``
and judges it: ``quickstart`` is notebook 01's set-up, read from the
notebook (its two personas, topic, opening post, 12 replies), ``studio`` a ``DiscussionStudio`` given only
the model and the same personas (its default topic, no opening post, 5
replies). ``--temperature`` and ``--top-p`` replace the demo model's own
sampling settings (to measure other defaults). Exit status 1 when fewer than ``--min-on-topic`` of all replies
are on topic or any reply ends mid-word.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import re
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import syndisco_widgets
from syndisco_widgets import Logs

CAR_FREE = "Should our town turn its main street into a car-free zone?"
LIBRARY = "Should the town spend more of next year's budget on the library?"
#: The words of each known topic's question: a reply on topic names at least one.
QUESTION_WORDS = {
    CAR_FREE: (
        r"car-free|cars?-free|streets?|sidewalks?|pedestrian\w*|traffic|parking|walk(?:s|ing|able)?"
        r"|bikes?|bicycles?|cycl(?:e|ing|ists?)|downtown|zones?"
    ),
    LIBRARY: r"budget\w*|librar(?:y|ies|ian|ians)",
}
#: The wider subject of each known topic (counted as "on the subject", not as on topic).
SUBJECT_WORDS = {
    CAR_FREE: r"cars?|driv(?:e|es|er|ers|ing)|vehicles?|roads?|bus|buses|transport\w*|commut\w*",
    LIBRARY: r"books?|spend(?:ing)?|spent|fund(?:s|ed|ing)?|money|tax(?:es)?|costs?",
}
#: A reply that repeats the request's wording instead of answering it.
ECHO = re.compile(
    r"two or three sentences|write only (?:the|your) comment|your next comment|your own view on this question"
    r"|^\s*(?:topic|the question)\s*:",
    re.IGNORECASE,
)
LETTER_OPENING = re.compile(
    r"^\s*(dear|hi|hey|hello)\s+(?!everyone|everybody|all\b|folks|there)\w+\s*[,!]|i hope this (message|letter)",
    re.IGNORECASE,
)
#: Fewer words than this left once the question's words are removed: the reply is the question.
MIN_OWN_WORDS = 3

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_quickstart.ipynb"
#: The studio arguments of notebook 01 that make its set-up (model, personas and turn-taking aside).
STUDIO_ARGS = (
    "topic",
    "context",
    "instructions",
    "seed_opinions",
    "seed_opinion_usernames",
    "conv_len",
    "history_context_len",
)


def quickstart_setup(notebook: Path = NOTEBOOK) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Notebook 01's ``persona_data`` and its ``DiscussionStudio(...)`` set-up, read from the notebook."""
    values: dict[str, Any] = {}
    studio: dict[str, ast.expr] = {}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                with contextlib.suppress(ValueError):
                    values[node.targets[0].id] = ast.literal_eval(node.value)
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "DiscussionStudio":
                studio = {k.arg: k.value for k in node.keywords if k.arg in STUDIO_ARGS}

    def value(node: ast.expr) -> Any:
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.List):
            return [value(item) for item in node.elts]
        return ast.literal_eval(node)

    return values["persona_data"], {key: value(node) for key, node in studio.items()}


PERSONAS, QUICKSTART = quickstart_setup()
SETUPS: dict[str, dict[str, Any]] = {"quickstart": QUICKSTART, "studio": {}}


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:['-][a-z0-9]+)*", text.lower())


def judge(text: str, topic: str, patterns: tuple[re.Pattern[str], re.Pattern[str]]) -> dict[str, bool]:
    """The rule of the module docstring, for one reply (``patterns``: see :func:`topic_patterns`)."""
    question = set(words(topic))
    own = [w for w in words(text) if w not in question]
    return {
        "names_question": bool(patterns[0].search(text)),
        "names_subject": bool(patterns[1].search(text)),
        "echo": bool(ECHO.search(text)) or len(own) < MIN_OWN_WORDS,
        "letter": bool(LETTER_OPENING.search(text)),
        "whole": bool(text.rstrip()) and not text.rstrip()[-1].isalnum(),
    }


def topic_patterns(topic: str, keywords: list[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(the question's words, the question's or the subject's words) of ``topic`` as patterns."""
    listed = QUESTION_WORDS.get(topic)
    if listed is None and not keywords:
        raise SystemExit(f"no question words for topic {topic!r}: give --keywords word,word,...")
    question = "|".join([*([listed] if listed else []), *map(re.escape, keywords)])
    subject = "|".join([question, *([SUBJECT_WORDS[topic]] if topic in SUBJECT_WORDS else [])])
    return tuple(re.compile(rf"\b(?:{a})\b", re.IGNORECASE) for a in (question, subject))  # type: ignore[return-value]


def run_topic(path: Path, given: str) -> str:
    """The topic the run recorded (its settings), else ``given``."""
    if path.suffix == ".jsonl":
        first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
        recorded = first.get("metadata", {}).get("topic")
        if recorded:
            return str(recorded)
    return given


class Tally(NamedTuple):
    """What one run (or several) gave: replies, on topic, on the subject, ending mid-word."""

    replies: int = 0
    on_topic: int = 0
    on_subject: int = 0
    mid_word: int = 0

    def __add__(self, other: object) -> Tally:
        assert isinstance(other, Tally)
        return Tally(*(a + b for a, b in zip(self, other, strict=True)))


def check(path: Path, topic: str, keywords: list[str]) -> tuple[Tally, list[str]]:
    """The tally and the printed lines of one run file."""
    patterns = topic_patterns(topic, keywords)
    replies = [e for e in Logs.from_file(path) if e.get("source") == "model"]
    lines, tally = [f"{path.name}: {topic}"], Tally()
    for entry in replies:
        verdict = judge(entry["text"], topic, patterns)
        counted = not verdict["echo"] and not verdict["letter"]
        topical, subject = counted and verdict["names_question"], counted and verdict["names_subject"]
        tally += Tally(1, topical, subject, not verdict["whole"])
        marks = "".join(
            (
                "T" if topical else "s" if subject else "-",
                "W" if verdict["whole"] else "-",
                "E" if verdict["echo"] else " ",
                "L" if verdict["letter"] else " ",
                "c" if entry.get("truncated") else " ",
            )
        )
        lines.append(f"  [{marks}] {entry['name']}: {entry['text']}")
    return tally, lines


def summary(tally: Tally) -> str:
    n = tally.replies or 1
    return (
        f"on topic {tally.on_topic}/{tally.replies} ({tally.on_topic / n:.0%}), "
        f"on the subject {tally.on_subject}/{tally.replies} ({tally.on_subject / n:.0%}), "
        f"ending mid-word {tally.mid_word}"
    )


def run_setup(name: str, seed: int, folder: Path, sampling: dict[str, float]) -> Path:
    """Build set-up ``name`` as the studio does, run it on the demo model (seed ``seed``), save it.

    ``sampling`` (``temperature``, ``top_p``) replaces the demo model's own settings.
    """
    from syndisco_widgets.models import demo_model
    from syndisco_widgets.widgets import DiscussionStudio

    model = demo_model(seed=seed, **sampling)
    studio = DiscussionStudio(model=model, personas=PERSONAS, start=False, **SETUPS[name])
    discussion = studio.build_discussion()
    folder.mkdir(parents=True, exist_ok=True)
    path = discussion.autosave_to(folder / f"{name}-seed{seed}.jsonl")
    discussion.begin(verbose=False)
    discussion.close()
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_files", nargs="*", type=Path)
    parser.add_argument("--setup", action="append", choices=sorted(SETUPS), default=[])
    parser.add_argument("--seeds", default="0", help="comma-separated sampling seeds (--setup)")
    parser.add_argument("--out", type=Path, help="where --setup saves its runs")
    parser.add_argument("--topic", default=QUICKSTART["topic"], help="when a run file records none")
    parser.add_argument("--keywords", default="", help="comma-separated subject words (unlisted topic)")
    parser.add_argument(
        "--temperature", type=float, help="sampling temperature (--setup; default: the demo's)"
    )
    parser.add_argument(
        "--top-p", type=float, help="nucleus sampling threshold (--setup; default: the demo's)"
    )
    parser.add_argument("--min-on-topic", type=float, default=0.9)
    args = parser.parse_args()
    if not args.run_files and not args.setup:
        parser.error("give RUN_FILEs or --setup NAME --out DIR")
    if args.setup and args.out is None:
        parser.error("--setup needs --out DIR")
    print(f"package: {Path(syndisco_widgets.__file__).parent}")
    paths = list(args.run_files)
    sampling = {k: v for k, v in (("temperature", args.temperature), ("top_p", args.top_p)) if v is not None}
    for seed in (int(s) for s in args.seeds.split(",")):
        for name in args.setup:
            t0 = time.perf_counter()
            paths.append(run_setup(name, seed, args.out, sampling))
            print(f"ran {name} seed {seed} in {time.perf_counter() - t0:.0f} s")
    keywords = [k for k in args.keywords.split(",") if k]
    print(
        "[T on topic, s on the subject only, W whole ending, E echo, L letter-like, c cut back to a sentence]"
    )
    total = Tally()
    for path in paths:
        tally, lines = check(path, run_topic(path, args.topic), keywords)
        print("\n".join(lines))
        print(f"  -> {summary(tally)}")
        total += tally
    print(f"all: {summary(total)}")
    share = total.on_topic / total.replies if total.replies else 0.0
    return 0 if share >= args.min_on_topic and total.mid_word == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
