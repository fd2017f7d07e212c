"""Every prompt an actor sends is written here, in one readable place.

An actor's system prompt says who it is (context, persona, instructions); the
turn message shows the window of history it may see and asks for one reply.
When the discussion has a topic, the message ends with the question and asks
a participant for its own view on it: the last thing a model reads is what to
talk about (a 135M model follows that, and loses a question seen only in the
system prompt once the opening post has left the window).

History is one ``[name]: text`` line per entry. Model replies and persona
text (and the topic, which is shown as data on its own ``The question:`` line) are
untrusted, so they are rendered so they cannot forge that structure: every
line break inside a text is followed by an indent (a new history line only
ever starts at the left margin) and a ``[name]:`` pattern inside a text is
shown as ``(name):``. Names get the same treatment. The
wording is short and concrete because small models (135M parameters) follow
it too; ``bench/reply_quality.py`` measures how well.

The wording lives in the upper-case constants below (``str.format`` templates);
run records hash each one by name, so two runs show whether their prompts
were the same (:func:`~.run_record.prompt_template_hashes`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..models.base import ChatPrompt

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from .actors import Actor

#: Who the actor is, first line of its system prompt, by role.
ROLE_LINES = {
    "user": "You are {name}, a participant in this conversation. You always speak as {name}.",
    "moderator": "You are {name}, the moderator of this conversation. Keep it civil and on topic.",
    "annotator": "You are {name}, an annotator who reads conversations and labels them.",
}
#: Heads the persona's ``- field: value`` lines in the system prompt.
PROFILE = "Your profile:\n{lines}"
#: The persona's special instructions, in the system prompt.
SPECIAL_INSTRUCTIONS = "Special instructions: {text}"
#: The history shown before the first entry.
EMPTY_HISTORY = "The conversation has not started yet. Write the first comment."
#: Heads the visible history (one ``[name]: text`` block per entry follows).
HISTORY = "Conversation so far:\n{entries}"
#: States the discussion's question after the history, as data on its own line.
QUESTION = "The question: {topic}"
#: Shows an annotator the comment to label, after the history.
ANNOTATION_TARGET = "Comment to annotate, by {name}:\n{text}"
#: The request that ends each turn message, by role (a participant's when there is no topic).
ASK = {
    "user": (
        "Write your next comment in this thread: your own opinion in two or three sentences, "
        "replying to the last comment. Write only the comment."
    ),
    "moderator": "Write your next message as the moderator {name}. Reply with the message text only.",
    "annotator": "Annotate the comment above as instructed. Reply with the annotation only.",
}
#: The participant's request when the last comment shown is its own (e.g. right after its opening
#: post) and there is no topic: "replying to the last comment" would have it answer itself.
FOLLOW_UP = (
    "The last comment is yours. Write one more comment: another reason for your view, in two or "
    "three sentences. Write only the comment."
)
#: The participant's request right after the question, by where the conversation is: nothing
#: said yet, another's comment last, or its own comment last.
ASK_VIEW = {
    "first": "Give your own view on this question, in two or three sentences. Write only your comment.",
    "reply": (
        "Reply to the last comment with your own view on this question, in two or three sentences. "
        "Write only your comment."
    ),
    "follow_up": (
        "The last comment is yours. Add one more reason for your view on this question, in two or "
        "three sentences. Write only your comment."
    ),
}

# What continues a text onto a new line: an indent, so no text line starts a history line.
_CONTINUATION = "\n    "
# A speaker label such as "[Bob]:" (or "[Bob] :") inside untrusted text.
_LABEL = re.compile(r"\[([^\[\]]*)\]\s*:")


def quoted(text: str) -> str:
    r"""``text`` made safe to embed in a history line.

    Every line break (``\n``, ``\r``, ``\u2028`` and the other separators
    ``str.splitlines`` knows) becomes a newline plus an indent, and any
    ``[name]:`` label becomes ``(name):``, so the text cannot start a line
    that reads like another speaker's entry.
    """
    relabelled = _LABEL.sub(r"(\1):", str(text))
    return _CONTINUATION.join(relabelled.splitlines())


def safe_name(name: str) -> str:
    """A speaker name as it may appear inside ``[...]``: one line, no brackets."""
    flat = " ".join(str(name).split())
    return flat.replace("[", "(").replace("]", ")")


def persona_lines(persona_fields: Mapping[str, Any]) -> list[str]:
    """``- field: value`` lines for every filled-in persona attribute (values quoted)."""
    lines = []
    for key, value in persona_fields.items():
        if key in ("username", "special_instructions", "extra") or value in (None, "", [], {}):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        lines.append(f"- {key.replace('_', ' ')}: {quoted(shown)}")
    for key, value in persona_fields.get("extra", {}).items():
        lines.append(f"- {quoted(str(key).replace('_', ' '))}: {quoted(value)}")
    return lines


def system_prompt(actor: Actor) -> str:
    """Context, who the actor is, its persona and the shared instructions."""
    fields = actor.persona.to_dict()
    parts = [actor.context.strip(), ROLE_LINES[actor.role].format(name=safe_name(actor.name))]
    profile = persona_lines(fields)
    if profile:
        parts.append(PROFILE.format(lines="\n".join(profile)))
    if fields.get("special_instructions"):
        parts.append(SPECIAL_INSTRUCTIONS.format(text=quoted(fields["special_instructions"])))
    parts.append(actor.instructions.strip())
    return "\n\n".join(p for p in parts if p)


def history_line(entry: Mapping[str, Any]) -> str:
    """One entry as ``[name]: text``, with the text quoted (see :func:`quoted`)."""
    return f"[{safe_name(entry['name'])}]: {quoted(entry['text'])}"


def history_text(window: Sequence[Mapping[str, Any]]) -> str:
    """The visible history, one ``[name]: text`` block per entry."""
    if not window:
        return EMPTY_HISTORY
    return HISTORY.format(entries="\n\n".join(history_line(e) for e in window))


def turn_prompt(actor: Actor, window: Sequence[Mapping[str, Any]], topic: str = "") -> ChatPrompt:
    """The full prompt for one turn of ``actor`` given the history it may see.

    A non-empty ``topic`` is stated (quoted) after the history, and a
    participant is asked for its own view on it.
    """
    question = QUESTION.format(topic=quoted(topic.strip())) if topic.strip() else ""
    own_last = bool(window) and window[-1].get("name") == actor.name
    if actor.role != "user":
        request = "\n\n".join(p for p in (question, ASK[actor.role].format(name=safe_name(actor.name))) if p)
    elif question:
        situation = "follow_up" if own_last else "reply" if window else "first"
        request = f"{question}\n{ASK_VIEW[situation]}"
    else:
        request = FOLLOW_UP if own_last else ASK["user"]
    return ChatPrompt(
        system_prompt(actor), ({"role": "user", "content": f"{history_text(window)}\n\n{request}"},)
    )


def annotation_prompt(
    actor: Actor, window: Sequence[Mapping[str, Any]], target: Mapping[str, Any]
) -> ChatPrompt:
    """The prompt asking an annotator to label ``target`` given the history before it."""
    shown = ANNOTATION_TARGET.format(name=safe_name(target["name"]), text=quoted(target["text"]))
    message = "\n\n".join((history_text(window), shown, ASK["annotator"]))
    return ChatPrompt(system_prompt(actor), ({"role": "user", "content": message},))


def strip_own_label(text: str, name: str) -> str:
    """``text`` without a leading ``[name]:`` or ``name:`` the speaker echoed from the history format.

    Small models often start a reply by repeating their own label; left in,
    it would show twice in the transcript and in the next speaker's history.
    """
    label = re.escape(safe_name(name))
    return re.sub(rf"^\s*(?:\[{label}\]|{label})\s*:\s*", "", text, count=1)


def stop_strings(names: Sequence[str]) -> tuple[str, ...]:
    r"""Strings that end a reply where the model starts writing another history line.

    ``"\n["`` catches a new ``[name]:`` line; ``"\nName:"`` catches the
    label-less form for each participant. For ``GenerationOptions(stop=...)``.
    """
    return ("\n[", *(f"\n{safe_name(n)}:" for n in names))
