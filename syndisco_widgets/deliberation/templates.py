"""Named prompt templates for deliberation structures, and how they are filled.

Every template here is a plain string with ``${...}`` placeholders:

* persona templates take ``${persona}``;
* combination instructions take ``${previous_responses}`` (and may use ``${task}``);
* moderator personas take ``${task}``.

Wherever a template is accepted, a user may pass either one of the names below
or their own raw text. A single word that is not a known name is treated as a
typo and raises :class:`~syndisco_widgets.errors.ConfigError`.

Placeholders are filled with :class:`string.Template` safe substitution, with
one change: ``$$`` is left exactly as written, so user text is never altered.
"""

from __future__ import annotations

import copy
import re
from string import Template
from typing import Any

from ..errors import ConfigError

# -- agent persona templates ---------------------------------------------------
PERSONA_TEMPLATES: dict[str, str] = {
    "default": (
        "Take on the point of view of the person described here and answer as they would.\n\n"
        "Who you are: ${persona}\n\n"
        "Let this identity shape what you care about, what you know and how you say it. "
        "Stay in character and do not mention that you were given a description."
    ),
    "survey": (
        "You are answering as one particular member of the public. "
        "Their answers to a questionnaire describe them:\n\n"
        "${persona}\n\n"
        "Reason from this person's circumstances, experiences and convictions, and speak "
        "in the first person as they would. Do not say that you are an AI or that you were "
        "handed a profile."
    ),
    "first_wave": (
        "Take on the point of view of the person described here: ${persona}\n\n"
        "You are joining a deliberation whose aim is a shared, well-reasoned conclusion. "
        "Give reasons that people who do not share your background could accept, appeal to "
        "evidence and the common good, and be ready to change your mind when an argument is "
        "better than yours."
    ),
    "second_wave": (
        "Take on the point of view of the person described here: ${persona}\n\n"
        "You are joining a deliberation that values every voice. Besides arguments, you may "
        "draw on your own experiences, stories and feelings. Say where your situation leads "
        "you to see things differently, and treat other people's differences with respect."
    ),
}
# The reference calls the survey template "anes"; keep that name working.
PERSONA_TEMPLATES["anes"] = PERSONA_TEMPLATES["survey"]

# -- combination instructions for agents ----------------------------------------
COMBINATION_INSTRUCTIONS: dict[str, str] = {
    "default": (
        "Other participants have already answered. Their answers are between the markers.\n"
        "<<<ANSWERS SO FAR>>>\n${previous_responses}\n<<<END OF ANSWERS>>>\n"
        "Weigh these answers, keep the points that hold up, and use them where they help "
        "you write your own answer to the task."
    ),
    "chain": (
        "You are one link in a chain of answers. The most recent ones are between the markers.\n"
        "<<<EARLIER LINKS>>>\n${previous_responses}\n<<<END OF EARLIER LINKS>>>\n"
        "Build on them: keep what is strong, repair what is weak or missing, and give an "
        "improved answer to the task."
    ),
    "debate": (
        "This is a debate. The exchange so far is between the markers; lines starting with "
        "[You] are your own earlier turns and lines starting with [Other] are your opponent's.\n"
        "<<<DEBATE SO FAR>>>\n${previous_responses}\n<<<END OF DEBATE>>>\n"
        "Answer your opponent's latest points directly, defend or refine your position, and "
        "keep moving the argument forward."
    ),
    "voting": (
        "Other participants have stated their choice and their reasons, shown between the markers.\n"
        "<<<CHOICES SO FAR>>>\n${previous_responses}\n<<<END OF CHOICES>>>\n"
        "Consider them, then state your own choice with a short justification. You may agree "
        "or disagree with anyone."
    ),
    "first_wave": (
        "Other participants have already spoken; see between the markers.\n"
        "<<<CONTRIBUTIONS SO FAR>>>\n${previous_responses}\n<<<END OF CONTRIBUTIONS>>>\n"
        "Respond with reasons that everyone could accept. Test the arguments above against "
        "evidence and the common good, and work towards a conclusion the group can share."
    ),
    "second_wave": (
        "Other participants have already spoken; see between the markers.\n"
        "<<<CONTRIBUTIONS SO FAR>>>\n${previous_responses}\n<<<END OF CONTRIBUTIONS>>>\n"
        "Respond in a way that takes each perspective seriously, including personal stories "
        "and feelings. Notice where and why people differ; understanding matters more here "
        "than full agreement."
    ),
}

# -- moderator personas (system text) --------------------------------------------
MODERATOR_PERSONAS: dict[str, str] = {
    "default": (
        "You are a fair and neutral moderator. A group of participants has worked on this "
        "task: ${task}\n"
        "Your job is to read what they wrote and turn it into one final answer to the task "
        "that keeps the best of their contributions."
    ),
    "voting": (
        "You are the neutral official of a vote. The participants were given this task: "
        "${task}\n"
        "Tally the choices they made and report the outcome faithfully, without adding a "
        "preference of your own."
    ),
    "first_wave": (
        "You are a moderator guiding a deliberation towards a reasoned consensus on this "
        "task: ${task}\n"
        "Favour arguments backed by evidence and reasons everyone can accept, and set aside "
        "claims that rest only on self-interest."
    ),
    "second_wave": (
        "You are a moderator who makes sure every voice is heard in a deliberation on this "
        "task: ${task}\n"
        "Value personal experience as well as argument, keep minority views visible, and "
        "report real disagreements instead of hiding them."
    ),
}

