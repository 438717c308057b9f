"""``consortium explain``: where a mechanism of the evidence lives in the model.

For one mechanism id (M1-M34 of the domain brief): the rules that implement it, with file
and line, the parameters that cite it with their values and sources, the ODD sections that
describe it and the tests that cover it. Without an id, a one-line index of them all.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli.common import SetOption, fail, load_params, make_console
from sim.explain import Explanation, all_ids, explain, marked_tests


def explain_command(
    mechanism: Annotated[str | None, typer.Argument(
        metavar="[MECHANISM]", help="A mechanism id of the domain brief, M1 to M34 (also "
                                    "m7 or 7). Leave out for the index of all.")] = None,
    scenario: Annotated[str, typer.Option(
        "--scenario", help="Scenario whose parameter values to show (a shipped name or a "
                           "file).")] = "ccpt_baseline",
    set_: SetOption = None,
) -> None:
    """Show where a mechanism runs: its rules (file:line), parameters, ODD sections and tests.

    Example: [bold]consortium explain M7[/bold]
    """
    console = make_console()
    if mechanism is None:
        console.print(_index())
        return
    params = load_params(scenario, set_)
    try:
        e = explain(mechanism, params)
    except ValueError as exc:
        raise fail(exc) from None
    _print(console, e, params.name)


def _index() -> Table:
    tests = marked_tests()
    table = Table(title="Mechanisms of the domain brief (consortium explain M<k> for one)",
                  title_justify="left")
    for col in ("id", "mechanism", "rules", "tests"):
        table.add_column(col, justify="right" if col in ("rules", "tests") else "left")
    for mid in all_ids():
        e_rules, title = _brief(mid)
        table.add_row(mid, title, e_rules, str(len(tests.get(mid, []))))
    return table


def _brief(mid: str) -> tuple[str, str]:
    from agents.mechanisms import MECHANISMS, NOT_REPRESENTED

    if mid in MECHANISMS:
        return str(len(MECHANISMS[mid].rules)), MECHANISMS[mid].title
    return "not represented", NOT_REPRESENTED[mid][0]


def _print(console, e: Explanation, scenario: str) -> None:  # noqa: ANN001
    console.print(f"[bold]{e.id}[/bold]  {e.title}")
    if not e.represented:
        console.print(f"\n[bold]Not represented.[/bold] {e.note}")
    elif e.note:
        console.print(f"\n[bold]Partly represented.[/bold] {e.note}")
    if e.rules:
        rules = Table(title="Runs in", title_justify="left", show_edge=False)
        for col in ("where", "rule", "what it does"):
            rules.add_column(col, overflow="fold")
        for r in e.rules:
            rules.add_row(f"{r.file}:{r.line}", r.name, r.summary)
        console.print()
        console.print(rules)
    if e.parameters:
        params = Table(title=f"Parameters that cite {e.id} (values in {scenario})",
                       title_justify="left", show_edge=False)
        for col in ("key", "value", "unit", "source", "reference"):
            params.add_column(col, overflow="fold")
        for p in e.parameters:
            params.add_row(p["key"], str(p["value"]), p["unit"], p["source"]
                           + (" (constant)" if p["tier"] == "constant" else ""), p["ref"])
        console.print()
        console.print(params)
    if e.odd:
        console.print("\n[bold]ODD[/bold] (docs/ODD.md): "
                      + "; ".join(f"§{s} {title}" for s, title in e.odd))
    console.print(f"\n[bold]Tests[/bold] marked @pytest.mark.mechanism({e.id!r}): "
                  + (str(len(e.tests)) if e.tests else "none"))
    for file, line, name in e.tests:
        console.print(f"  {file}:{line} {name}")
