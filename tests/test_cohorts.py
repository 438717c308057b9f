"""Statewide cohorts: the seeds' counts, the coupling rules, determinism and bad cohort files."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from agents.statewide import coaching_supply, overlap_awards
from cli.main import app
from experiments.cohort import distribution, seeds_verdict, statewide_counts
from experiments.compare import compare_cohort, summary_table
from sim.cohorts import PARTNER_KEYS, CohortError, apportion, load_cohort
from sim.costs import state_costs
from sim.designs import load_design
from sim.model import ConsortiumModel
from sim.statewide import run_cohort

SMALL = """
name = "small"
horizon_years = 5
[[tiers]]
name = "local"
scenario = "ccpt_local_600k"
count = 3
leads = {{ district = 3 }}
[[tiers]]
name = "regional"
scenario = "ccpt_6m"
count = 2
leads = {{ college = 1, county_office = 1 }}
[partners]
n_districts = 9
n_colleges = 5
n_county_offices = 1
n_employers = 40
[state]
capacity = {capacity}
[overlap]
grants = {grants}
year = 2
musd = 1.0
decided_month = 9
"""


def small(tmp_path: Path, capacity: float = 16.0, grants: int = 2, name: str = "small"):
    folder = tmp_path / "cohorts"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(SMALL.format(capacity=capacity, grants=grants))
    return load_cohort(path)


# ------------------------------------------------------------------ the seeds' cohorts
def test_cohort_1_has_the_seeds_grants_leads_and_partner_counts() -> None:
    c = load_cohort("ccpt_cohort1")
    tiers = {t.name: t for t in c.spec.tiers}
    assert {n: (t.count, c.bases[n].grant.award_musd) for n, t in tiers.items()} == {
        "regional_15m": (12, 15.0), "regional_6m": (16, 6.0), "local_600k": (11, 0.6)}
    # §6.2: COE 5/1, CCD 5/5, K-12 1/9 with the academy and charter leads as districts.
    assert tiers["regional_15m"].leads == {"county_office": 5, "college": 5, "district": 2}
    assert tiers["regional_6m"].leads == {"county_office": 1, "college": 5, "district": 10}
    seeds = {"n_districts": 167, "n_charters": 17, "n_colleges": 85, "n_county_offices": 13,
             "n_employers": 845}
    for seed in range(5):  # every replicate's draw keeps the seeds' totals exactly
        members = c.members(np.random.default_rng(seed))
        assert len(members) == 39
        for key, total in seeds.items():
            assert sum(getattr(m.params.region, key) for m in members) == total
        leads = [(m.tier, m.lead) for m in members]
        assert leads.count(("regional_15m", "county_office")) == 5
        assert leads.count(("regional_6m", "district")) == 10
        for m in members:  # a lead of each type has an organization of its type
            r = m.params.region
            assert {"district": r.n_districts, "college": r.n_colleges,
                    "county_office": r.n_county_offices}[m.lead] >= 1
    # §2.2: Cohort 1's awards at their ceilings add up to the seed's $282M.
    assert sum(t.count * c.bases[t.name].grant.award_musd for t in c.spec.tiers) == \
        pytest.approx(282.6)


def test_cohort_2_has_the_seeds_grants() -> None:
    c = load_cohort("ccpt_cohort2")
    assert [(t.count, c.bases[t.name].grant.award_musd) for t in c.spec.tiers] == [
        (10, 15.0), (4, 6.0), (20, 6.0), (6, 0.6)]
    assert c.size == 40 and c.spec.overlap.grants == 0
    local = c.bases["local_6m"].region
    assert (local.length_km, local.width_km) == (30.0, 15.0)  # the tier's `set`


def test_contexts_are_drawn_around_each_tiers_calibrated_value() -> None:
    c = load_cohort("ccpt_cohort1")
    draws = [c.members(np.random.default_rng(s)) for s in range(40)]
    infra = np.array([m.params.region.prior_infrastructure for ms in draws for m in ms])
    urgency = np.array([m.params.region.urgency for ms in draws for m in ms])
    size = np.array([m.size for ms in draws for m in ms])
    base = c.bases["regional_15m"].region
    assert infra.mean() == pytest.approx(base.prior_infrastructure, abs=0.01)
    assert urgency.mean() == pytest.approx(base.urgency, abs=0.02)
    assert np.median(size) == pytest.approx(1.0, abs=0.05)
    # Beta(m*k, (1-m)*k) has variance m(1-m)/(k+1).
    k = c.spec.contexts.infrastructure_concentration
    m = base.prior_infrastructure
    assert infra.std() == pytest.approx(np.sqrt(m * (1 - m) / (k + 1)), rel=0.1)


def test_apportion_keeps_the_total_the_minimums_and_the_largest_remainders() -> None:
    assert apportion(10, np.array([1.0, 1.0, 2.0]), np.zeros(3, int)).tolist() == [3, 2, 5]
    assert apportion(10, np.array([0.0, 0.0]), np.array([1, 0])).tolist() == [6, 4]
    out = apportion(845, np.arange(1.0, 40.0), np.ones(39, int))
    assert out.sum() == 845 and (out >= 1).all() and (np.diff(out) >= 0).all()
    with pytest.raises(ValueError, match="cannot cover"):
        apportion(2, np.ones(3), np.ones(3, int))


# ------------------------------------------------------------------ the coupling rules
def test_coaching_supply_is_all_until_the_pool_is_asked_for_more() -> None:
    assert coaching_supply(16.0, 15.8) == 1.0
    assert coaching_supply(16.0, 16.0) == 1.0
    assert coaching_supply(16.0, 32.0) == 0.5
    assert coaching_supply(0.0, 4.0) == 0.0
    assert coaching_supply(0.0, 0.0) == 1.0


def test_later_grants_land_only_where_the_win_chance_is_not_zero() -> None:
    def fake(habits: float) -> SimpleNamespace:
        params = load_cohort("ccpt_cohort1").bases["regional_15m"]
        return SimpleNamespace(consortium=SimpleNamespace(habits=habits, data=habits),
                               rules=ConsortiumModel(params, 0).rules)

    models = [fake(h) for h in (0.0, 0.9, 0.0, 0.8, 0.0)]  # M23: no habits, no chance
    for seed in range(10):
        assert overlap_awards(models, 2, np.random.default_rng(seed)).tolist() == [1, 3]
    assert len(overlap_awards(models, 4, np.random.default_rng(0))) == 4  # uniform then
    assert overlap_awards(models, 0, np.random.default_rng(0)).size == 0
    # In proportion to the win chance: 0.2 against 0.6 wins a quarter of single awards.
    pair, rng = [fake(0.2), fake(0.6)], np.random.default_rng(1)
    first = np.mean([overlap_awards(pair, 1, rng)[0] == 0 for _ in range(4000)])
    assert first == pytest.approx(0.25, abs=0.025)


def watch(name: str, part: str, seen: list) -> object:
    """An ``on_month`` that keeps ``model.<part>.<name>`` of every consortium each month."""
    def on_month(month: int, models: list) -> None:
        seen.append([getattr(getattr(m, part), name) for m in models])
    return on_month


def test_a_scarce_pool_cuts_every_consortiums_coaching_while_tas_run(tmp_path: Path) -> None:
    coached: dict[str, list] = {"plenty": [], "scarce": []}
    plenty = run_cohort(small(tmp_path, capacity=100.0, grants=0, name="plenty"), 3,
                        on_month=watch("coaching", "consortium", coached["plenty"]))
    scarce = run_cohort(small(tmp_path, capacity=0.25, grants=0, name="scarce"), 3,
                        on_month=watch("coaching", "consortium", coached["scarce"]))
    asked = 5 * 0.2  # five consortia at CCPT's system share while their TA runs (4 years)
    assert (plenty.supply == 1.0).all()
    assert scarce.supply[:48] == pytest.approx(np.full(48, 0.25 / asked))
    assert (scarce.supply[48:] == 1.0).all()  # nobody asks after the grant
    # The same consortia and draws: each month's coaching is cut by the supply, until the
    # runs part ways; over the grant every consortium gets less.
    first = np.array(coached["scarce"][0]), np.array(coached["plenty"][0])
    assert first[0] == pytest.approx(first[1] * 0.25 / asked)
    totals = [np.array(coached[k][:48]).sum(axis=0) for k in ("scarce", "plenty")]
    assert (totals[0] < totals[1]).all()


def test_later_grants_land_in_as_many_regions_and_pay_from_their_year(tmp_path: Path) -> None:
    cohort = small(tmp_path, grants=2)
    paid: list = []
    res = run_cohort(cohort, 11, on_month=watch("follow_on", "funding", paid))
    assert res.overlap.sum() == 2
    again = run_cohort(cohort, 11)
    assert np.array_equal(res.overlap, again.overlap)
    paid_arr = np.array(paid)  # months x consortia
    assert (paid_arr[:12] == 0).all()
    assert np.array_equal((paid_arr[12:48] > 0).any(axis=0), res.overlap)
    assert (paid_arr[48:] == 0).all()  # grant.follow_on_years = 3


def test_without_coupling_a_cohort_member_runs_as_it_would_alone(tmp_path: Path) -> None:
    """Differential test: a plenty pool and no later grants leave each run untouched."""
    cohort = small(tmp_path, capacity=100.0, grants=0)
    seed = np.random.SeedSequence(42)
    res = run_cohort(cohort, seed)
    own = np.random.SeedSequence(42).spawn(2 + cohort.size)[2:]
    for member, rec, ss in zip(res.members, res.records, own, strict=True):
        alone = ConsortiumModel(member.params, ss).run()
        for name, values in rec.series.items():
            assert np.array_equal(values, alone.record.series[name], equal_nan=True), name


def test_a_statewide_replicate_is_the_same_on_every_run_and_executor(tmp_path: Path) -> None:
    cohort = small(tmp_path)
    design = load_design("ccpt_as_run")
    one = compare_cohort([design], cohort, replicates=3, seed=9, workers=1)
    two = compare_cohort([design], cohort, replicates=3, seed=9, workers=2)
    assert np.array_equal(one.runs[0].status, two.runs[0].status, equal_nan=True)
    assert np.array_equal(one.runs[0].programs, two.runs[0].programs, equal_nan=True)


def test_a_design_compared_with_itself_differs_by_exactly_zero(tmp_path: Path) -> None:
    cohort = small(tmp_path)
    d = load_design("ccpt_as_run")
    same = compare_cohort([d, d], cohort, replicates=4, seed=2, workers=1)
    assert np.array_equal(same.runs[0].status, same.runs[1].status, equal_nan=True)
    row = summary_table(same).iloc[1]
    assert row["diff_sustained"] == row["diff_low"] == row["diff_high"] == 0.0
    assert row["consortia"] == 5 and row["n"] == 20 and row["replicates"] == 4


def test_cohort_costs_average_the_tiers_costs(tmp_path: Path) -> None:
    cohort = small(tmp_path)
    d = load_design("retained_backbone")
    res = compare_cohort([d], cohort, replicates=2, seed=1, years_after=2, workers=1)
    by_tier = {name: state_costs(d.apply(base), 2)["total"]
               for name, base in cohort.bases.items()}
    expected = (3 * by_tier["local"] + 2 * by_tier["regional"]) / 5
    assert res.runs[0].cost["total"] == pytest.approx(expected)
    row = summary_table(res).iloc[0]
    assert row["cost_per_sustained_musd"] == pytest.approx(
        expected / row["sustained"] if row["sustained"] else np.inf)


def test_the_statewide_counts_add_up_and_the_seeds_reading_is_checked() -> None:
    import pandas as pd
    runs = pd.DataFrame({"replicate": [0] * 10 + [1] * 10, "label": ["a"] * 20,
                         "status_2y": [2.0] * 2 + [1.0] * 7 + [0.0] + [2.0] + [1.0] * 9})
    counts = statewide_counts(runs, 2)
    dist = distribution(counts).set_index("tier")
    assert dist.loc["all consortia", "sustained"] == 1.5
    assert dist.loc["all consortia", "sustained_share"] == 0.15
    assert dist.loc["a", "dissolved"] == 0.5
    ok, text = seeds_verdict(dist.reset_index())
    assert ok and "consistent" in text
    runs["status_2y"] = 2.0
    ok, text = seeds_verdict(distribution(statewide_counts(runs, 2)))
    assert not ok and "not consistent" in text


# ------------------------------------------------------------------ the command line
def test_consortium_run_of_a_cohort_reports_the_statewide_distribution(tmp_path: Path) -> None:
    cohort = small(tmp_path)
    res = CliRunner().invoke(app, ["run", str(cohort.path), "-n", "2", "-w", "1",
                                   "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "all consortia" in res.output and "select few" in res.output
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"small_consortia.parquet", "small_statewide.csv", "small_distribution.csv",
            "small_summary.md", "small_statewide.png"} <= files
    import pandas as pd
    table = pd.read_parquet(tmp_path / "out" / "small_consortia.parquet")
    assert len(table) == 10 and table["later_grant"].sum() == 4
    assert set(PARTNER_KEYS) <= set(table.columns)


def test_consortium_cohorts_lists_and_shows_the_shipped_cohorts() -> None:
    res = CliRunner().invoke(app, ["cohorts"])
    assert res.exit_code == 0 and "ccpt_cohort1" in res.output and "ccpt_cohort2" in res.output
    res = CliRunner().invoke(app, ["cohorts", "show", "ccpt_cohort1"])
    assert res.exit_code == 0 and "regional_15m" in res.output.replace("$15M regional",
                                                                        "regional_15m")
    assert "845" in res.output


BAD = [
    ("tiers = 3", "tiers"),
    ('[[tiers]]\nname = "a"\nscenario = "ccpt_6m"\ncount = 2\nleads = { college = 1 }',
     "add up to 1"),
    ('[[tiers]]\nname = "a"\nscenario = "nowhere"\ncount = 1\nleads = { college = 1 }',
     "nowhere"),
    ('[[tiers]]\nname = "a"\nscenario = "ccpt_6m"\ncount = 1\nleads = { mayor = 1 }', "mayor"),
    ('[[tiers]]\nname = "a"\nscenario = "ccpt_6m"\ncount = 1\nleads = { college = 1 }\n'
     'set = { "region.n_colleges" = -1 }', "n_colleges"),
    ('[[tiers]]\nname = "a"\nscenario = "ccpt_6m"\ncount = 2\nleads = { county_office = 2 }\n'
     '[partners]\nn_county_offices = 1', "partners.n_county_offices"),
    ('bogus = 1\n[[tiers]]\nname = "a"\nscenario = "ccpt_6m"\ncount = 1\n'
     'leads = { college = 1 }', "bogus"),
    ('[[tiers]]\nname = "a"\nscenario = "ccpt_6m"\ncount = 1\nleads = { college = 1 }\n'
     '[overlap]\ngrants = 5', "overlap.grants"),
]


@pytest.mark.parametrize(("text", "key"), BAD)
def test_a_bad_cohort_file_exits_2_naming_the_file_and_key(tmp_path: Path, text: str,
                                                           key: str) -> None:
    folder = tmp_path / "cohorts"
    folder.mkdir()
    path = folder / "bad.toml"
    path.write_text(text + "\n")
    with pytest.raises(CohortError) as err:
        load_cohort(path)
    assert str(path) in str(err.value) and key in str(err.value)
    res = CliRunner().invoke(app, ["run", str(path), "-n", "1"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert key in res.output.replace("\n", "")


def write_cohort(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "cohorts"
    folder.mkdir(exist_ok=True)
    path = folder / "bad.toml"
    path.write_text(text)
    return path


def test_every_problem_of_a_cohort_file_is_listed(tmp_path: Path) -> None:
    # issue 13 §5: "Errors list all problems, not just the first"
    path = write_cohort(tmp_path, SMALL.format(capacity=-1, grants=2)
                        .replace("count = 3", "count = 0")
                        .replace("decided_month", "decided_mnth"))
    with pytest.raises(CohortError) as info:
        load_cohort(path)
    err = info.value
    assert [p.key for p in err.problems] == ["tiers[0] (local).count", "state.capacity",
                                             "overlap.decided_mnth"]
    assert "did you mean 'decided_month'?" in err.problems[2].problem
    res = CliRunner().invoke(app, ["cohorts", "show", str(path)])
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert lines[0] == f"error: {path}: 3 problems" and len(lines) == 4


def test_every_tier_and_partner_problem_is_listed(tmp_path: Path) -> None:
    path = write_cohort(tmp_path, SMALL.format(capacity=16.0, grants=2)
                        .replace('"ccpt_6m"', '"nowhere"')
                        .replace("n_districts = 9", "n_districts = 2")
                        .replace("count = 3\n", 'count = 3\nset = { "region.n_colleges" = -1, '
                                 '"trust.gian_rate" = 0.1 }\n'))
    with pytest.raises(CohortError) as info:
        load_cohort(path)
    problems = info.value.problems
    assert [p.key for p in problems] == [
        "tiers[0] (local).set.region.n_colleges", "tiers[0] (local).set.trust.gian_rate",
        "tiers[1] (regional).scenario", "partners.n_districts"]
    assert "did you mean trust.gain_rate?" in problems[1].problem
    assert all(p.file == str(path) for p in problems)


COHORT1 = Path(__file__).resolve().parent.parent / "scenarios" / "cohorts" / "ccpt_cohort1.toml"


@pytest.mark.parametrize("total", [100_000, 10**30])
def test_a_partner_total_the_consortia_cannot_hold_is_refused_at_load(tmp_path: Path,
                                                                     total: int) -> None:
    # fuzz reproducer: 10**30 loaded, then overflowed to a negative count in the first draw
    path = write_cohort(tmp_path, COHORT1.read_text().replace("n_employers = 845",
                                                              f"n_employers = {total}"))
    with pytest.raises(CohortError) as info:
        load_cohort(path)
    assert info.value.key == "partners.n_employers"
    assert "more than the cohort's 39 consortia can hold (1000 each" in info.value.problem


def test_a_drawn_consortium_out_of_range_names_its_tier(tmp_path: Path) -> None:
    # fuzz reproducer: a total that loads but gives one drawn consortium too many
    path = write_cohort(tmp_path, COHORT1.read_text().replace("n_employers = 845",
                                                              "n_employers = 20000"))
    c = load_cohort(path)
    with pytest.raises(CohortError) as info:
        c.members(np.random.default_rng(0))
    assert info.value.key == "region.n_employers"
    assert "(drawn for consortium 15, tier regional_6m)" in info.value.problem


def test_bad_compare_cohort_input_exits_2(tmp_path: Path) -> None:
    runner = CliRunner()
    for args, text in (
            (["compare", "ccpt_as_run", "--cohort", "nowhere"], "no such file or shipped cohort"),
            (["compare", "ccpt_as_run", "--cohort", "ccpt_cohort1", "--scenario",
              "ccpt_6m"], "one or the other"),
            (["compare", "no_design", "--cohort", "ccpt_cohort1"], "no_design"),
            (["run", "ccpt_cohort1", "-n", "1", "--set", "region.n_districts=0"],
             "n_districts")):
        res = runner.invoke(app, [*args, "--out", str(tmp_path)])
        assert res.exit_code == 2, (args, res.output)
        assert text in res.output.replace("\n", "") and "Traceback" not in res.output


def test_the_brief_of_a_cohort_comparison_speaks_of_the_state(tmp_path: Path) -> None:
    from viz.brief import decision_brief

    cohort = small(tmp_path)
    designs = [load_design("ccpt_as_run"), load_design("taper_2y")]
    res = compare_cohort(designs, cohort, replicates=3, seed=4, workers=1)
    summary = summary_table(res)
    html = decision_brief(res, summary, "consortium compare ccpt_as_run taper_2y --cohort x")
    first = summary.iloc[0]
    assert f"{first['sustained_count']:.1f} of 5 consortia" in html
    assert "simulated statewide cohorts" in html and "system-level coaches are shared" in html
    counts = [first[f"{s}_count"] for s in ("sustained", "scaled_back", "dissolved")]
    assert sum(counts) == pytest.approx(5.0)  # every consortium has one status at year 2


def test_docs_cohorts_names_every_cohort_parameter_with_its_source() -> None:
    from sim.cohorts import Contexts, Overlap, Partners, StateCoaching

    text = (Path(__file__).resolve().parent.parent / "docs" / "cohorts.md").read_text()
    for section, model in (("contexts", Contexts), ("state", StateCoaching),
                           ("overlap", Overlap), ("partners", Partners)):
        for name, field in model.model_fields.items():
            extra = field.json_schema_extra or {}
            assert extra.get("source") and extra.get("unit"), (section, name)
            if section == "partners":
                continue  # named together as partners.*, with each seed count quoted
            assert f"{section}.{name}" in text, f"docs/cohorts.md lacks {section}.{name}"
    for count in ("167 school districts", "85 community colleges", "845 business organizations",
                  "13 county offices of education", "17 charter schools"):
        assert count in text
    c1 = load_cohort("ccpt_cohort1").spec
    assert f"| `state.capacity` | {c1.state.capacity:g} |" in text
    assert f"| `overlap.grants` | {c1.overlap.grants} |" in text
