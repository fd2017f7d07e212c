"""Small builders shared by the engine tests."""

from __future__ import annotations

from syndisco_widgets import Actor, ActorType, Discussion, Persona, RoundRobin, ScriptedModel


def make_actors(model, names=("Ann", "Bob"), actor_type=ActorType.USER):
    return [
        Actor(model, Persona(username=n, age=30 + i), actor_type, "ctx", "be brief")
        for i, n in enumerate(names)
    ]


def make_discussion(model=None, names=("Ann", "Bob"), **kwargs):
    model = model or ScriptedModel()
    users = make_actors(model, names)
    return Discussion(RoundRobin([u.name for u in users]), users, **kwargs)
