"""docs/ODD.md follows the code: parameter table, outcomes, series and evidence ids."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from sim.outcomes import OUTCOMES
from sim.params import SOURCES, parameter_table
from sim.record import MONTHLY_SERIES

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "ODD.md"
CODE_DIRS = (ROOT / "sim", ROOT / "agents")


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "gen_parameter_table", ROOT / "docs" / "gen_parameter_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def odd_text() -> str:
    return ODD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def block(odd_text: str) -> str:
    return gen.split_document(odd_text)[1]


@pytest.fixture(scope="module")
def constants_block(odd_text: str) -> str:
    return gen.split_document(odd_text, "constants")[1]


def _code_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for d in CODE_DIRS
                     for pattern in ("*.py", "*.pyx", "*.pxd") for p in sorted(d.rglob(pattern)))


def _mentioned(name: str, text: str) -> bool:
    """``name`` occurs as a whole token (M1 is not satisfied by M12, status_2y by x_status_2y)."""
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text) is not None


def _ids(pattern: str) -> set[str]:
    return set(re.findall(pattern, _code_text()))


# (a) the generated block is current -------------------------------------------------------
def test_parameter_block_matches_generator(block: str, constants_block: str) -> None:
    assert block == gen.render_block(), (
        "docs/ODD.md parameter table is out of date: run python docs/gen_parameter_table.py")
    assert constants_block == gen.render_block("constants"), (
        "docs/ODD.md constants table is out of date: run python docs/gen_parameter_table.py")


def test_generator_check_mode_passes() -> None:
    assert gen.main(["--check", "--path", str(ODD)]) == 0


def test_update_is_idempotent(tmp_path: Path, odd_text: str) -> None:
    stale = odd_text.replace(gen.split_document(odd_text)[1], f"{gen.START}\nold\n{gen.END}")
    start, end = gen.markers("constants")
    stale = stale.replace(gen.split_document(odd_text, "constants")[1], f"{start}\n{end}")
    copy = tmp_path / "ODD.md"
    copy.write_text(stale, encoding="utf-8")
    assert gen.update(copy) is True
    assert copy.read_text(encoding="utf-8") == odd_text
    assert gen.update(copy) is False


@pytest.mark.parametrize("text", ["no markers", f"{gen.END}\n{gen.START}",
                                  f"{gen.START}\n{gen.START}\n{gen.END}"])
def test_split_document_rejects_bad_markers(text: str) -> None:
    with pytest.raises(ValueError):
        gen.split_document(text)


# (b) every parameter has a row --------------------------------------------------------------
def test_every_parameter_key_in_table(block: str, constants_block: str) -> None:
    for text, tier in ((block, "parameter"), (constants_block, "constant")):
        rows = [line for line in text.splitlines() if line.startswith("| `")]
        keys_in_table = [line.split("`")[1] for line in rows]
        keys = [row["key"] for row in parameter_table() if row["tier"] == tier]
        missing = [k for k in keys if f"| `{k}` |" not in text]
        assert not missing, f"{tier}s missing from the ODD table: {missing}"
        assert sorted(keys_in_table) == sorted(keys)


def test_every_parameter_row_has_source_and_reference() -> None:
    for row in parameter_table():
        assert row["source"] in SOURCES, row["key"]
        assert row["ref"], row["key"]
        assert row["unit"], row["key"]


def test_the_odd_defines_every_source_label(odd_text: str) -> None:
    section9 = odd_text[odd_text.index("## 9. Parameters"):odd_text.index("<!-- parameters:start")]
    for label in SOURCES:
        assert f"`{label}`" in section9, label


# (c) every outcome is documented ------------------------------------------------------------
def test_every_outcome_mentioned(odd_text: str) -> None:
    missing = [name for name in OUTCOMES if not _mentioned(name, odd_text)]
    assert not missing, f"outcomes not described in docs/ODD.md: {missing}"


def test_every_monthly_series_mentioned(odd_text: str) -> None:
    missing = [name for name in MONTHLY_SERIES if not _mentioned(f"`{name}`", odd_text)]
    assert not missing, f"monthly series not described in docs/ODD.md: {missing}"


# (d) every evidence id the code cites is in the ODD ------------------------------------------
def test_every_mechanism_id_in_code_is_documented(odd_text: str) -> None:
    cited = _ids(r"\bM\d+\b")
    assert cited, "no mechanism ids found in sim/ and agents/"
    missing = sorted((m for m in cited if not _mentioned(m, odd_text)),
                     key=lambda m: int(m[1:]))
    assert not missing, f"mechanism ids cited in code but not in docs/ODD.md: {missing}"


def test_every_stylized_fact_and_rule_id_in_code_is_documented(odd_text: str) -> None:
    cited = _ids(r"\bSF\d+\b") | _ids(r"\b(?:T[1-5]|N[1-4]|L[1-3]|C[1-5]|I[1-3])\b")
    missing = sorted(x for x in cited if not _mentioned(x, odd_text))
    assert not missing, f"evidence ids cited in code but not in docs/ODD.md: {missing}"


def test_odd_has_all_sections(odd_text: str) -> None:
    headings = re.findall(r"^## (\d+)\. ", odd_text, flags=re.MULTILINE)
    assert headings == [str(i) for i in range(1, 11)]


def test_validation_doc_follows_trace_and_its_report_covers_the_catalogue():
    from validation.patterns import PATTERNS

    docs = Path(__file__).resolve().parent.parent / "docs"
    text = (docs / "validation.md").read_text()
    for element in ("Problem formulation", "Model description", "Data evaluation",
                    "Conceptual model evaluation", "Implementation verification",
                    "Model output verification", "Model analysis",
                    "Model output corroboration", "Limitations"):
        assert f". {element}" in text or f"## {element}" in text, element
    assert "not meant" in text.lower() or "not the purpose" in text.lower()
    report = (docs / "validation_report.md").read_text()
    for p in PATTERNS:
        assert f"| {p.id} |" in report, p.id


def test_calibration_docs_quote_the_committed_reports():
    """The counts in docs/calibration/README.md and validation.md §6 are the reports'."""
    docs = ROOT / "docs"
    index = (docs / "calibration" / "README.md").read_text()
    validation = (docs / "validation.md").read_text()
    folders = re.findall(r"^\| `(\w+)/` \|", index, flags=re.MULTILINE)
    assert folders == ["calibration_lhs", "calibration_lhs_confirm", "calibration_default",
                       "calibration_lhs_asymmetric", "calibration_lhs_asymmetric_confirm"]
    held = {}
    for folder in folders:
        report = (docs / "calibration" / folder / "calibration.md").read_text()
        m = re.search(r"Pattern-oriented filtering: (\d+) of (\d+) points hold every band",
                      report)
        assert m, folder
        held[folder] = (int(m[1]), int(m[2]))
        row = next(r for r in index.splitlines() if r.startswith(f"| `{folder}/`"))
        if held[folder][1] >= 20:   # screening and confirmation rows quote the count
            assert re.search(rf"\b{m[1]} of {int(m[2]):,}( points)? holds? all 13", row), row
        screening = not folder.endswith(("confirm", "identified", "default"))
        for png in ("bands.png", *(("posterior.png",) if screening else ())):
            assert (docs / "calibration" / folder / png).is_file(), (folder, png)
    assert f"**{held['calibration_lhs'][0]} of 1,000** (at most" in validation
    assert f"**{held['calibration_lhs_confirm'][0]} of 20** (the best" in validation
    confirm = (ROOT / "experiments" / "studies" / "calibration_lhs_confirm.toml").read_text()
    assert 'file = "calibration_lhs_candidates.csv"' in confirm


