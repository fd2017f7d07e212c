"""Project-level promises: set-up commands, layering, light imports."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert block, "README.md must open with a bash block of set-up commands"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_leads_with_two_commands_and_ci_runs_the_test_one():
    commands = readme_commands()
    assert len(commands) == 2
    main_job, tests = commands
    assert "notebooks/01_quickstart.ipynb" in main_job and "scripts/test.sh" in tests
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert tests in ci_lines
    gates = (ROOT / "scripts" / "test.sh").read_text()
    for gate in ("ruff check", "ruff format --check", "mypy", "run --silent lint", "typecheck", "pytest"):
        assert gate in gates, gate


def test_engine_runs_without_ipywidgets():
    script = textwrap.dedent(
        """
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {"ipywidgets", "anywidget", "traitlets", "torch", "transformers"}:
                    raise ImportError(f"blocked: {name}")
        sys.meta_path.insert(0, Block())
        import syndisco_widgets as s
        model = s.ScriptedModel()
        users = [s.Actor(model, s.Persona(username=n)) for n in ("A", "B")]
        conv = s.Discussion(s.RoundRobin(), users, conv_len=3)
        conv.begin(verbose=False)
        print(len(conv.logs))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3"


def test_engine_and_models_never_import_the_widget_layer():
    for layer in ("engine", "models", "session"):
        for path in (ROOT / "syndisco_widgets" / layer).rglob("*.py"):
            imports = re.findall(r"^\s*(?:from|import)\s+(\S+)", path.read_text(), re.MULTILINE)
            assert not [m for m in imports if re.search(r"(^|\.)(ipy|any)?widgets\b", m)], path


# Which of the package's own layers each layer may import (module level or inside functions).
ALLOWED_LAYERS = {
    "models": set(),
    "engine": {"models", "viewer"},  # the viewer only inside _repr_mimebundle_, lazily
    "deliberation": {"models", "engine", "viewer"},
    "analysis": {"engine"},
    "viewer": {"engine", "analysis"},
    "session": {"models", "engine", "deliberation"},
    "widgets": {"models", "engine", "deliberation", "analysis", "viewer", "session"},
}


def test_each_layer_imports_only_the_layers_below_it():
    for layer, allowed in ALLOWED_LAYERS.items():
        for path in (ROOT / "syndisco_widgets" / layer).rglob("*.py"):
            imports = re.findall(r"^\s*from\s+\.\.(\w+)", path.read_text(), re.MULTILINE)
            imports += re.findall(
                r"^\s*(?:from|import)\s+syndisco_widgets\.(\w+)", path.read_text(), re.MULTILINE
            )
            shared = {"checks", "errors"}
            wrong = {m for m in imports if m not in allowed | shared | {layer}}
            assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"
