"""Deliberation structures: agents answering a task in a Chain, Debate, Ensemble or Graph.

Quick start::

    from syndisco_widgets.deliberation import Agent, Chain, Moderator
    from syndisco_widgets.models import ScriptedModel  # or TransformersModel, or a path / HF id

    model = ScriptedModel()
    chain = Chain(
        [Agent(persona="a nurse", model=model), Agent(persona="a farmer", model=model)],
        task="How should a town spend its budget?",
        moderator=Moderator(model=model),
    )
    chain.process()
    chain.final_response, chain.to_dataframe()

``model=`` takes a BaseModel, a local checkpoint folder or a Hugging Face id
(hosted API names such as ``'gpt-4o'`` run on an OpenAI-compatible server when
``OPENAI_BASE_URL`` or ``OPENAI_API_KEY`` is set, and are otherwise rejected with
an explanation). Left out, it falls back to the ``SYNDISCO_MODEL`` environment
variable. Agents sample (temperature 1) unless their ``kwargs`` say otherwise,
and every run records a seed that repeats it exactly. Importing this package
does not import torch.
"""

from ..errors import DeliberationError, GraphCycleError
from ..models.env import MODEL_ENV_VAR
from .agent import Agent, HistoryEntry, Prompts, ResponseSelector
from .experiment import DeliberationExperiment
from .graph import Graph, topological_order
from .moderator import Moderator, instructions_problem, strip_leading_label
from .plurals_data import plurals_survey
from .prompts import format_responses, strip_speaker_labels
from .records import RunEntry, logs_to_frame
from .resolve import alias_model, resolve_model
from .sampling import DEFAULT_OPTIONS
from .structures import AbstractStructure, Chain, Debate, Ensemble
from .survey import SYNTHETIC_NOTICE, SurveyDraw, SurveyPersonas, SyntheticDataWarning, load_demo_survey
from .templates import (
    COMBINATION_INSTRUCTIONS,
    MODERATOR_COMBINATION_INSTRUCTIONS,
    MODERATOR_PERSONAS,
    PERSONA_TEMPLATES,
)

__all__ = [
    "COMBINATION_INSTRUCTIONS",
    "DEFAULT_OPTIONS",
    "MODEL_ENV_VAR",
    "MODERATOR_COMBINATION_INSTRUCTIONS",
    "MODERATOR_PERSONAS",
    "PERSONA_TEMPLATES",
    "SYNTHETIC_NOTICE",
    "AbstractStructure",
    "Agent",
    "Chain",
    "Debate",
    "DeliberationError",
    "DeliberationExperiment",
    "Ensemble",
    "Graph",
    "GraphCycleError",
    "HistoryEntry",
    "Moderator",
    "Prompts",
    "ResponseSelector",
    "RunEntry",
    "SurveyDraw",
    "SurveyPersonas",
    "SyntheticDataWarning",
    "alias_model",
    "format_responses",
    "instructions_problem",
    "load_demo_survey",
    "logs_to_frame",
    "plurals_survey",
    "resolve_model",
    "strip_leading_label",
    "strip_speaker_labels",
    "topological_order",
]
