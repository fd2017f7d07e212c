"""Project-level promises: set-up commands, layering, light imports."""

from __future__ import annotations

import ast
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


def test_no_symlinks_are_tracked():
    # A committed node_modules link made a clean clone's extension build loop on itself.
    listing = subprocess.run(
        ["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout
    links = [line.split("\t", 1)[1] for line in listing.splitlines() if line.startswith("120000")]
    assert links == []


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


# The package's layers, lowest first: a layer may import only the layers below it, never one above,
# not even lazily inside a function. Rich display is attached from above (viewer/display.py).
ALLOWED_LAYERS = {
    "models": set(),
    "engine": {"models"},
    "deliberation": {"models", "engine"},
    "analysis": {"models", "engine"},
    "viewer": {"models", "engine", "deliberation", "analysis"},
    "session": {"models", "engine", "deliberation"},
    "widgets": {"models", "engine", "deliberation", "analysis", "viewer", "session"},
}
#: Modules every layer may use.
SHARED = {"checks", "errors", "lazy", "wording"}
PACKAGE = "syndisco_widgets"


def named_layers(source: str, layer_depth: int = 1) -> set[str]:
    """The package's top-level modules a file names: in imports at any depth, and in module-path strings.

    ``layer_depth`` is how deep the file sits below the package (1 for ``engine/x.py``): a relative
    import that climbs that many levels reaches the package's own modules.
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {_top(alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.add(_top(node.module or ""))
            elif node.level > layer_depth:
                found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # import_module("syndisco_widgets.x"), or a module path kept in a table and imported later.
            match = re.fullmatch(rf"{PACKAGE}\.(\w+)(\.\w+)*", node.value)
            if match:
                found.add(match.group(1))
    return {name for name in found if name}


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if parts[0] == PACKAGE and len(parts) > 1 else ""


def test_the_layer_check_sees_lazy_and_string_imports():
    source = textwrap.dedent(
        """
        import syndisco_widgets.models
        from ..engine import Logs
        from .. import viewer
        from . import sibling
        def show():
            from ..widgets import studio
            return import_module("syndisco_widgets.analysis.core")
        LATER = {"x": "syndisco_widgets.deliberation"}
        """
    )
    assert named_layers(source) == {"models", "engine", "viewer", "widgets", "analysis", "deliberation"}


def test_each_layer_imports_only_the_layers_below_it():
    for layer, allowed in ALLOWED_LAYERS.items():
        folder = ROOT / PACKAGE / layer
        for path in folder.rglob("*.py"):
            depth = len(path.relative_to(folder).parts)
            wrong = named_layers(path.read_text(), depth) - allowed - SHARED - {layer}
            assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"
