"""Named prompt templates for deliberation structures, and how they are filled.

Every template here is a plain string with ``${...}`` placeholders:

* persona templates take ``${persona}`` (and may use ``${task}``);
* combination instructions take ``${previous_responses}`` (and may use ``${task}``);
* moderator personas take ``${task}``.

Every name the reference library offers is here, with the same instructions in
meaning, written in our own words. ``PERSONA_TEMPLATES["survey"]`` is our older
name for ``"anes"``.

Wherever a template is accepted, a user may pass either one of the names below
or their own raw text. A single word that is not a known name is treated as a
typo and raises :class:`~syndisco_widgets.errors.ConfigError`.

Placeholders are filled with :class:`string.Template` safe substitution, with
one change: ``$$`` is left exactly as written, so user text is never altered.
"""

from __future__ import annotations

import copy
import re
import warnings
from string import Template
from typing import Any, cast

from ..errors import ConfigError, SyndiscoWarning

# Each template below has the same instructions, in meaning, as the template of
# the same name in the reference library; the wording is our own.

_KEEP_IDENTITY = "- Do not reveal your party or your demographic group in what you write.\n"
_PERSONA_HEAD = (
    "HOW TO ANSWER\n"
    "Whatever you are asked to answer or do, speak as the person described below.\n\n"
    "WHO YOU ARE:\n${persona}\n\n"
    "RULES\n"
)
_PERSONA_CORE = (
    "- Reason, speak and write the way this person would.\n"
    "- Keep your language plain.\n"
    "- Take on this person's traits.\n"
)

# -- agent persona templates ---------------------------------------------------
PERSONA_TEMPLATES: dict[str, str] = {
    "default": _PERSONA_HEAD + _PERSONA_CORE,
    "anes": _PERSONA_HEAD
    + _KEEP_IDENTITY
    + _PERSONA_CORE
    + "- Do not be excessively courteous or politically correct.\n",
    "first_wave": _PERSONA_HEAD
    + _KEEP_IDENTITY
    + _PERSONA_CORE
    + "- Treat the views of others with respect.\n"
    "- Let reasoned arguments count for more than appeals to feeling.\n"
    "- Reach a consensus through reasoned, critical debate.\n"
    "- Work towards the common good.\n",
    "second_wave": _PERSONA_HEAD
    + _KEEP_IDENTITY
    + _PERSONA_CORE
    + "- Treat the views of others with respect.\n"
    "- Engage with others with empathy.\n"
    "- Value emotional ways of communicating too: stories, testimony, rhetoric and narrative.\n"
    "- Try to see where each side is coming from; the aim is to make the conflict clear, "
    "not necessarily to settle it.\n"
    "- Work towards the common good.\n"
    "- Pursuing your own interest is acceptable as long as fairness limits it.\n",
}
# Our earlier name for the survey template; the reference calls it "anes".
PERSONA_TEMPLATES["survey"] = PERSONA_TEMPLATES["anes"]


def _shown(heading: str, intro: str) -> str:
    """A heading, an introduction and the earlier responses between markers."""
    return f"{heading}\n{intro}\n<start>\n${{previous_responses}}\n<end>\n"


_DEBATE_HEAD = _shown(
    "THE DEBATE SO FAR",
    "You are debating one other agent. Below is what you said and what they said. "
    "Never speak of yourself in the third person.",
)
_DONT_MENTION = "- Apply these rules without mentioning them in your answer.\n"
_TALK_TO_THEM = "- You are talking with them directly: answer them, not only the topic.\n"
_ADDRESS_POINTS = (
    "- Reply directly to the particular points the other agent made in their latest turn.\n"
    "- Begin by acknowledging what they said, then argue against it or build on it.\n"
)
_JURY_RULES = (
    "- Deliberate with the others to arrive at a unanimous decision.\n"
    "- Listen to one another, weigh each other's views carefully and reason about the "
    "evidence together.\n"
    "- Deliberate with the aim of reaching agreement.\n"
    "- Reconsider your views and change your mind if you are persuaded you were wrong.\n"
)
_FIRST_WAVE_RULES = (
    "- Treat the views of others with respect.\n"
    "- Let reasoned arguments count for more than appeals to feeling.\n"
    "- Reach a consensus through reasoned, critical debate.\n"
    "- Work towards the common good.\n"
)
_SECOND_WAVE_RULES = (
    "- Treat the views of others with respect.\n"
    "- Engage with others with empathy.\n"
    "- Value emotional ways of communicating too: stories, testimony, rhetoric and narrative.\n"
    "- Try to see where each side is coming from; the aim is to make the conflict clear, "
    "not necessarily to settle it.\n"
    "- Work towards the common good.\n"
    "- Pursuing your own interest is acceptable as long as fairness limits it.\n"
)

