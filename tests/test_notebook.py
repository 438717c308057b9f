"""The notebooks: the documented commands exist, the headless one runs both notebooks at
small sizes without errors or leftovers, and the committed copies keep full-size outputs
with conclusions whose numbers the outputs show."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
FOLDER = REPO / "notebooks"
NOTEBOOK = FOLDER / "sensitivity_study.ipynb"
AGENCY = FOLDER / "compare_funding_designs.ipynb"
BIN = Path(sys.executable).parent
PREFIX = "consortium-notebook-"  # the notebooks' temporary folders
NUMBER = re.compile(r"\d+\.\d+")
# Packages an interactive subcommand of `jupyter` comes from, when it is not installed.
JUPYTER_SUBCOMMANDS = {"lab": "jupyterlab"}


def code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def outputs(nb) -> list[dict]:
    return [o for c in code_cells(nb) for o in c.get("outputs", [])]


def output_text(nb) -> str:
    """Printed text and the plain-text form of every displayed value."""
    parts = []
    for o in outputs(nb):
        parts.append(o.get("text", ""))
        parts.append(o.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def resize(nb, sizes: dict[str, str]) -> None:
    """Set the given names of the sizes cell (the first to assign REPLICATES)."""
    cell = next(c for c in code_cells(nb) if "REPLICATES =" in c.source)
    lines = []
    for line in cell.source.splitlines():
        name = line.split("=")[0].strip()
        if name in sizes:
            comment = line.split("#", 1)[1] if "#" in line else ""
            line = f"{name} = {sizes[name]}  #{comment}"
        lines.append(line)
    cell.source = "\n".join(lines)
    for name, value in sizes.items():
        assert f"{name} = {value} " in cell.source, name


def listing(folder: Path) -> set[str]:
    return {p for p in os.listdir(folder) if not p.startswith((".", "__"))}


def ours(folder: Path) -> set[str]:
    """The entries of ``folder`` named like the notebooks' temporary folders."""
    return {p for p in os.listdir(folder) if p.startswith(PREFIX)}


def run_headless(nb, tmp_path: Path):
    """Run the README's headless command (`jupyter execute --inplace`) on a copy.

    The kernel gets a temporary directory of its own (TMPDIR), so whatever the notebook
    leaves there is seen, and nothing another process puts in the system's is mistaken for
    it. Asserts that the run leaves nothing in it, no `consortium-notebook-*` folder in the
    system's (a path written out by hand), nothing beside the notebook in its folder, and
    no new entry in the repository's top folder or in notebooks/.
    """
    folder, scratch = tmp_path / "run", tmp_path / "tmp"
    folder.mkdir()
    scratch.mkdir()
    path = folder / "notebook.ipynb"
    nbformat.write(nb, path)
    repo_before, notebooks_before = listing(REPO), listing(FOLDER)
    system_before = ours(Path(tempfile.gettempdir()))
    done = subprocess.run([str(BIN / "jupyter"), "execute", "--inplace", "--timeout=600",
                           path.name], cwd=folder, capture_output=True, text=True,
                          env={**os.environ, "TMPDIR": str(scratch)})
    assert done.returncode == 0, done.stderr[-4000:]
    assert sorted(os.listdir(scratch)) == [], "left in the temporary directory"
    assert not ours(Path(tempfile.gettempdir())) - system_before, "left in the system's"
    assert os.listdir(folder) == [path.name], "written beside the notebook"
    assert not listing(REPO) - repo_before, "written into the repository"
    assert not listing(FOLDER) - notebooks_before, "written into notebooks/"
    executed = nbformat.read(path, as_version=4)
    assert not [o for o in outputs(executed) if o.get("output_type") == "error"]
    return executed


