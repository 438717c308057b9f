"""The researcher notebook runs end to end at small sizes and its assertions hold."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "sensitivity_study.ipynb"
SMALL = {"REPLICATES": "3", "SOBOL_N": "8", "WORKERS": "2", "EXECUTOR": '"local"'}


def shrink(source: str) -> str:
    """Replace the values in the sizes cell with the small ones."""
    lines = []
    for line in source.splitlines():
        name = line.split("=")[0].strip()
        if name in SMALL:
            comment = line.split("#", 1)[1] if "#" in line else ""
            line = f"{name} = {SMALL[name]}  #{comment}"
        lines.append(line)
    return "\n".join(lines)


def test_notebook_runs_at_small_n(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    sizes = next(c for c in nb.cells if c.cell_type == "code" and "REPLICATES =" in c.source)
    sizes.source = shrink(sizes.source)
    assert "REPLICATES = 3" in sizes.source and "SOBOL_N = 8" in sizes.source
    imports = {line.split()[1].split(".")[0] for c in nb.cells if c.cell_type == "code"
               for line in c.source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"experiments", "sim", "agents", "viz", "tempfile", "pathlib",
                       "matplotlib", "numpy", "pandas"}, imports
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    texts = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                    for o in c.get("outputs", []))
    assert "reproduced from seed" in texts


AGENCY = NOTEBOOK.with_name("compare_funding_designs.ipynb")


def test_the_agency_notebook_runs_at_small_n_and_keeps_its_outputs(tmp_path: Path) -> None:
    nb = nbformat.read(AGENCY, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    committed = [o for c in code for o in c.get("outputs", [])]
    assert sum(bool(c.get("outputs")) for c in code) >= 6, "commit it with its outputs"
    assert sum("image/png" in o.get("data", {}) for o in committed) == 2
    sizes = next(c for c in code if "REPLICATES =" in c.source)
    sizes.source = "\n".join(
        {"REPLICATES": "REPLICATES = 6", "WORKERS": "WORKERS = 1"}.get(
            line.split("=")[0].strip(), line) for line in sizes.source.splitlines())
    assert "REPLICATES = 6" in sizes.source
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    texts = "".join(o.get("text", "") for o in outputs)
    assert "checks passed" in texts and "'caveats'" in texts