# -- combination instructions for agents ----------------------------------------
COMBINATION_INSTRUCTIONS: dict[str, str] = {
    "default": _shown("DO THE TASK USING THE EARLIER RESPONSES", "The earlier responses are:"),
    "chain": _shown("DO THE TASK USING THE EARLIER RESPONSES", "The earlier responses are:")
    + "HOW TO USE THEM\n"
    "- Keep the strongest points made so far and use them to do the task.\n" + _DONT_MENTION,
    "debate": _DEBATE_HEAD + "While debating:\n" + _DONT_MENTION + _ADDRESS_POINTS + _TALK_TO_THEM,
    "debate_minimal": _DEBATE_HEAD + "While debating:\n" + _DONT_MENTION + _TALK_TO_THEM,
    "jury": _shown("DELIBERATE WITH THE OTHERS", "This is what the others said:")
    + "HOW TO USE IT\n"
    + _JURY_RULES
    + _DONT_MENTION
    + _ADDRESS_POINTS
    + "- Keep in mind throughout that the aim is a unanimous decision.\n"
    + _TALK_TO_THEM,
    "debate_jury": _DEBATE_HEAD + "WHILE DEBATING\n" + _JURY_RULES + _DONT_MENTION + _TALK_TO_THEM,
    "debate_emotional": _DEBATE_HEAD
    + "WHILE DEBATING\n"
    + "- Value emotional ways of communicating, such as stories, testimony, rhetoric and "
    "narrative, and not only reason and facts.\n" + _DONT_MENTION + _TALK_TO_THEM,
    "debate_win": _DEBATE_HEAD
    + "WHILE DEBATING\n"
    + "- Aim to win by convincing your opponent.\n"
    + _DONT_MENTION
    + "- Reply directly to the particular points the other agent made in their latest turn.\n"
    "- Begin by acknowledging what they said, then argue against it or build on it to win "
    "them over.\n"
    "- You are talking with them directly: persuade them rather than deliver a monologue.\n",
    "debate_first_wave": _DEBATE_HEAD
    + "WHILE DEBATING\n"
    + "- Keep the strongest parts of what has been said.\n"
    "- Let factual, reasoned arguments count for more than appeals to feeling.\n"
    "- Work towards the common good.\n"
    "- Seek a reasoned consensus that everyone could accept.\n"
    "- Every participant has an equal voice.\n" + _DONT_MENTION + _TALK_TO_THEM,
    "debate_second_wave": _DEBATE_HEAD
    + "WHILE DEBATING\n"
    + "- Keep the strongest parts of what has been said.\n"
    "- Value emotional ways of communicating, such as stories, testimony, rhetoric and "
    "narrative, and not only reason and facts.\n"
    "- Take account of the views of under-represented groups, even if nobody here speaks "
    "for them.\n"
    "- Try to see where each side is coming from; the aim is to make the conflict clear, "
    "not necessarily to settle it.\n" + _DONT_MENTION + _TALK_TO_THEM,
    "voting": _shown(
        "BUILD ON THE EARLIER RESPONSES",
        "Combine the strongest parts of what the others said into one clear, definite "
        "conclusion. The earlier responses are:",
    ),
    "critique_revise": _shown(
        "DO THE TASK USING THE EARLIER RESPONSES",
        "Critique the earlier responses against the task, then write a single response "
        "that makes the revisions. The earlier responses are:",
    ),
    "minimal_discussion": _shown(
        "BUILD ON THE EARLIER RESPONSES",
        "You are in a discussion with others. The earlier responses are:",
    ),
    "first_wave": _shown(
        "DO THE TASK USING THE EARLIER RESPONSES",
        "You are in a discussion with others. Engage with these earlier responses:",
    )
    + "While discussing:\n"
    + _FIRST_WAVE_RULES,
    "second_wave": _shown(
        "DO THE TASK USING THE EARLIER RESPONSES",
        "You are in a discussion with others. Engage with these earlier responses:",
    )
    + "While discussing:\n"
    + _SECOND_WAVE_RULES,
}

