"""Do a discussion's speakers stay on topic, and does every reply end on a whole word?

Reads a run file (an autosave ``.jsonl`` or an export ``.json``) and checks
every model-written entry:

* on topic: it mentions at least one topic word (a content word of the
  topic, or one given with ``--keywords``; matched on its first five
  letters, so "cars" matches "car-free" and "streets" matches "street");
* whole ending: its last visible character is not a letter or digit cut
  mid-word (it ends in punctuation, an ellipsis, a closing quote or an emoji);
* letter-like: it does not open like a letter ("Dear Priya, I hope this
  message finds you well"), the wandering the issue reported.

    python bench/on_topic.py RUN_FILE [--topic "..."] [--keywords car,traffic]
    python bench/on_topic.py --quickstart OUT_DIR [--seed 1]   # run the quickstart's set-up, check it

``--quickstart`` builds notebook 01's discussion (its two personas, topic,
opening post and 12 replies) on the demo model and checks the run it saved.
Exit status 1 when fewer than ``--min-on-topic`` of the replies are on topic
or any reply ends mid-word.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from syndisco_widgets import Actor, ActorType, Discussion, Logs, Persona, RoundRobin
from syndisco_widgets.engine.topic import (
    DEFAULT_CONTEXT,
    DEFAULT_INSTRUCTIONS,
    DEFAULT_SEED_POST,
    DEFAULT_TOPIC,
    context_with_topic,
)

STOPWORDS = frozenset(
    {"should", "would", "could", "our", "their", "your", "this", "that", "with", "from", "into", "about"}
    | {"what", "which", "when", "where", "there", "have", "will", "shall", "them", "they", "town"}
)
LETTER_OPENING = re.compile(r"^\s*(dear|hi|hello)\s+\w+\s*[,!]|i hope this (message|letter)", re.IGNORECASE)
QUICKSTART_PERSONAS = [  # as in notebooks/01_quickstart.ipynb
    Persona(
        username="Emma35",
        age=38,
        sex="female",
        education_level="Bachelor's",
        current_employment="Registered Nurse",
        personality_characteristics=["compassionate", "patient", "diligent", "overwhelmed"],
    ),
    Persona(
        username="Giannis",
        age=21,
        sex="male",
        education_level="College",
        current_employment="Game Developer",
        personality_characteristics=["strategic", "meticulous", "nerdy", "hyper-focused"],
    ),
]


def topic_stems(topic: str, extra: list[str]) -> set[str]:
    words = [w for w in re.findall(r"[a-z]+", topic.lower()) if len(w) >= 3 and w not in STOPWORDS]
    return {w[:5] for w in words + [e.lower() for e in extra]}


def on_topic(text: str, stems: set[str]) -> bool:
    return any(w[:5] in stems for w in re.findall(r"[a-z]+", text.lower()))


def ends_whole(text: str) -> bool:
    tail = text.rstrip()
    return bool(tail) and not tail[-1].isalnum()


def check(logs: Logs, topic: str, extra: list[str]) -> tuple[float, int, list[str]]:
    stems = topic_stems(topic, extra)
    replies = [e for e in logs if e.get("source") == "model"]
    lines, hits, cut = [], 0, 0
    for entry in replies:
        topical, whole = on_topic(entry["text"], stems), ends_whole(entry["text"])
        letter = bool(LETTER_OPENING.search(entry["text"]))
        hits += topical and not letter
        cut += not whole
        marks = "".join(
            (
                "T" if topical else "-",
                "W" if whole else "-",
                "L" if letter else " ",
                "c" if entry.get("truncated") else " ",
            )
        )
        lines.append(f"  [{marks}] {entry['name']}: {entry['text']}")
    share = hits / len(replies) if replies else 0.0
    return share, cut, lines


def run_quickstart(folder: Path, seed: int) -> Path:
    from syndisco_widgets import demo_model

    model = demo_model(seed=seed)
    context = context_with_topic(DEFAULT_CONTEXT, DEFAULT_TOPIC)
    users = [Actor(model, p, ActorType.USER, context, DEFAULT_INSTRUCTIONS) for p in QUICKSTART_PERSONAS]
    discussion = Discussion(
        RoundRobin(),
        users,
        conv_len=12,
        history_context_len=5,
        seed_opinions=[DEFAULT_SEED_POST["text"]],
        seed_opinion_usernames=[DEFAULT_SEED_POST["user"]],
        autosave_dir=folder,
    )
    discussion.begin(verbose=False)
    assert discussion.log_path is not None
    return discussion.log_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_file", nargs="?", type=Path)
    parser.add_argument("--quickstart", type=Path, metavar="OUT_DIR")
    parser.add_argument("--topic", default=DEFAULT_TOPIC)
    parser.add_argument("--keywords", default="", help="comma-separated extra topic words")
    parser.add_argument("--min-on-topic", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=0, help="the demo model's sampling seed (--quickstart)")
    args = parser.parse_args()
    if (args.run_file is None) == (args.quickstart is None):
        parser.error("give a RUN_FILE or --quickstart OUT_DIR")
    path = run_quickstart(args.quickstart, args.seed) if args.quickstart else args.run_file
    share, cut, lines = check(Logs.from_file(path), args.topic, [k for k in args.keywords.split(",") if k])
    print(f"{path}\ntopic: {args.topic}\n[T on topic, W whole ending, L letter-like, c cut at a sentence]")
    print("\n".join(lines))
    print(f"on topic: {share:.0%} of {len(lines)} replies; ending mid-word: {cut}")
    return 0 if share >= args.min_on_topic and cut == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
