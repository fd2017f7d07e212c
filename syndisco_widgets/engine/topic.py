"""The topic of a discussion: the question every speaker argues about.

A topic keeps a class's discussion on one question: it is stated in every
speaker's context and restated in every turn's request, right before the
ask (a 135M model loses a question it saw only in the system prompt once
the opening post has left the history window), and shown above the
transcript. The default set-up here is a real
question with two personas who see it differently and an opening post, so
an argument can develop even on the small demo model.
"""

from __future__ import annotations

from typing import TypedDict

from ..checks import text

#: How the topic is stated in each speaker's context.
TOPIC_LINE = "The topic of this conversation: {topic}\nStay on this topic: argue your own view of it."

#: The default question of a new studio or quickstart.
DEFAULT_TOPIC = "Should our town turn its main street into a car-free zone?"
#: The shared situation in the default set-up.
DEFAULT_CONTEXT = "You are taking part in an online forum of a small town."
#: The shared behaviour rules in the default set-up. Asking for a view with its reason, and no
#: questions back, keeps a small model arguing the question (bench/RESULTS.md, issue 19).
DEFAULT_INSTRUCTIONS = (
    "Write like a person in a forum: say what you think about the question and why, in your own "
    "words. Do not ask questions."
)
#: How many latest messages each speaker reads in the default set-up: a short window keeps a
#: small model on the question instead of on whatever a reply drifted to (bench/on_topic.py).
DEFAULT_HISTORY_CONTEXT_LEN = 3


class SeedPost(TypedDict):
    """An opening post: who writes it and what it says."""

    user: str
    text: str


#: The default opening post (by the first default persona).
DEFAULT_SEED_POST = SeedPost(
    user="Emma35",
    text="I'm for it: a car-free main street would be safer for kids and better for the cafés.",
)


def context_with_topic(context: str, topic: str) -> str:
    """``context`` with the topic stated after it (``context`` alone when the topic is empty)."""
    context = text("context", context).strip()
    topic = text("topic", topic).strip()
    if not topic:
        return context
    return "\n\n".join(p for p in (context, TOPIC_LINE.format(topic=topic)) if p)
