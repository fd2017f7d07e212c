"""Small builders shared by the engine tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

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


def start_script(script, folder, *args):
    """Run ``python -c script folder *args`` in a subprocess (one torch thread)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", script, str(folder), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def run_script_to_end(script, folder, *args):
    proc = start_script(script, folder, *args)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "done" in out, err


def kill_script_after(script, folder, seconds, *args):
    """Start the script and SIGKILL it after ``seconds``; False if it finished first."""
    proc = start_script(script, folder, *args)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    return False
