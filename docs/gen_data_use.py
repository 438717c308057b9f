"""Write docs/data_use.md, the data-use table (RAT-RS), from the code's own records.

RAT-RS (Achter et al. 2022) asks, for every element of a model, whether evidence
specified it, calibration fitted it, or it was used to validate the model. The table is
generated from the mechanism registry (``agents/mechanisms.py``), the parameter table
(``sim/params.py``), the pattern catalogue (``validation/patterns.py``), the evidence
table (``validation/evidence.py``) and the calibration study
(``experiments/studies/calibration_lhs.toml``), so it cannot drift from them. Run from the
repository root::

    python docs/gen_data_use.py            # rewrite docs/data_use.md
    python docs/gen_data_use.py --check    # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from agents.mechanisms import MECHANISMS, NOT_REPRESENTED  # noqa: E402
from experiments.study import load_study  # noqa: E402
from sim.params import SECTIONS, SOURCES, parameter_table  # noqa: E402
from validation.evidence import QUOTES, double_use, quotes_of, rule_paths, uses  # noqa: E402
from validation.patterns import (  # noqa: E402
    AWAITING_REDEFINITION,
    PATTERNS,
    census,
    group,
    order_key,
)

PATH = ROOT / "docs" / "data_use.md"
CALIBRATION_STUDY = "calibration_lhs"
SPECIFIED = ("seed", "seed-direction", "literature", "literature-direction")
MECHANISM_ID = re.compile(r"\bM(\d+)\b")


def _cell(text: object) -> str:
    """One Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(columns: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return out + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def _ids(ids: list[str]) -> str:
    return ", ".join(sorted(set(ids), key=order_key)) or "—"


def _turns_on(p, mid: str) -> bool:  # noqa: ANN001 - a Pattern
    """Whether a pattern turns on a mechanism.

    It does if its role names one of the mechanism's rules, or if it is judged against a
    quote that built the mechanism's term.
    """
    rules = set(MECHANISMS[mid].rules)
    return bool(rules & set(rule_paths(p.role_why))) or any(
        mid in q.mechanisms for q in quotes_of(p.id))


def _mechanism_rows(params: list[dict], box: set[str]) -> list[list[object]]:
    rows = []
    ids = sorted({*MECHANISMS, *NOT_REPRESENTED}, key=lambda m: int(m[1:]))
    for mid in ids:
        if mid in NOT_REPRESENTED:
            title, why = NOT_REPRESENTED[mid]
            rows.append([mid, title, "not represented: " + why, "—", "—", "—", "—"])
            continue
        m = MECHANISMS[mid]
        cited = [r for r in params if mid in {f"M{k}" for k in MECHANISM_ID.findall(r["ref"])}]
        by_source = Counter(r["source"] for r in cited)
        sources = ", ".join(f"{by_source[s]} {s}" for s in SOURCES if by_source[s]) or "none"
        in_box = sum(r["key"] in box for r in cited)
        quotes = [q.id for q in QUOTES if mid in q.mechanisms]
        specified = f"domain brief §3 {mid}" + (f"; quotes {', '.join(quotes)}" if quotes
                                                else "")
        touched = [p for p in PATTERNS if p.testable and _turns_on(p, mid)]
        rows.append([
            mid, m.title, specified,
            f"{len(cited)} ({sources}); {in_box} in the calibration box",
            _ids([p.id for p in touched if p.role == "calibration"]),
            _ids([p.id for p in touched if p.role == "verification"]),
            _ids([p.id for p in touched if p.role == "validation"]),
        ])
    return rows


def _group_rows(params: list[dict], box: set[str]) -> list[list[object]]:
    from_quotes: dict[str, list[str]] = {}
    for q in QUOTES:
        for key in q.params:
            from_quotes.setdefault(key, []).append(q.id)
    rows = []
    for section, model in SECTIONS.items():
        mine = [r for r in params if r["key"].split(".", 1)[0] == section]
        by_source = Counter(r["source"] for r in mine)
        specified = sum(by_source[s] for s in SPECIFIED)
        detail = ", ".join(f"{by_source[s]} {s}" for s in SPECIFIED if by_source[s])
        facts = []
        for r in mine:
            for qid in from_quotes.get(r["key"], []):
                q = next(x for x in QUOTES if x.id == qid)
                judged = [u for u in uses(q) if not u.startswith(("builds", "sets"))]
                facts.append(f"`{r['key'].split('.', 1)[1]}` ← {qid}"
                             + (f" ({'; '.join(judged)})" if judged else ""))
        rows.append([
            f"`[{section}]`", " ".join((model.__doc__ or "").split()), len(mine),
            f"{specified}" + (f" ({detail})" if detail else ""),
            by_source["assumption"], sum(r["key"] in box for r in mine),
            sum(r["tier"] == "constant" for r in mine), "; ".join(facts) or "—",
        ])
    return rows


def _pattern_rows() -> list[list[object]]:
    rows = []
    for p in PATTERNS:
        quotes = quotes_of(p.id)
        also = sorted({r for q in quotes for r in q.rules} | {k for q in quotes for k in q.params})
        why = p.role_why or (p.reason if not p.testable else "")
        if not why and p.id in AWAITING_REDEFINITION:
            why = "Not audited yet: to be redefined once the lead's orientation emerges."
        rows.append([p.id, p.title, p.kind.replace("_", " "), p.role, group(p),
                     ", ".join(q.id for q in quotes), p.source, ", ".join(also) or "—", why])
    return rows


def _quote_rows() -> list[list[object]]:
    return [[q.id, q.text, q.source, "; ".join(uses(q)) or "—", q.basis or "—"]
            for q in QUOTES]


def render() -> str:
    """The whole of docs/data_use.md."""
    params = parameter_table()
    box = set(load_study(CALIBRATION_STUDY).factor_keys)
    counts = census()
    by_source = Counter(r["source"] for r in params)
    building = [q for q in QUOTES if q.builds]
    breaches = double_use()
    calibrated = [r for r in params if r.get("calibrated")]
    lines = [
        "# consortium-sim: data use (RAT-RS)",
        "",
        "<!-- Generated by docs/gen_data_use.py; do not edit by hand. -->",
        "",
        "For every element of the model, how evidence was used: to **specify** it (a seed "
        "document, a mechanism of the domain brief or a published estimate gave a rule's "
        "form or a parameter's value), to **calibrate** it (the calibration screens the "
        "parameters no source gives against level bands and chose the trust rule and the "
        "defaults marked calibrated; validation.md §6), to **validate** it "
        "(a pattern that could fail, judged against evidence that built no rule) or to "
        "**verify** it (a check that a rule works as built). This follows RAT-RS (Achter et "
        "al. 2022). The table is generated from the mechanism registry "
        "(`agents/mechanisms.py`), the parameter table (`sim/params.py`), the pattern "
        "catalogue (`validation/patterns.py`), the evidence table "
        "(`validation/evidence.py`) and the calibration study "
        f"(`experiments/studies/{CALIBRATION_STUDY}.toml`). [ODD.md](ODD.md) describes the "
        "model and [validation.md](validation.md) the checks.",
        "",
        "## Summary",
        "",
        f"- **Patterns** ({len(PATTERNS)}): {counts['calibration']} calibration, "
        f"{counts['validation']} validation, {counts['verification']} verification, "
        f"{counts['input']} inputs, {counts['not represented']} not represented.",
        f"- **Quotes** ({len(QUOTES)}): {len(building)} build a rule or set a parameter; "
        f"{sum(bool(q.patterns) for q in QUOTES)} are evidence some pattern is judged "
        "against. No quote both builds a rule and validates a pattern"
        + (f", except {', '.join(f'{p} ({chr(44).join(ids)})' for p, ids in breaches.items())}"
           ", to be redefined once the lead's orientation emerges from the mechanisms"
           if breaches else "") + ".",
        f"- **Mechanisms** ({len(MECHANISMS) + len(NOT_REPRESENTED)} in the domain brief): "
        f"{len(MECHANISMS)} implemented, {len(NOT_REPRESENTED)} not represented.",
        f"- **Parameters** ({len(params)}): "
        + ", ".join(f"{by_source[s]} `{s}`" for s in SOURCES if by_source[s])
        + f"; {len(box)} parameters whose value no source gives form the calibration box "
        "(validation.md §6). The calibration set "
        + (", ".join(f"`{r['key']}` ({r['calibrated']})" for r in calibrated)
           if calibrated else "no default")
        + "; every other default is hand-set.",
        "",
        "## 1. Mechanisms",
        "",
        "Each mechanism of the domain brief (§3), how it is specified (the brief's claim and "
        "the quotes of section 4 that built its terms), the parameters whose reference cites "
        "it (by source label, and how many of them the calibration varied) and the testable "
        "patterns that turn on it, by role: those whose role names one of its rules or that "
        "are judged against a quote that built it. Rules taken from the science anchors "
        "rather than the brief (T1-T5, N1-N4, L1-L3, C1-C5, I1-I3) appear under the patterns "
        "and quotes.",
        "",
        *_table(["id", "mechanism", "specified by", "parameters", "calibrated against",
                 "verified by", "validated by"], _mechanism_rows(params, box)),
        "",
        "## 2. Parameter groups",
        "",
        "Each section of the scenario schema: how many parameters evidence specified (by "
        "source label), how many are assumptions, how many the calibration varied, how many "
        "are declared constants (ODD §10.3), and the parameters set from a quote that a "
        "pattern is judged against, with that use.",
        "",
        *_table(["group", "what", "parameters", "specified by evidence", "assumptions",
                 "in the calibration box", "declared constants", "set from a pattern's quote"],
                _group_rows(params, box)),
        "",
        "## 3. Patterns",
        "",
        "Each pattern of the catalogue: its role, how the report counts it, the quotes it "
        "is judged against (section 4), the rules and parameters the same quotes built, and "
        "why it has its role. A validation pattern has nothing under \"the same quotes "
        "build\", SF3 excepted until it is redefined.",
        "",
        *_table(["id", "pattern", "kind", "role", "counted as", "judged against",
                 "source", "the same quotes build", "why this role"], _pattern_rows()),
        "",
        "## 4. Quotes",
        "",
        "Each quote of the evidence table and every use of it.",
        "",
        *_table(["quote", "text", "source", "uses", "how it builds"], _quote_rows()),
        "",
    ]
    return "\n".join(lines)


def stale(path: Path = PATH) -> bool:
    """Whether ``path`` differs from what the generator writes."""
    return not path.exists() or path.read_text(encoding="utf-8") != render()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: write the table, or check it with ``--check``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if docs/data_use.md is out of date")
    parser.add_argument("--path", type=Path, default=PATH, help="file to write or check")
    args = parser.parse_args(argv)
    if args.check:
        if stale(args.path):
            print(f"{args.path}: out of date; run python docs/gen_data_use.py")
            return 1
        print(f"{args.path}: up to date")
        return 0
    text = render()
    changed = stale(args.path)
    if changed:
        args.path.write_text(text, encoding="utf-8")
    print(f"{args.path}: {'updated' if changed else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