# -- moderator personas (system text) --------------------------------------------
MODERATOR_PERSONAS: dict[str, str] = {
    "default": "You are a skilled, neutral moderator of a discussion about this task: ${task}.",
    "voting": (
        "You are skilled at pooling information into final decisions. You are now making the "
        "final decision on this task: ${task}. Your aim is a clear, definite decision."
    ),
    "first_wave": (
        "You are a neutral moderator, reasoned and objective, of a discussion about this task: "
        "${task}. Your aim is a reasoned consensus that everyone could accept."
    ),
    "second_wave": (
        "You are a moderator, empathetic and caring, of a discussion about this task: ${task}. "
        "Your aim is to make the conflict clear, not necessarily to settle it."
    ),
    "divergent": (
        "You are skilled at picking out the most creative ideas about this task: ${task}. Your "
        "aim is to choose ideas that people find clever, unusual, interesting, rare, funny and new."
    ),
}

# -- combination instructions for moderators --------------------------------------
_MOD_SHOWN = "The earlier responses are:\n<start>\n${previous_responses}\n<end>\n"
MODERATOR_COMBINATION_INSTRUCTIONS: dict[str, str] = {
    "default": _MOD_SHOWN + "- Keep the strongest parts of what was said.\n",
    "voting": (
        "Combine the strongest parts of what the others said into one clear, definite "
        "conclusion, by pooling the earlier responses:\n<start>\n${previous_responses}\n<end>\n"
    ),
    "synthesis": (
        "Bring together what the others said so that the task is done as well as possible. " + _MOD_SHOWN
    ),
    "critique_revise": (
        "Critique the earlier responses against the task, then write a single response that "
        "makes the revisions. " + _MOD_SHOWN
    ),
    "first_wave": _MOD_SHOWN + _FIRST_WAVE_RULES,
    "second_wave": _MOD_SHOWN + _SECOND_WAVE_RULES,
    "divergent": _MOD_SHOWN
    + "- Value imaginative answers that solve problems or reach decisions in ways that depart "
    "from the usual or taught ones.\n"
    "- Let original ideas count for more than conventional ones.\n",
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

#: Kinds whose raw text without ``${previous_responses}`` is accepted with a warning.
_SHOWS_RESPONSES = frozenset({"combination_instructions", "moderator combination_instructions"})

_NAME_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")


_PATTERN = r"""
    \$(?:
      (?P<escaped>(?!))                    |  # never matches: "$$" stays "$$"
      (?P<named>[_a-z][_a-z0-9]*)          |
      \{(?P<braced>[_a-z][_a-z0-9]*)\}     |
      (?P<invalid>)
    )
    """


class _Placeholders(Template):
    """``string.Template`` whose ``$$`` is not an escape, so no text is ever rewritten."""

    pattern = _PATTERN  # type: ignore[assignment]  # string.Template compiles it


def fill(template: str, **values: str) -> str:
    """Fill ``${name}`` / ``$name`` placeholders; unknown ones are left untouched."""
    return _Placeholders(template).safe_substitute(values)


def placeholders(text: str) -> set[str]:
    """The placeholder names used in ``text``."""
    return {
        m.group("named") or m.group("braced")
        for m in cast("re.Pattern[str]", _Placeholders.pattern).finditer(text)
    } - {None}


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
        example = " ".join(f"${{{p}}}" for p in missing)
        if kind in _SHOWS_RESPONSES:  # accepted as Plurals does, but never silently
            warnings.warn(
                f"{where} has no {example} placeholder, so the earlier responses are not shown "
                f"to whoever uses it; add {example} where they should go",
                SyndiscoWarning,
                stacklevel=3,
            )
            return None, value
        raise ConfigError(
            f"{where}: your text must contain the placeholder {example} "
            f"(it marks where that content goes), got {value!r}"
        )
    return None, value
