"""How often the demo model's replies fail, on a fixed set of persona prompts.

Builds the real turn prompts (``syndisco_widgets.engine.prompts``) for a fixed
set of personas and histories, asks the demo model (SmolLM2-135M-Instruct)
for one reply each under two decoding setups in one run, and counts replies
that are:

* empty: fewer than two words;
* repeating the prompt: they share a run of 6 words with the prompt;
* speaking as someone else: they contain a role marker (``[name]:``,
  ``name:`` at a line start for another participant, ``User:``, ``<|im_start|>``)
  or open by addressing their own persona ("Dear Maria", "Maria, ...");
* out of character: assistant talk ("How can I help", "as an AI").

``--prompts-module FILE`` measures another version of the prompt module, e.g.
the one before a change:

    git show 28e7191:syndisco_widgets/engine/prompts.py > /tmp/prompts_before.py
    python bench/reply_quality.py --prompts-module /tmp/prompts_before.py

    OMP_NUM_THREADS=2 python bench/reply_quality.py
    OMP_NUM_THREADS=1 python bench/reply_quality.py --seeds 1 --new-tokens 40   # quick check
"""

from __future__ import annotations

import argparse
import os
import re

from syndisco_widgets import Actor, ActorType, Persona
from syndisco_widgets.models import GenerationOptions

os.environ.setdefault("HF_HUB_OFFLINE", "1")

TOPIC = "Should our town replace its central car park with a public garden?"
CONTEXT = "You are taking part in an online discussion in a local community forum."
INSTRUCTIONS = "Act like a real person would: be brief, stay on topic and answer the others."

PERSONAS = [
    {
        "username": "Maria",
        "age": 52,
        "current_employment": "shop owner",
        "personality_characteristics": ["practical", "blunt"],
    },
    {
        "username": "Tom",
        "age": 24,
        "current_employment": "cycling courier",
        "personality_characteristics": ["enthusiastic"],
    },
    {
        "username": "Aisha",
        "age": 37,
        "current_employment": "nurse",
        "special_instructions": "You worry about parking for night shifts.",
    },
    {
        "username": "Giannis",
        "age": 68,
        "current_employment": "retired teacher",
        "personality_characteristics": ["polite", "thoughtful"],
    },
]

HISTORIES = [
    [],
    [{"name": "Moderator", "text": f"Welcome! Today's question: {TOPIC}"}],
    [
        {"name": "Moderator", "text": f"Welcome! Today's question: {TOPIC}"},
        {
            "name": "Sam",
            "text": "I think a garden would be lovely, and the town centre needs more green space.",
        },
        {"name": "Lee", "text": "But where would everyone park? Shops already struggle."},
    ],
    [
        {"name": "Lee", "text": "Gardens don't pay the bills. The car park brings customers."},
        {"name": "Sam", "text": "Footfall studies say people on foot spend more, actually."},
    ],
]

_ASSISTANT_TALK = re.compile(
    r"assist you|how can i help|how may i help|as an ai|language model|i'm here to help", re.IGNORECASE
)
_ROLE_MARKERS = re.compile(
    r"<\|im_(start|end)\|>|^\s*(user|assistant|system)\s*:", re.IGNORECASE | re.MULTILINE
)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _repeats(reply: str, prompt_text: str, n: int = 6) -> bool:
    grams = set()
    words = _words(prompt_text)
    for i in range(len(words) - n + 1):
        grams.add(tuple(words[i : i + n]))
    said = _words(reply)
    return any(tuple(said[i : i + n]) in grams for i in range(len(said) - n + 1))


def _speaks_as_other(reply: str, own: str, names: list[str]) -> bool:
    if _ROLE_MARKERS.search(reply) or re.search(r"\[[^\]\n]{1,40}\]\s*:", reply):
        return True
    if re.match(rf"\W*(dear|hi|hello|hey)?\s*{re.escape(own)}\b\s*[,:!]", reply, re.IGNORECASE):
        return True  # writes to its own persona, so it is not speaking as it
    others = [n for n in names if n != own]
    return any(re.search(rf"^\s*\W*{re.escape(n)}\W*\s*:", reply, re.MULTILINE) for n in others)


def _cases():
    names = [p["username"] for p in PERSONAS] + ["Moderator", "Sam", "Lee"]
    personas = [Persona(**fields) for fields in PERSONAS]
    return [(p.username, names, history, p) for p in personas for history in HISTORIES]


def _run(model, cases, seeds):
    counts = {
        "empty": 0,
        "repeats prompt": 0,
        "speaks as someone else": 0,
        "out of character": 0,
        "any failure": 0,
    }
    total, examples = 0, []
    for seed in seeds:
        prompts, meta = [], []
        for own, names, history, persona in cases:
            actor = Actor(model, persona, ActorType.USER, CONTEXT, INSTRUCTIONS)
            prompt = actor.turn_prompt(history)
            prompts.append(prompt)
            meta.append((own, names, prompt.system + "\n" + prompt.messages[0]["content"]))
        replies = model.prompt_batch(prompts, options=GenerationOptions(seed=seed))
        for reply, (own, names, prompt_text) in zip(replies, meta, strict=True):
            total += 1
            flags = [
                len(_words(reply)) < 2,
                _repeats(reply, prompt_text),
                _speaks_as_other(reply, own, names),
                bool(_ASSISTANT_TALK.search(reply)),
            ]
            flags.append(any(flags))
            for key, flag in zip(counts, flags, strict=True):
                counts[key] += flag
            if len(examples) < 4:
                examples.append((own, reply))
    return counts, total, examples


def _use_prompts_module(path: str) -> None:
    """Make actors build their prompts with the module in ``path`` (same package context)."""
    import importlib.util

    from syndisco_widgets.engine import actors

    spec = importlib.util.spec_from_file_location("syndisco_widgets.engine.prompts_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    actors.prompts = module
    print(f"prompts from {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--new-tokens", type=int, default=60)
    parser.add_argument("--prompts-module", help="a prompts.py file to measure instead of the installed one")
    args = parser.parse_args()
    if args.prompts_module:
        _use_prompts_module(args.prompts_module)

    from syndisco_widgets.models import TransformersModel
    from syndisco_widgets.models.demo import DEMO_GENERATION, DEMO_SAMPLING, resolve_demo_source

    path = resolve_demo_source().path
    setups = {
        # What a TransformersModel did before the demo defaults: greedy, nothing else.
        "plain (greedy)": {},
        "demo defaults": {**DEMO_SAMPLING, "generation_kwargs": dict(DEMO_GENERATION)},
    }
    cases = _cases()
    seeds = list(range(args.seeds))
    results = {}
    for label, settings in setups.items():
        model = TransformersModel(path, label, args.new_tokens, **settings)
        # Greedy replies do not depend on the seed: one pass is enough.
        results[label] = _run(model, cases, seeds if settings else seeds[:1])

    print(f"\n{len(cases)} persona prompts x {len(seeds)} seeds, {args.new_tokens} new tokens max\n")
    print(f"| setup | replies | {' | '.join(next(iter(results.values()))[0])} |")
    print("|---|---|---|---|---|---|---|")
    for label, (counts, total, _) in results.items():
        cells = " | ".join(f"{v} ({v / total:.0%})" for v in counts.values())
        print(f"| {label} | {total} | {cells} |")
    for label, (_, _, examples) in results.items():
        print(f"\n{label}:")
        for own, reply in examples:
            print(f"  {own}: {reply[:160]!r}")


if __name__ == "__main__":
    main()