# -- combination instructions for moderators --------------------------------------
MODERATOR_COMBINATION_INSTRUCTIONS: dict[str, str] = {
    "default": (
        "Here is everything the participants wrote, between the markers.\n"
        "<<<PARTICIPANTS' ANSWERS>>>\n${previous_responses}\n<<<END OF ANSWERS>>>\n"
        "Write the final answer to the task, based on these answers. Reply with the final "
        "answer only."
    ),
    "voting": (
        "Here are the participants' choices, between the markers.\n"
        "<<<VOTES>>>\n${previous_responses}\n<<<END OF VOTES>>>\n"
        "Count the choices and state the option with the most support. If there is a tie, "
        "say so and name the tied options."
    ),
    "first_wave": (
        "Here is what the participants wrote, between the markers.\n"
        "<<<CONTRIBUTIONS>>>\n${previous_responses}\n<<<END OF CONTRIBUTIONS>>>\n"
        "Write the conclusion that the strongest shared reasons support."
    ),
    "second_wave": (
        "Here is what the participants wrote, between the markers.\n"
        "<<<CONTRIBUTIONS>>>\n${previous_responses}\n<<<END OF CONTRIBUTIONS>>>\n"
        "Write a final answer that reflects the range of perspectives, and name any "
        "disagreement that remains."
    ),
}

# -- the auto-moderator's own prompt ---------------------------------------------
AUTO_MODERATOR_SYSTEM = (
    "You write system instructions for the moderator of a group of AI participants. "
    "The moderator will read all the participants' answers to a task and produce one "
    "final answer. Write two to four plain sentences telling the moderator how to combine "
    "the answers well for this particular task. Reply with the instructions only: no "
    "heading, no quotation marks and no placeholders."
)
AUTO_MODERATOR_REQUEST = "The participants' task is:\n${task}\n\nWrite the moderator's instructions."

# -- table of all template sets, by kind -------------------------------------------
_KINDS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    # kind: (named templates, placeholders raw text must contain)
    "persona_template": (PERSONA_TEMPLATES, ("persona",)),
    "combination_instructions": (COMBINATION_INSTRUCTIONS, ("previous_responses",)),
    "moderator persona": (MODERATOR_PERSONAS, ()),
    "moderator combination_instructions": (MODERATOR_COMBINATION_INSTRUCTIONS, ("previous_responses",)),
}

_NAME_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")


class _Placeholders(Template):
    """``string.Template`` whose ``$$`` is not an escape, so no text is ever rewritten."""

    pattern = r"""
    \$(?:
      (?P<escaped>(?!))                    |  # never matches: "$$" stays "$$"
      (?P<named>[_a-z][_a-z0-9]*)          |
      \{(?P<braced>[_a-z][_a-z0-9]*)\}     |
      (?P<invalid>)
    )
    """


def fill(template: str, **values: str) -> str:
    """Fill ``${name}`` / ``$name`` placeholders; unknown ones are left untouched."""
    return _Placeholders(template).safe_substitute(values)


def placeholders(text: str) -> set[str]:
    """The placeholder names used in ``text``."""
    return {m.group("named") or m.group("braced") for m in _Placeholders.pattern.finditer(text)} - {None}


def defaults() -> dict[str, Any]:
    """A fresh copy of every named template, grouped like the reference's template file."""
    return copy.deepcopy(
        {
            "persona_template": PERSONA_TEMPLATES,
            "combination_instructions": COMBINATION_INSTRUCTIONS,
            "moderator": {
                "persona": MODERATOR_PERSONAS,
                "combination_instructions": MODERATOR_COMBINATION_INSTRUCTIONS,
                "auto": {"system": AUTO_MODERATOR_SYSTEM, "request": AUTO_MODERATOR_REQUEST},
            },
        }
    )


def resolve(kind: str, value: str, owner: str = "") -> tuple[str | None, str]:
    """Turn a template name or raw text into ``(name or None, text)``.

    Args:
        kind: One of ``"persona_template"``, ``"combination_instructions"``,
            ``"moderator persona"``, ``"moderator combination_instructions"``.
        value: A known name, or raw template text.
        owner: Who the value belongs to, for error messages (e.g. ``"Chain"``).

    Raises:
        ConfigError: an unknown name, or raw text missing a required placeholder.
    """
    table, required = _KINDS[kind]
    where = f"{owner} {kind}" if owner else kind
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} must be a template name or non-empty text, got {value!r}")
    if value in table:
        return value, table[value]
    if _NAME_LIKE.fullmatch(value):
        raise ConfigError(
            f"{where}: unknown template name {value!r}; known names are {sorted(table)}. "
            "To use your own text, pass a full sentence instead of a single word."
        )
    missing = [p for p in required if p not in placeholders(value)]
    if missing:
        example = " ".join("${%s}" % p for p in missing)
        raise ConfigError(
            f"{where}: your text must contain the placeholder {example} "
            f"(it marks where that content goes), got {value!r}"
        )
    return None, value