def test_the_research_notebook_runs_headless_at_small_n(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    resize(nb, {"REPLICATES": "3", "SOBOL_N": "8", "WORKERS": "2", "EXECUTOR": '"local"'})
    imports = {line.split()[1].split(".")[0] for c in code_cells(nb)
               for line in c.source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"experiments", "sim", "agents", "viz", "tempfile", "pathlib",
                       "matplotlib", "numpy", "pandas", "IPython"}, imports
    texts = output_text(run_headless(nb, tmp_path))
    assert "reproduced from seed" in texts
    assert "temporary folder removed: True" in texts
    # At N = 8 the Sobol estimates break their bounds, and the listing shows which.
    flagged = re.search(r"at N = 8: (\d+) estimate\(s\) outside their bounds", texts)
    assert flagged and int(flagged.group(1)) >= 1, texts[-2000:]
    assert "S1 < 0" in texts or "S1 > ST" in texts or "> 1" in texts


def test_the_agency_notebook_runs_headless_at_small_n(tmp_path: Path) -> None:
    nb = nbformat.read(AGENCY, as_version=4)
    resize(nb, {"REPLICATES": "6", "WORKERS": "1"})
    texts = output_text(run_headless(nb, tmp_path))
    assert "checks passed" in texts and "'caveats'" in texts
    assert "temporary folder removed: True" in texts


# (notebook, its full sizes, figures it shows, a line of its outputs that names the sizes)
COMMITTED = [
    (NOTEBOOK, {"REPLICATES": "10", "SOBOL_N": "256"}, 3, "at N = 256:"),
    (AGENCY, {"REPLICATES": "200"}, 2, "checks passed"),
]


@pytest.mark.parametrize(("path", "sizes", "figures", "marker"), COMMITTED,
                         ids=lambda v: v.stem if isinstance(v, Path) else None)
def test_a_committed_notebook_keeps_its_full_size_outputs(path, sizes, figures,
                                                          marker) -> None:
    nb = nbformat.read(path, as_version=4)
    code = code_cells(nb)
    sizes_cell = next(c for c in code if "REPLICATES =" in c.source)
    for name, value in sizes.items():
        assert re.search(rf"^{name} = {value}\b", sizes_cell.source, re.M), name
    # Executed top to bottom in one kernel: counts 1, 2, 3, ... and every cell after the
    # sizes and the imports shows something.
    assert [c.get("execution_count") for c in code] == list(range(1, len(code) + 1))
    assert code.index(sizes_cell) == 0
    assert all(c.get("outputs") for c in code[2:]), "commit the outputs"
    assert not [o for o in outputs(nb) if o.get("output_type") == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs(nb)) == figures
    assert marker in output_text(nb)
    assert "temporary folder removed: True" in output_text(nb)


@pytest.mark.parametrize("path", [NOTEBOOK, AGENCY], ids=lambda p: p.stem)
def test_the_conclusions_quote_numbers_the_outputs_show(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    tagged = [i for i, c in enumerate(nb.cells) if "conclusions" in c.metadata.get("tags", [])]
    assert len(tagged) >= 3, "each notebook says what its results show"
    first_output = next(i for i, c in enumerate(nb.cells) if c.get("outputs"))
    shown = set(NUMBER.findall(output_text(nb)))
    for i in tagged:
        cell = nb.cells[i]
        assert cell.cell_type == "markdown" and i > first_output
        quoted = NUMBER.findall(cell.source)
        assert quoted, f"conclusion cell {i} quotes no number"
        missing = [q for q in quoted if q not in shown]
        assert not missing, (f"conclusion cell {i} of {path.name} quotes {missing}, which no "
                             "output shows: re-read the outputs and update the conclusion")


def runnable(module: str) -> bool:
    """Whether `python -m module` can run: a plain module, or a package with __main__."""
    spec = importlib.util.find_spec(module)
    if spec is None:
        return False
    return spec.submodule_search_locations is None or bool(
        importlib.util.find_spec(f"{module}.__main__"))


def documented_commands() -> list[str]:
    """The commands notebooks/README.md tells a reader to run."""
    text = (FOLDER / "README.md").read_text(encoding="utf-8")
    indented = [line.strip() for line in text.splitlines() if line.startswith("    ")]
    inline = re.findall(r"`((?:make|\.venv/bin/)[^`]*)`", text)
    return indented + inline


def test_the_documented_commands_exist() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    extras = pyproject["project"]["optional-dependencies"]
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    commands = documented_commands()
    assert "make notebooks" in commands
    for command in commands:
        words = shlex.split(command)
        if words[0] == "make":
            # Phony: a folder called notebooks/ would otherwise make the target "up to date".
            assert re.search(rf"^{words[1]}:", makefile, re.M) and words[1] in phony, command
            continue
        assert words[0].startswith(".venv/bin/"), command
        tool = words[0].removeprefix(".venv/bin/")
        via_python = tool == "python"
        if via_python:
            assert words[1] == "-m", command
            assert runnable(words[2]), f"`python -m {words[2]}` cannot run: {command}"
            tool, words = words[2], words[2:]
        if tool == "pip":
            wanted = re.search(r"\[(.*)\]", words[-1]).group(1).split(",")
            assert set(wanted) <= set(extras), command
        elif tool == "jupyter" and words[1] in JUPYTER_SUBCOMMANDS:
            package = JUPYTER_SUBCOMMANDS[words[1]]
            assert any(d.startswith(package) for d in extras["notebooks"]), command
        else:
            program = f"jupyter-{words[1]}" if tool == "jupyter" else tool
            assert (BIN / program).exists() or (via_python and tool != "jupyter"), command
        if tool == "jupyter" and words[1] == "execute":
            # The make target runs exactly the documented command, on both notebooks.
            assert command.replace(".venv/bin/", "$(VENV)/bin/") in makefile, command
            assert {NOTEBOOK.name, AGENCY.name} <= {Path(w).name for w in words}, command
