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
    chain.final_response, chain.to_pandas()

``model=`` takes a BaseModel, a local checkpoint folder or a Hugging Face id
(models run locally; hosted API names such as ``'gpt-4o'`` are rejected with an
explanation). Left out, it falls back to the ``SYNDISCO_MODEL`` environment variable.
Importing this package does not import torch.
"""

from .agent import Agent
from .errors import DeliberationError
from .graph import Graph, GraphCycleError, topological_order
from .moderator import Moderator, instructions_problem
from .prompts import format_responses
from .records import logs_to_frame
from .resolve import MODEL_ENV_VAR, alias_model, resolve_model
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
    "Ensemble",
    "Graph",
    "GraphCycleError",
    "Moderator",
    "SurveyDraw",
    "SurveyPersonas",
    "SyntheticDataWarning",
    "alias_model",
    "format_responses",
    "instructions_problem",
    "load_demo_survey",
    "logs_to_frame",
    "resolve_model",
    "topological_order",
]
