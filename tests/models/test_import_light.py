"""Importing the package must not import torch, transformers or openai."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import syndisco_widgets.models

REPO = pathlib.Path(syndisco_widgets.models.__file__).resolve().parents[2]

CODE = """
import json, sys
import syndisco_widgets, syndisco_widgets.models, syndisco_widgets.errors
import syndisco_widgets.models.cache
from syndisco_widgets.models import BaseModel, ChatPrompt, ScriptedModel
import syndisco_widgets.deliberation
before = {m: m in sys.modules for m in ("torch", "transformers", "openai")}
syndisco_widgets.OpenAIModel  # the lazy attribute loads its module, not yet openai
lazy = {m: m in sys.modules for m in ("torch", "transformers", "openai")}
syndisco_widgets.models.TransformersModel  # the lazy attribute loads them
after = {m: m in sys.modules for m in ("torch", "transformers")}
print(json.dumps([before, lazy, after]))
"""


def test_import_does_not_load_torch_transformers_or_openai():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", CODE],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    before, lazy, after = json.loads(done.stdout.strip().splitlines()[-1])
    assert before == {"torch": False, "transformers": False, "openai": False}
    assert lazy == {"torch": False, "transformers": False, "openai": False}
    assert after == {"torch": True, "transformers": True}