# (e) the data-use table and the roles of the patterns --------------------------------------
def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_data_use_table_is_generated_and_current():
    data_use = _load("gen_data_use")
    text = (ROOT / "docs" / "data_use.md").read_text(encoding="utf-8")
    assert text == data_use.render(), "docs/data_use.md is out of date: run docs/gen_data_use.py"
    assert data_use.main(["--check"]) == 0
    for section in ("## 1. Mechanisms", "## 2. Parameter groups", "## 3. Patterns",
                    "## 4. Quotes"):
        assert section in text


def test_data_use_table_has_a_row_for_every_element():
    from agents.mechanisms import MECHANISMS, NOT_REPRESENTED
    from sim.params import SECTIONS
    from validation.evidence import QUOTES
    from validation.patterns import PATTERNS

    text = (ROOT / "docs" / "data_use.md").read_text(encoding="utf-8")
    for mid in (*MECHANISMS, *NOT_REPRESENTED):
        assert f"\n| {mid} | " in text, mid
    for section in SECTIONS:
        assert f"\n| `[{section}]` | " in text, section
    for p in PATTERNS:
        assert f"\n| {p.id} | {p.title} | " in text, p.id
    for q in QUOTES:
        assert f"\n| {q.id} | " in text, q.id


def _ids_in(text: str) -> set[str]:
    return set(re.findall(r"\b(?:SF\d+[a-z]?|P\d[a-z]?)\b", text))


