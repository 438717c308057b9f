"""What the command groups share: consoles, one-line errors, the --set option, help text."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from experiments.provenance import OutputError, OutputSet, check_writable, record_outputs
from sim.params import ScenarioParams
from sim.scenario import ScenarioError, exists, load_scenario

SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", "-s", metavar="KEY=VALUE",
                 help="Override one parameter, e.g. --set grant.taper_years=2 (repeatable)."),
]
OverwriteOption = Annotated[
    bool,
    typer.Option("--overwrite",
                 help="Replace outputs that an earlier consortium run wrote here (as its "
                      "provenance.json records); a file of your own is never replaced."),
]


def make_console() -> Console:
    """The console for results (no highlighting of numbers and paths)."""
    return Console(highlight=False)


def fail(exc: Exception) -> typer.Exit:
    """Print ``exc`` as one red line on stderr; raise the returned Exit (code 2)."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        Text(f"error: {exc}", style="bold red"))
    return typer.Exit(code=2)


def load_params(scenario: str, overrides: list[str] | None) -> ScenarioParams:
    """The scenario with its overrides; a bad file or value exits 2 with one line."""
    try:
        return load_scenario(scenario, overrides or [])
    except ScenarioError as exc:
        raise fail(exc) from None


def print_shipped(console: Console, title: str, columns: Sequence[str],
                  shipped: dict[str, Path], describe: Callable[[Path], Sequence[str]],
                  hint: str) -> None:
    """List shipped files (scenarios, designs, cohorts): a name, then ``describe(path)``.

    A file that does not load shows its problem in red in the last column.
    """
    table = Table(title=title, title_style="bold", header_style="bold")
    table.add_column("Name", style="bold cyan", no_wrap=True)
    for column in columns:
        table.add_column(column)
    for name, path in shipped.items():
        try:
            cells = list(describe(path))
        except ScenarioError as exc:  # designs' and cohorts' errors are ScenarioErrors too
            problems = escape("; ".join(f"{p.key}: {p.problem}" for p in exc.problems))
            cells = [""] * (len(columns) - 1) + [f"[red]invalid: {problems}[/red]"]
        table.add_row(name, *cells)
    console.print(table)
    console.print(hint)


def make_folder(folder: Path) -> Path:
    """``folder``, created with its parents; one that cannot be made or written exits 2."""
    if exists(folder) and not folder.is_dir():
        raise fail(ValueError(f"{folder}: is a file, not a folder for the outputs"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(ValueError(f"{folder}: cannot create the output folder ({exc.strerror})")
                   ) from None
    try:
        check_writable(folder)  # a read-only place exits 2 before any run, not after
    except OutputError as exc:
        raise fail(exc) from None
    return folder


def output_set(console: Console, folder: Path, names: Iterable[str], rec: Mapping[str, Any],
               set_name: str, overwrite: bool) -> OutputSet:
    """The checked :class:`~experiments.provenance.OutputSet` of a command, before it runs.

    Files in the way exit 2 with their names; what ``--overwrite`` replaces is printed.
    """
    outputs = OutputSet(make_folder(folder), names, rec, set_name, overwrite)
    try:
        notes = outputs.check()
    except OutputError as exc:
        raise fail(exc) from None
    for note in notes:
        console.print(Text(note, style="yellow"), soft_wrap=True)
    return outputs


def record_provenance(folder: Path, files: Iterable[Path], rec: Mapping[str, Any],
                      set_name: str) -> None:
    """Stamp ``files`` and list them in folder/provenance.json; a failure exits 2."""
    try:
        record_outputs(folder, files, rec, set_name)
    except OutputError as exc:
        raise fail(exc) from None
    except OSError as exc:
        raise fail(OutputError(folder, f"cannot record the provenance ({exc.strerror or exc})")
                   ) from None


@contextmanager
def writing(outputs: OutputSet) -> Iterator[Path]:
    """The staging folder of ``outputs``; a write that fails (full disk) exits 2."""
    try:
        with outputs.writing() as stage:
            yield stage
    except OutputError as exc:
        raise fail(exc) from None


def slug(name: str) -> str:
    """A name safe as a file stem or folder name."""
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "scenario"


def input_errors() -> tuple[type[Exception], ...]:
    """The errors that mean bad input to a sweep, an analysis or a calibration (exit 2)."""
    from experiments.executors import ExecutorError
    from experiments.store import SweepStoreError
    from experiments.study import StudyError

    return ScenarioError, StudyError, SweepStoreError, ExecutorError, OutputError


class RateColumn(ProgressColumn):
    """Runs per second, as rich measures it."""

    def render(self, task) -> Text:  # noqa: ANN001
        """The rate, once there is one."""
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.2f} runs/s", style="progress.data.speed")


def reflow(doc: str | None) -> str | None:
    """A docstring with each prose paragraph on one line, so help wraps to the terminal.

    Typer keeps single line breaks of the paragraphs after the first, so source-wrapped
    docstrings would break mid-sentence in a narrow terminal. Paragraphs with list items or
    indented lines keep their breaks.
    """
    if not doc:
        return doc
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    keep = ("- ", "* ", " ")
    return "\n\n".join(p if any(line.startswith(keep) for line in p.splitlines())
                       else " ".join(line.strip() for line in p.splitlines())
                       for p in paragraphs)


def run_progress(console: Console) -> Progress:
    """The progress bar of the commands that run the model.

    What runs, a bar, n of N, the rate, the time spent and the time left.
    """
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    RateColumn(), TimeElapsedColumn(), TextColumn("eta"),
                    TimeRemainingColumn(), console=console)
