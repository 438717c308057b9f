"""Shipped scenarios, scenario-file loading, inheritance, overrides, errors and the
parameter table."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.params import SOURCES, Grant, Region, ScenarioParams, parameter_table
from sim.run import run
from sim.scenario import (
    SCENARIO_DIR,
    ScenarioError,
    load_scenario,
    overrides_from_file,
    shipped_scenarios,
    with_values,
)

SHIPPED = ("ccpt_baseline", "ccpt_6m", "ccpt_local_600k", "tulare_kings",
           "east_bay_subregional", "linked_learning_hub", "workshop_small")
HEADLINE = ("function_level_2y", "sustained_2y", "program_persistence_2y",
            "regional_collaboration_2y")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: str | Path, overrides: list[str] | None = None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return info.value


def same_file(reported: str, expected: Path) -> bool:
    return Path(reported).resolve() == expected.resolve()


# --- shipped scenarios ------------------------------------------------------------------
def test_all_scenarios_are_shipped():
    assert set(SHIPPED) <= set(shipped_scenarios())


@pytest.fixture(scope="module")
def baseline() -> ScenarioParams:
    return load_scenario("ccpt_baseline")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_file_is_documented(name):
    path = SCENARIO_DIR / f"{name}.toml"
    text = path.read_text(encoding="utf-8")
    header = text.splitlines()[:3]
    assert all(line.startswith("#") for line in header), "file must open with comment lines"
    assert "§" in text and ".txt" in text, "header must cite the domain brief and a seed file"
    if name != "ccpt_baseline":
        assert 'extends = "ccpt_baseline.toml"' in text
    params = load_scenario(path)
    assert params.name == name
    assert params.description and params.description.endswith(".")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_runs_and_is_reproducible(name):
    params = load_scenario(name)
    first, again, other = run(params, 11), run(params, 11), run(params, 12)
    assert first.outcomes.keys() == again.outcomes.keys()
    for key, value in first.outcomes.items():
        assert value == again.outcomes[key] or (math.isnan(value)
                                                and math.isnan(again.outcomes[key])), key
    for key in HEADLINE:
        assert math.isfinite(first.outcomes[key]), key
    m1, m2, m3 = first.monthly(), again.monthly(), other.monthly()
    assert m1.keys() == m2.keys()
    for key in m1:
        np.testing.assert_array_equal(np.asarray(m1[key]), np.asarray(m2[key]), err_msg=key)
    numeric = [k for k in m1 if np.asarray(m1[k]).dtype.kind == "f"]
    assert any(not np.array_equal(m1[k], m3[k], equal_nan=True) for k in numeric), \
        "a different seed must give a different run"
    assert len(np.asarray(m1["operating_raw"])) == params.months


def test_baseline_is_the_schema_default_and_east_bay(baseline):
    assert baseline.region == Region()
    assert baseline.grant == Grant()
    r, g = baseline.region, baseline.grant
    assert (r.n_districts, r.n_charters, r.n_colleges, r.n_workforce_boards,
            r.n_county_offices) == (11, 1, 6, 4, 2)
    assert r.lead == "college"
    assert (g.award_musd, g.state_years, g.partner_years, g.taper_years) == (15.0, 3, 1, 0)
    assert baseline.outcomes.horizon_years == 10 and baseline.months == 120


def test_scenarios_encode_their_evidence(baseline):
    six = load_scenario("ccpt_6m")
    assert six.grant.award_musd == 6.0 and six.region.lead == "district"
    assert six.n_orgs < baseline.n_orgs
    local = load_scenario("ccpt_local_600k")
    assert local.grant.award_musd == 0.6 and local.region.lead == "district"
    assert local.region.n_districts in (1, 2) and local.region.n_colleges == 1
    assert local.region.n_employers < 10
    tk = load_scenario("tulare_kings")
    assert tk.region.lead == "county_office"
    assert tk.region.prior_infrastructure > baseline.region.prior_infrastructure
    assert tk.region.prior_tie_density > baseline.region.prior_tie_density
    assert tk.region.prior_trust > baseline.region.prior_trust
    assert tk.region.urgency > baseline.region.urgency
    assert tk.region.orientation_mean > baseline.region.orientation_mean
    assert baseline.governance.mode == "hierarchical_mou" and tk.governance.mode == "shared_open"
    assert tk.leadership.coaching_mean > baseline.leadership.coaching_mean
    eb = load_scenario("east_bay_subregional")
    assert eb.grant.subregional_nodes == 3 and eb.grant.subregional_switch_month == 12
    assert eb.region == baseline.region
    hub = load_scenario("linked_learning_hub")
    assert hub.region.lead == "chamber" and hub.grant.linked_wins
    assert hub.grant.ta_system_share > baseline.grant.ta_system_share
    assert hub.grant.now_share < baseline.grant.now_share
    assert hub.region.prior_tie_density > baseline.region.prior_tie_density
    assert hub.grant.award_musd == baseline.grant.award_musd
    assert 18 <= load_scenario("workshop_small").n_orgs <= 22


# --- extends and --set ------------------------------------------------------------------
def test_extends_overrides_and_inherits(tmp_path):
    write(tmp_path, "parent.toml", 'name = "parent"\ndescription = "The parent."\n'
          "[grant]\nstate_years = 4\npartner_years = 2\n[region]\nn_districts = 7\n")
    write(tmp_path, "child.toml", 'extends = "parent.toml"\n[grant]\nstate_years = 5\n')
    grandchild = write(tmp_path, "grandchild.toml",
                       'extends = "child.toml"\nname = "gc"\n[region]\nurgency = 0.9\n')
    child = load_scenario(tmp_path / "child.toml")
    assert child.grant.state_years == 5
    assert child.grant.partner_years == 2
    assert child.region.n_districts == 7
    assert child.grant.award_musd == Grant().award_musd
    assert child.name == "child" and child.description == ""
    gc = load_scenario(grandchild)
    assert (gc.name, gc.grant.state_years, gc.grant.partner_years) == ("gc", 5, 2)
    assert (gc.region.n_districts, gc.region.urgency) == (7, 0.9)


def test_extends_falls_back_to_shipped_scenarios(tmp_path, baseline):
    path = write(tmp_path, "mine.toml", 'extends = "ccpt_baseline.toml"\n'
                 "[grant]\naward_musd = 6.0\n")
    params = load_scenario(path)
    assert params.grant.award_musd == 6.0
    assert params.region == baseline.region
    assert params.name == "mine"


def test_set_overrides_are_typed_and_validated(baseline):
    params = load_scenario("ccpt_baseline", [
        "grant.state_years=5", "grant.award_musd = 6", "grant.linked_wins=true",
        'region.lead="district"', "region.lead=county_office", "trust.loss_ratio=2.5",
    ])
    assert params.grant.state_years == 5 and isinstance(params.grant.state_years, int)
    assert params.grant.award_musd == 6.0 and isinstance(params.grant.award_musd, float)
    assert params.grant.linked_wins is True
    assert params.region.lead == "county_office"  # the later override wins
    assert params.trust.loss_ratio == 2.5
    assert params.grant.partner_years == baseline.grant.partner_years
    assert load_scenario("tulare_kings", ["region.lead=college"]).region.lead == "college"
    err = error_of("ccpt_baseline", ["grant.state_years=11"])
    assert (err.file, err.key) == ("--set", "grant.state_years")
    assert "less than or equal to 10" in err.problem


# --- errors -----------------------------------------------------------------------------
def test_toml_syntax_error(tmp_path):
    path = write(tmp_path, "broken.toml", "[grant]\nstate_years = = 3\n")
    err = error_of(path)
    assert same_file(err.file, path) and err.key == ""
    assert "TOML syntax error" in err.problem and "line 2" in err.problem
    assert str(err).startswith(str(err.file))


@pytest.mark.parametrize(("text", "key", "hint"), [
    ("colour = 1\n", "colour", ""),
    ("[grant]\nstat_years = 3\n", "grant.stat_years", " (did you mean grant.state_years"),
    ("[grnat]\nstate_years = 3\n", "grnat", ""),
    ("[region]\nn_district = 3\n", "region.n_district", " (did you mean region.n_districts"),
])
def test_unknown_key(tmp_path, text, key, hint):
    path = write(tmp_path, "typo.toml", text)
    err = error_of(path)
    assert same_file(err.file, path)
    assert err.key == key and err.problem.startswith("unknown key" + hint)
    assert err.problem == "unknown key" or err.problem.endswith("?)")  # hinted, or bare
    assert str(err).startswith(f"{err.file}: {key}: unknown key{hint}")


@pytest.mark.parametrize(("text", "key", "words"), [
    ('[grant]\nstate_years = "three"\n', "grant.state_years", "valid integer"),
    ('[region]\nn_districts = "11"\n', "region.n_districts", "valid integer"),
    ("[grant]\nstate_years = 3.5\n", "grant.state_years", "valid integer"),
    ('[grant]\nmoney = "no"\n', "grant.money", "valid boolean"),
    ("[grant]\naward_musd = true\n", "grant.award_musd", "valid number"),
    ('[region]\nlead = "university"\n', "region.lead", "'district'"),
    ("grant = 5\n", "grant", "dictionary"),
])
def test_wrong_type(tmp_path, text, key, words):
    path = write(tmp_path, "types.toml", text)
    err = error_of(path)
    assert same_file(err.file, path) and err.key == key
    assert words in err.problem


@pytest.mark.parametrize(("text", "key", "words"), [
    ("[grant]\nstate_years = 11\n", "grant.state_years", "less than or equal to 10"),
    ("[region]\nn_districts = 0\n", "region.n_districts", "greater than or equal to 1"),
    ("[trust]\ngain_rate = 1.5\n", "trust.gain_rate", "less than or equal to 1"),
])
def test_out_of_range(tmp_path, text, key, words):
    path = write(tmp_path, "range.toml", text)
    err = error_of(path)
    assert same_file(err.file, path) and err.key == key
    assert words in err.problem and "(got " in err.problem


def test_every_problem_is_listed_on_its_own_line(tmp_path):
    # issue 13 §5: "Errors list all problems, not just the first"
    path = write(tmp_path, "bad.toml", "[grant]\nstate_years = -1\n"
                 "[trust]\ninitial = 9\nfoo = 1\n")
    err = error_of(path)
    assert [p.key for p in err.problems] == ["grant.state_years", "trust.initial", "trust.foo"]
    assert all(same_file(p.file, path) for p in err.problems)
    assert (err.file, err.key, err.problem) == err.problems[0]
    lines = str(err).splitlines()
    assert lines[0] == f"{err.file}: 3 problems"
    assert lines[1] == "  grant.state_years: Input should be greater than or equal to 0 (got -1)"
    assert lines[2].startswith("  trust.initial: unknown key")
    assert lines[3].startswith("  trust.foo: unknown key")


def test_one_problem_stays_one_line(tmp_path):
    err = error_of(write(tmp_path, "one.toml", "[grant]\nstate_years = 11\n"))
    assert len(err.problems) == 1 and str(err) == f"{err.file}: grant.state_years: {err.problem}"


def test_problems_in_several_files_name_each_file(tmp_path):
    parent = write(tmp_path, "parent.toml", "[grant]\nstate_years = 11\n")
    child = write(tmp_path, "child.toml", 'extends = "parent.toml"\n[trust]\ngain_rate = 1.5\n')
    err = error_of(child)
    assert [(Path(p.file).name, p.key) for p in err.problems] == [
        ("parent.toml", "grant.state_years"), ("child.toml", "trust.gain_rate")]
    lines = str(err).splitlines()
    assert lines[0] == "2 problems"
    assert lines[1].startswith(f"  {parent.resolve()}: grant.state_years: ")
    assert lines[2].startswith(f"  {child.resolve()}: trust.gain_rate: ")


def test_every_bad_set_value_is_listed_with_its_hint():
    err = error_of("workshop_small", ["taper_years=2", "grant.state_years=x", "=",
                                      "grant.partner_years=3"])
    got = {p.key: p.problem for p in err.problems}
    assert set(got) == {"taper_years", "grant.state_years", "="}
    assert all(p.file == "--set" for p in err.problems)
    assert "did you mean grant.taper_years?" in got["taper_years"]
    assert "valid integer (got 'x')" in got["grant.state_years"]


def test_with_values_lists_every_rejected_value(baseline):
    with pytest.raises(ScenarioError) as info:
        with_values(baseline, {"grant.state_years": -1, "trust.gain_rate": 2.0}, "study.toml")
    assert [(p.file, p.key) for p in info.value.problems] == [
        ("study.toml", "grant.state_years"), ("study.toml", "trust.gain_rate")]


def test_a_set_file_lists_every_value_it_cannot_use(tmp_path):
    path = write(tmp_path, "set.toml", "[grant]\nstate_years = [1]\n[trust]\nx = 1979-05-27\n")
    with pytest.raises(ScenarioError) as info:
        overrides_from_file(path)
    assert [p.key for p in info.value.problems] == ["grant.state_years", "trust.x"]


def test_the_command_line_prints_every_problem_and_exits_2(tmp_path):
    path = write(tmp_path, "bad.toml", 'extends = "ccpt_baseline.toml"\n[grant]\n'
                 "state_years = -1\n[trust]\ninitial = 9\nfoo = 1\n")
    res = CliRunner().invoke(app, ["run", str(path), "-n", "1", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    lines = res.output.splitlines()
    assert lines[0] == f"error: {path.resolve()}: 3 problems"
    assert [line.split(":")[0] for line in lines[1:4]] == [
        "  grant.state_years", "  trust.initial", "  trust.foo"]


def test_missing_file(tmp_path):
    err = error_of(tmp_path / "nowhere.toml")
    assert same_file(err.file, tmp_path / "nowhere.toml")
    assert "no such file" in err.problem and "ccpt_baseline" in err.problem


def test_missing_extends_target(tmp_path):
    path = write(tmp_path, "orphan.toml", 'extends = "ghost.toml"\n')
    err = error_of(path)
    assert same_file(err.file, path) and err.key == "extends"
    assert "'ghost.toml' not found" in err.problem


def test_extends_must_be_a_string(tmp_path):
    path = write(tmp_path, "num.toml", "extends = 3\n")
    err = error_of(path)
    assert same_file(err.file, path) and err.key == "extends"


def test_circular_extends(tmp_path):
    a = write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    b = write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    err = error_of(a)
    assert same_file(err.file, b) and err.key == "extends"  # b closes the loop
    assert "circular extends (a.toml -> b.toml -> a.toml)" in err.problem
    own = write(tmp_path, "self.toml", 'extends = "self.toml"\n')
    err = error_of(own)
    assert same_file(err.file, own) and err.key == "extends"
    assert "circular extends (self.toml -> self.toml)" in err.problem


def test_shares_must_sum_to_one(tmp_path):
    path = write(tmp_path, "shares.toml", "[grant]\nequipment_share = 0.5\n")
    err = error_of(path)
    assert same_file(err.file, path) and err.key == "grant"
    assert "must sum to 1 (they sum to 1.150)" in err.problem
    assert "{" not in err.problem and "Value error" not in err.problem
    err = error_of("ccpt_baseline", ["grant.staff_share=0.1"])
    assert (err.file, err.key) == ("--set", "grant")


def test_thresholds_must_be_ordered(tmp_path):
    path = write(tmp_path, "th.toml",
                 "[outcomes]\nsustained_threshold = 0.6\ndissolved_threshold = 0.7\n")
    err = error_of(path)
    assert same_file(err.file, path) and err.key == "outcomes"
    assert "dissolved_threshold must be below sustained_threshold" in err.problem


def test_lead_type_must_exist(tmp_path):
    path = write(tmp_path, "lead.toml", '[region]\nlead = "chamber"\nn_chambers = 0\n')
    err = error_of(path)
    assert same_file(err.file, path) and err.key == "region.lead"
    assert "lead is 'chamber' but the region has no such organization" == err.problem
    path = write(tmp_path, "nocollege.toml", 'extends = "ccpt_baseline.toml"\n'
                 "[region]\nn_colleges = 0\n")
    err = error_of(path)
    assert same_file(err.file, path) and err.key == "region.lead"
    assert "'college'" in err.problem
    err = error_of("ccpt_local_600k", ["region.lead=chamber"])
    assert (err.file, err.key) == ("--set", "region.lead")


@pytest.mark.parametrize(("override", "key", "words"), [
    ("grant.stat_years=3", "grant.stat_years", "unknown key"),
    ("grnat.state_years=3", "grnat", "unknown key"),
    ("grant.state_years=abc", "grant.state_years", "valid integer (got 'abc')"),
    ("grant.state_years=3.5", "grant.state_years", "valid integer"),
    ("grant.money=yes", "grant.money", "valid boolean"),
    ("grant.state_years", "grant.state_years", "expected KEY=VALUE"),
    ("=5", "=5", "expected KEY=VALUE"),
    ("grant..state_years=5", "grant..state_years=5", "expected KEY=VALUE"),
    ("name.x=1", "name.x", "'name' is not a section"),
])
def test_bad_set_override(override, key, words):
    err = error_of("ccpt_baseline", [override])
    assert (err.file, err.key) == ("--set", key)
    assert words in err.problem


def test_errors_in_a_parent_name_the_parent(tmp_path):
    parent = write(tmp_path, "parent.toml", "[grant]\nstat_years = 3\n")
    child = write(tmp_path, "child.toml", 'extends = "parent.toml"\n[grant]\naward_musd = 6.0\n')
    err = error_of(child)
    assert same_file(err.file, parent) and err.key == "grant.stat_years"

    write(tmp_path, "parent.toml", "[grant]\nstate_years = 11\n")
    err = error_of(child)
    assert same_file(err.file, parent) and err.key == "grant.state_years"

    write(tmp_path, "parent.toml", '[region]\nn_districts = "many"\n')
    err = error_of(child)
    assert same_file(err.file, parent) and err.key == "region.n_districts"

    write(tmp_path, "parent.toml", "[grant]\nequipment_share = 0.5\n")
    err = error_of(child)
    assert same_file(err.file, parent) and err.key == "grant"

    write(tmp_path, "parent.toml", "[grant]\nstate_years = = 3\n")
    err = error_of(child)
    assert same_file(err.file, parent) and "TOML syntax error" in err.problem

    write(tmp_path, "parent.toml", 'extends = "ghost.toml"\n')
    err = error_of(child)
    assert same_file(err.file, parent) and err.key == "extends"


def test_errors_in_a_child_name_the_child(tmp_path):
    write(tmp_path, "parent.toml", "[grant]\nstate_years = 4\n")
    child = write(tmp_path, "child.toml", 'extends = "parent.toml"\n'
                  "[grant]\nequipment_share = 0.5\n")
    err = error_of(child)
    assert same_file(err.file, child) and err.key == "grant"
    write(tmp_path, "child.toml", 'extends = "parent.toml"\n[grant]\nstate_years = 11\n')
    assert same_file(error_of(child).file, child)


def test_a_child_can_repair_its_parent_value(tmp_path):
    write(tmp_path, "parent.toml", "[grant]\nstate_years = 11\n")
    child = write(tmp_path, "child.toml", 'extends = "parent.toml"\n[grant]\nstate_years = 4\n')
    assert load_scenario(child).grant.state_years == 4


# --- the parameter table ----------------------------------------------------------------
def test_every_parameter_is_documented():
    rows = parameter_table()
    assert len(rows) > 100
    assert len({r["key"] for r in rows}) == len(rows)
    for row in rows:
        key = row["key"]
        assert row["unit"], key
        assert row["source"] in SOURCES, key
        assert row["tier"] in ("parameter", "constant"), key
        assert row["ref"] and row["ref"].strip(), key
        assert row["description"] and row["description"].strip(), key
        default = row["default"]
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            assert row["low"] is not None and row["high"] is not None, key
            assert row["low"] <= default <= row["high"], key
            assert row["low"] < row["high"], key