def test_odd_1_2_says_which_patterns_are_built_in(odd_text: str):
    """ODD §1.2 no longer claims that no rule imposes a pattern: it lists them by role."""
    from validation.patterns import PATTERNS

    section = odd_text[odd_text.index("### 1.2"):odd_text.index("## 2. ")]
    assert "No rule imposes" not in section and "(data_use.md)" in section
    bullets = {m[1].lower(): m[2] for m in re.finditer(
        r"^- \*\*(Validation|Calibration|Verification)\*\* (.*?)(?=^- \*\*|^\| Level)",
        section, flags=re.MULTILINE | re.DOTALL)}
    assert set(bullets) == {"validation", "calibration", "verification"}
    for role, text in bullets.items():
        assert _ids_in(text) == {p.id for p in PATTERNS if p.testable and p.role == role}, role
    inputs = section[section.index("further patterns are inputs"):]
    assert {p.id for p in PATTERNS if p.kind == "input"} <= _ids_in(inputs)


def test_validation_doc_states_the_counts_of_the_catalogue():
    from validation.patterns import PATTERNS, census

    text = " ".join((ROOT / "docs" / "validation.md").read_text(encoding="utf-8").split())
    c = census()
    assert (f"{len(PATTERNS)} patterns: {c['calibration']} calibration, {c['validation']} "
            f"validation, {c['verification']} verification, {c['input']} inputs and "
            f"{c['not represented']} not represented") in text
    assert "(data_use.md)" in text


def test_the_outcomes_document_is_generated_with_every_section(tmp_path):
    """docs/gen_outcomes.py runs end to end (a few replicates) and writes what the model-v2
    measures ask for: tiers, the Cohort 1 mix, staffing, orientation, survival, shape."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(ROOT / "docs" / "gen_outcomes.py"),
                           "--replicates", "3", "--out", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "outcomes.md").read_text()
    for heading in ("## Share sustained by award", "**Across the Cohort 1 mix**",
                    "## Sustaining with fewer staff", "## By the lead's orientation",
                    "## Survival after the grant, by funding design",
                    "## Distribution across runs"):
        assert heading in text, heading
    assert text.count("| fixed_total |") == 5 and text.count("| fixed_annual |") == 5
    for png in ("outcomes_distribution.png", "outcomes_survival_fixed_total.png",
                "outcomes_survival_fixed_annual.png", "outcomes_status_baseline.png"):
        assert (tmp_path / "img" / png).stat().st_size > 10_000, png
    committed = (ROOT / "docs" / "outcomes.md").read_text()
    assert "<!-- Generated by docs/gen_outcomes.py" in committed
