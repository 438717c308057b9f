"""Funding designs: shipped files, what applying one changes, and bad design files (exit 2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.designs import DesignError, load_design, shipped_designs
from sim.grant import award_terms
from sim.scenario import load_scenario

SEED_ID = re.compile(r"\b00[0-4]\b")
REQUIRED = {"ccpt_as_run", "longer_5y", "longer_7y", "planning_year", "taper_2y",
            "retained_backbone", "system_ta", "agreements_required", "pledge_enforced",
            "onboarding_support", "subregional_nodes"}


def test_the_shipped_designs_load_and_each_states_why_and_its_convention() -> None:
    shipped = shipped_designs()
    assert REQUIRED <= set(shipped)
    reference = load_design("ccpt_as_run").grant

    def changed(name: str) -> int:
        return sum(v != reference.get(k) for k, v in load_design(name).grant.items())

    assert sum(changed(n) >= 2 for n in shipped) >= 2  # combinations the seeds recommend
    for name in shipped:
        d = load_design(name)
        assert d.name == name and d.description and len(d.rationale) > 80
        assert d.convention in ("fixed_total", "fixed_annual")
        assert d.sources and all(SEED_ID.search(s) or "brief" in s or "ODD" in s
                                 for s in d.sources), name
        assert any(SEED_ID.search(s) for s in d.sources), name


def test_a_design_changes_only_grant_levers_and_leaves_the_region_alone() -> None:
    base = load_scenario("ccpt_6m")
    for name in shipped_designs():
        d = load_design(name)
        applied = d.apply(base).model_dump(mode="python")
        before = base.model_dump(mode="python")
        for section, values in applied.items():
            if section != "grant":
                assert values == before[section], (name, section)
        for key, value in d.grant.items():
            assert applied["grant"][key] == value
        assert applied["grant"]["award_musd"] == 6.0  # the award is the scenario's


@pytest.mark.parametrize(("design", "scenario", "state_award"), [
    ("ccpt_as_run", "ccpt_baseline", 15.0),          # 3 years x $5M
    ("longer_5y", "ccpt_baseline", 25.0),            # 5 x $5M
    ("longer_7y", "ccpt_baseline", 35.0),
    ("longer_5y_same_total", "ccpt_baseline", 15.0), # the total held: 5 x $3M
    ("planning_year", "ccpt_baseline", 20.0),        # 12 planning months + 3 years
    ("taper_2y", "ccpt_baseline", 20.0),             # 3 years + 2 x half a year
    ("taper_2y", "ccpt_6m", 8.0),                    # 4 full-year equivalents x $2M
    ("retained_backbone", "ccpt_baseline", 15.0),    # the award only; positions come on top
])
def test_what_the_state_pays_for_the_award(design: str, scenario: str,
                                           state_award: float) -> None:
    terms = award_terms(load_design(design).apply(load_scenario(scenario)))
    assert terms["state_award"] == pytest.approx(state_award)
    assert terms["convention"] == load_design(design).convention


def test_extends_takes_the_parent_and_overrides_it(tmp_path: Path) -> None:
    parent = tmp_path / "parent.toml"
    parent.write_text('rationale = "A parent design with a long enough rationale to be read '
                      'as one, citing 000."\nsources = ["000 planning"]\n[grant]\n'
                      'award_convention = "fixed_total"\nstate_years = 4\ntaper_years = 1\n')
    child = tmp_path / "child.toml"
    child.write_text('extends = "parent.toml"\nname = "child"\n[grant]\nstate_years = 6\n')
    d = load_design(child)
    assert d.name == "child" and d.convention == "fixed_total"
    own = tmp_path / "mine.toml"   # a user's file extending a shipped design
    own.write_text('extends = "ccpt_as_run.toml"\nname = "mine"\n[grant]\ntaper_years = 3\n')
    mine = load_design(own)
    assert mine.grant["taper_years"] == 3 and mine.grant["state_years"] == 3
    assert d.grant == {"award_convention": "fixed_total", "state_years": 6, "taper_years": 1}
    assert d.rationale.startswith("A parent design")


WHY = 'rationale = "Long enough rationale for a design file that cites the seeds, 000."\n'
CITED = 'sources = ["000"]\n'
CONVENTION = '[grant]\naward_convention = "fixed_total"\n'


@pytest.mark.parametrize(("text", "key", "words"), [
    (WHY + CITED + CONVENTION + '[region]\nn_districts = 3\n', "region", "only [grant] levers"),
    (WHY + CITED + 'seed = 3\n' + CONVENTION, "seed", "only [grant] levers"),
    (WHY + CITED + CONVENTION + 'state_yeras = 5\n', "grant.state_yeras", "not a grant lever"),
    (WHY + CITED + CONVENTION + 'state_years = "five"\n', "grant.state_years", ""),
    (WHY + CITED + CONVENTION + 'state_years = 50\n', "grant.state_years", ""),
    (WHY + CITED + '[grant]\naward_convention = "per_month"\n', "grant.award_convention", ""),
    (WHY + CITED + 'grant = 3\n', "grant", "table"),
    (WHY + 'sources = "000"\n' + CONVENTION, "sources", "list"),
])
def test_bad_design_files_name_the_file_and_the_key(tmp_path: Path, text: str, key: str,
                                                    words: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(DesignError) as info:
        load_design(path)
    assert info.value.key == key and Path(info.value.file).name == "bad.toml"
    assert words in info.value.problem


def test_a_design_must_state_its_convention_rationale_and_sources(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text('rationale = "x"\nsources = ["000"]\n[grant]\nstate_years = 5\n')
    with pytest.raises(DesignError, match="award convention"):
        load_design(path)
    path.write_text('[grant]\naward_convention = "fixed_total"\n')
    with pytest.raises(DesignError, match="rationale"):
        load_design(path)


def test_circular_and_missing_extends_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    with pytest.raises(DesignError, match="circular"):
        load_design(tmp_path / "a.toml")
    (tmp_path / "c.toml").write_text('extends = "nowhere.toml"\n')
    with pytest.raises(DesignError, match="not found"):
        load_design(tmp_path / "c.toml")
    with pytest.raises(DesignError, match="no such file or shipped design"):
        load_design("no_such_design")


def test_the_designs_commands_list_show_and_refuse_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["designs"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and all(n in listed.output for n in REQUIRED)
    shown = runner.invoke(app, ["designs", "show", "longer_5y"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    assert "$25.00M in all" in shown.output and "systemic change" in shown.output
    kept = runner.invoke(app, ["designs", "show", "retained_backbone", "--years-after", "2"],
                         env={"COLUMNS": "200"})
    assert kept.exit_code == 0 and "17.31" in kept.output   # tests/sim/test_costs.py
    bad = tmp_path / "bad.toml"
    bad.write_text('[trust]\nbaseline = 0.2\n')
    result = runner.invoke(app, ["designs", "show", str(bad)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].endswith("bad.toml: 4 problems") and lines[1].startswith("  trust: ")
    assert [line.split(":")[0].strip() for line in lines[2:]] == [
        "grant.award_convention", "rationale", "sources"]
    assert "Traceback" not in result.output


def test_the_readme_counts_the_shipped_designs() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    m = re.search(r"`consortium designs` lists the (\d+) shipped ones", readme)
    assert m and int(m[1]) == len(shipped_designs())


def test_every_problem_of_a_design_is_listed(tmp_path: Path) -> None:
    # issue 13 §5: "Errors list all problems, not just the first"
    path = tmp_path / "bad.toml"
    path.write_text('sources = "000"\nseed = 3\n[grant]\ntapr_years = 2\nstate_years = -1\n'
                    'taper_years = "two"\n[trust]\nbaseline = 0.2\n')
    with pytest.raises(DesignError) as info:
        load_design(path)
    err = info.value
    assert [p.key for p in err.problems] == [
        "seed", "trust", "grant.tapr_years", "sources", "grant.award_convention",
        "grant.state_years", "grant.taper_years", "rationale"]
    assert "did you mean grant.taper_years?" in err.problems[2].problem
    assert (err.file, err.key, err.problem) == err.problems[0]
    result = CliRunner().invoke(app, ["designs", "show", str(path)])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert lines[0] == f"error: {path}: 8 problems" and len(lines) == 9
    assert all(line.startswith("  ") for line in lines[1:])


def test_problems_of_a_design_and_its_parent_name_each_file(tmp_path: Path) -> None:
    parent = tmp_path / "parent.toml"
    parent.write_text(WHY + CITED + CONVENTION + "state_years = 50\n")
    child = tmp_path / "child.toml"
    child.write_text('extends = "parent.toml"\nfoo = 1\n[grant]\ntaper_years = -1\n')
    with pytest.raises(DesignError) as info:
        load_design(child)
    assert [(Path(p.file).name, p.key) for p in info.value.problems] == [
        ("child.toml", "foo"), ("parent.toml", "grant.state_years"),
        ("child.toml", "grant.taper_years")]
    (tmp_path / "orphan.toml").write_text('extends = "nowhere.toml"\nfoo = 1\n')
    with pytest.raises(DesignError) as info:
        load_design(tmp_path / "orphan.toml")
    assert [p.key for p in info.value.problems] == ["foo", "extends"]
