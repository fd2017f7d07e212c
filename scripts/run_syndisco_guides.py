"""Run SynDisco's guide notebooks on the compat namespace, changed only in the import and the model.

    python scripts/run_syndisco_guides.py GUIDES_DIR [WORK_DIR]

Each notebook in GUIDES_DIR (SynDisco's ``docs/source/guides``) is copied to
WORK_DIR (default /tmp/peer_suites/guides) with two changes: a first cell maps
``syndisco`` to ``syndisco_widgets.compat.syndisco`` (``alias_syndisco()``),
and every Hugging Face id given to ``TransformersModel`` becomes the offline
tiny model. Then it runs top to bottom; the report says which cells failed.
Exit status 1 if any notebook failed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from syndisco_widgets.models import build_tiny_model

#: A quoted Hugging Face id such as "unsloth/Llama-3.2-3B-Instruct".
HF_ID = re.compile(r"""(["'])[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+\1""")
SHIM = "import syndisco_widgets.compat; syndisco_widgets.compat.alias_syndisco()  # the one changed import"


def adapt(notebook: nbformat.NotebookNode, tiny: Path) -> int:
    """Add the import cell and point models at ``tiny``; return how many model ids were replaced."""
    replaced = 0
    for cell in notebook.cells:
        if cell.cell_type == "code" and "TransformersModel(" in cell.source:
            cell.source, count = HF_ID.subn(repr(str(tiny)), cell.source)
            replaced += count
        if cell.cell_type == "code":
            cell.outputs = []
    notebook.cells.insert(0, nbformat.v4.new_code_cell(SHIM))
    return replaced


def run(path: Path, work: Path, tiny: Path) -> bool:
    notebook = nbformat.read(path, as_version=4)
    replaced = adapt(notebook, tiny)
    target = work / path.name
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    )
    try:
        client.execute()
        ok = True
        note = "ran every cell"
    except CellExecutionError as exc:
        ok = False
        note = f"failed: {str(exc).strip().splitlines()[-1]}"
    nbformat.write(notebook, target)
    code_cells = sum(c.cell_type == "code" for c in notebook.cells) - 1
    print(f"{path.name}: {code_cells} code cells, {replaced} model id(s) swapped for the tiny model; {note}")
    return ok


def main() -> int:
    if len(sys.argv) < 2:  # noqa: PLR2004
        print(__doc__)
        return 2
    guides = Path(sys.argv[1])
    work = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/tmp/peer_suites/guides")  # noqa: PLR2004
    work.mkdir(parents=True, exist_ok=True)
    tiny = build_tiny_model()
    notebooks = sorted(guides.glob("*.ipynb"))
    if not notebooks:
        print(f"no notebooks in {guides}")
        return 1
    results = [run(p, work, tiny) for p in notebooks]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
