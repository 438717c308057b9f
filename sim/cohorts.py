"""Statewide cohorts: populations of consortia, as TOML files in ``scenarios/cohorts/``.

A cohort file lists **tiers** of consortia (a shipped scenario or scenario file, how many,
their lead agencies, and optional ``set`` overrides), the **partner totals** of the cohort's
proposals, how the consortia's **regional contexts** differ, the **state's pool of
system-level coaches** they share, and the **Cohort 2 grants that land in Cohort 1 regions**
(SF25). ``extends = "other.toml"`` starts from another cohort file. docs/cohorts.md gives
every value and its source.

Each replicate draws its consortia (:meth:`Cohort.members`) from one Generator:

- **lead agency**: the tier's seed counts, assigned to its consortia in a random order;
- **regional footprint**: the tier scenario's length and width times a lognormal
  ``size`` factor (median 1);
- **prior infrastructure** and **economic urgency**: Beta draws whose mean is the tier
  scenario's value, so the average consortium is the calibrated one, with the spreads the
  file gives;
- **partners**: the cohort's totals (167 districts, 85 colleges, 845 business organizations
  and so on) apportioned over its consortia in proportion to the tier scenario's count
  times the size factor (largest remainders), after each consortium has what its lead
  needs; a type without a total keeps the tier's count times the size factor.

A bad file raises :class:`CohortError` listing every problem found, each with the file, the
key and what is wrong.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.params import Region, SafeName, ScenarioParams, param
from sim.scenario import (
    SCENARIO_DIR,
    Problem,
    ScenarioError,
    error_message,
    is_file,
    load_scenario,
    read_chain,
    resolve_shipped,
    shipped_in,
    with_values,
)

COHORT_DIR = SCENARIO_DIR / "cohorts"
Lead = Literal["district", "college", "county_office", "workforce_board", "chamber"]
# The organization count a lead of each type needs at least one of.
LEAD_NEEDS = {"district": "n_districts", "college": "n_colleges",
              "county_office": "n_county_offices", "workforce_board": "n_workforce_boards",
              "chamber": "n_chambers"}
PARTNER_KEYS = ("n_districts", "n_charters", "n_colleges", "n_county_offices",
                "n_workforce_boards", "n_ta_providers", "n_chambers", "n_employers")
MIN_COUNT = {"n_districts": 1}  # the scenario schema needs at least one district


class CohortError(ScenarioError):
    """A bad cohort file: which file, which key, what is wrong."""


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tier(_Table):
    """Consortia of one kind: a scenario, how many, and who leads them."""

    name: str = Field(description="Short name, used in tables (e.g. regional_15m).")
    label: str = Field("", description="Plain-language label (e.g. '$15M regional').")
    scenario: str = Field(description="Shipped scenario name or scenario file the tier's "
                                      "consortia start from.")
    count: int = Field(ge=1, le=500, description="Consortia in the tier.")
    leads: dict[Lead, int] = Field(description="Lead-agency type -> consortia; sums to count.")
    set: dict[str, Any] = Field(default_factory=dict,
                                description="Dotted scenario keys set for the whole tier.")

    @model_validator(mode="after")
    def _leads_add_up(self) -> Tier:
        if any(v < 0 for v in self.leads.values()):
            raise ValueError("lead counts must not be negative")
        if sum(self.leads.values()) != self.count:
            raise ValueError(f"lead counts add up to {sum(self.leads.values())}, "
                             f"not the tier's count {self.count}")
        return self


class Partners(_Table):
    """Partner totals across the cohort's proposals; a type left out keeps tier counts."""

    n_districts: int | None = param(None, "School districts in the cohort's proposals.",
                                    unit="orgs", source="seed",
                                    ref="§6.4: 167 school districts (Cohort 1)", ge=1)
    n_charters: int | None = param(None, "Charter schools in the proposals.", unit="orgs",
                                   source="seed", ref="§6.4: 17 charter schools (Cohort 1)",
                                   ge=0)
    n_colleges: int | None = param(None, "Community colleges in the proposals.", unit="orgs",
                                   source="seed", ref="§6.4: 85 community colleges (Cohort 1)",
                                   ge=0)
    n_county_offices: int | None = param(None, "County offices of education in the proposals.",
                                         unit="orgs", source="seed",
                                         ref="§6.4: 13 COEs (Cohort 1)", ge=0)
    n_workforce_boards: int | None = param(None, "Workforce boards.", unit="orgs",
                                           source="assumption", ref="not in §6.4", ge=0)
    n_ta_providers: int | None = param(None, "TA providers.", unit="orgs",
                                       source="assumption", ref="not in §6.4", ge=0)
    n_chambers: int | None = param(None, "Chambers and economic-development organizations.",
                                   unit="orgs", source="assumption", ref="not in §6.4", ge=0)
    n_employers: int | None = param(None, "Business organizations in the proposals.",
                                    unit="orgs", source="seed",
                                    ref="§6.4: 845 business organizations (Cohort 1)", ge=0)


class Contexts(_Table):
    """How the consortia's regions differ (domain brief M10, M11, M28; docs/cohorts.md)."""

    infrastructure_concentration: float = param(
        8.0, "Concentration of the Beta draw of prior infrastructure around the tier "
        "scenario's value (larger = more alike); 8 gives a spread of about 0.1 around 0.1, "
        "most regions starting with little and a few with much.", unit="pseudo-counts",
        source="seed-direction",
        ref="M10, SF13: a few regions built on prior ROP or Linked Learning work (Tulare-Kings, "
        "Long Beach), while 'many rural and small districts received technical assistance "
        "... for the first time' (001); the spread is an assumption", ge=0.5, le=1000)
    urgency_concentration: float = param(
        6.0, "Concentration of the Beta draw of regional urgency around the tier scenario's "
        "value; 6 gives a spread of about 0.19 around 0.4.", unit="pseudo-counts",
        source="seed-direction",
        ref="M28, SF15: urgency is high in the Central Valley, small distressed areas and San "
        "Bernardino and lower elsewhere (001, 002); the spread is an assumption",
        ge=0.5, le=1000)
    size_spread: float = param(
        0.5, "Spread (log standard deviation) of the factor that scales a region's footprint "
        "and its share of the cohort's partners; median 1.", unit="log factor",
        source="seed-direction",
        ref="M11, §6.4 caveats: 'Real consortia vary greatly' (East Bay's 11 districts and "
        "6 colleges; a 45-mile corridor; Tulare-Kings two counties); the spread is an "
        "assumption", ge=0, le=2)


class StateCoaching(_Table):
    """The state's pool of system-level coaches, shared by the cohort (M9)."""

    capacity: float = param(
        16.0, "System-level coaching the state's pool can give at once, in consortia "
        "coached at a system share of 1 (a consortium at CCPT's 0.2 asks for 0.2).",
        unit="consortium-equivalents", source="assumption",
        ref="M9: 'there are not a lot who know how to do system-down work... few, if any, "
        "are doing system-level coaching' (001) gives scarcity, not a size; set so that both "
        "CCPT cohorts at CCPT's system share (79 x 0.2 = 15.8) are just served, so the "
        "as-run cohort matches the calibrated single runs", ge=0, le=1000)
    other_demand: float = param(
        0.0, "Coaching other grantees outside the file ask of the same pool (e.g. the other "
        "CCPT cohort), in the same units.", unit="consortium-equivalents",
        source="seed-direction", ref="§2.2: Cohort 2 (40 grants) ran from FY 2015, Cohort 1's "
        "second year", ge=0, le=1000)
    other_from_year: int = param(1, "First year of the cohort in which the other grantees ask.",
                                 unit="year", source="seed", ref="§2.2 cohort fiscal years",
                                 ge=1, le=50)
    other_until_year: int = param(0, "Last year in which they ask; 0 = never.", unit="year",
                                  source="seed", ref="§2.2 cohort fiscal years", ge=0, le=50)


class Overlap(_Table):
    """Grants of a later cohort that land in this cohort's regions (SF25, M23)."""

    grants: int = param(0, "Consortia of this cohort whose region a later grant lands in.",
                        unit="consortia", source="seed-direction",
                        ref="SF25: 'Several Cohort 1 consortia have a Cohort 2 CCPT grant in the "
                        "same or nearby region' (001); 'several' is read as 6 (assumption)",
                        ge=0, le=500)
    year: int = param(2, "Year of this cohort in which those grants start.", unit="year",
                      source="seed", ref="§2.2: Cohort 2 began FY 2015, Cohort 1's second year",
                      ge=1, le=50)
    musd: float = param(3.0, "Money each landing grant puts into the region's own structures "
                             "and staff, spread over grant.follow_on_years.",
                        unit="million USD", source="assumption",
                        ref="SF25 'these funds often help to strengthen structures, processes, "
                        "and staffing'; Cohort 2 awards were $0.6M-$15M; the share that reaches "
                        "the Cohort 1 work is not in the seeds", ge=0, le=100)
    decided_month: int = param(9, "Month (0-based) after which the grants are awarded, to "
                                  "the regions M23's win chance favours.", unit="month",
                               source="assumption", ref="M23: well-organised consortia win or "
                               "absorb new grants; timing within year 1 assumed", ge=0, le=600)


class CohortSpec(_Table):
    """A cohort file, validated."""

    name: SafeName
    description: str = ""
    horizon_years: int = Field(6, ge=1, le=50, description="Years every run lasts.")
    tiers: list[Tier] = Field(min_length=1)
    partners: Partners = Partners()
    contexts: Contexts = Contexts()
    state: StateCoaching = StateCoaching()
    overlap: Overlap = Overlap()

    @model_validator(mode="after")
    def _consistent(self) -> CohortSpec:
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise ValueError("tier names must differ")
        total = sum(t.count for t in self.tiers)
        if self.overlap.grants > total:
            raise ValueError(f"overlap.grants ({self.overlap.grants}) exceeds the cohort's "
                             f"{total} consortia")
        return self


@dataclass(frozen=True)
class Member:
    """One consortium of a cohort replicate: its tier, its drawn context and its scenario."""

    index: int
    tier: str
    label: str
    params: ScenarioParams
    size: float

    @property
    def lead(self) -> str:
        """The lead agency's type."""
        return self.params.region.lead


@dataclass(frozen=True)
class Cohort:
    """A loaded cohort: the validated spec and each tier's scenario (with its ``set``)."""

    spec: CohortSpec
    bases: dict[str, ScenarioParams]
    path: Path

    @property
    def name(self) -> str:
        """The cohort's name."""
        return self.spec.name

    @property
    def size(self) -> int:
        """Consortia in the cohort."""
        return sum(t.count for t in self.spec.tiers)

    def tier_of(self) -> list[Tier]:
        """The tier of each consortium, in order."""
        return [t for t in self.spec.tiers for _ in range(t.count)]

    def members(self, rng: np.random.Generator, settings: dict[str, Any] | None = None
                ) -> list[Member]:
        """Draw the cohort's consortia from ``rng``; ``settings`` (dotted keys) apply to all.

        Draws, in order: lead order per tier, size factors, prior infrastructure, urgency.
        ``settings`` (a design's levers, a horizon) are applied after the draws, so every
        design meets the same consortia.
        """
        spec, tiers = self.spec, self.tier_of()
        n = len(tiers)
        leads: list[str] = []
        for t in spec.tiers:
            order = [lead for lead, k in t.leads.items() for _ in range(k)]
            leads.extend(order[i] for i in rng.permutation(len(order)))
        size = np.exp(spec.contexts.size_spread * rng.standard_normal(n))
        infra = _beta_around([self.bases[t.name].region.prior_infrastructure for t in tiers],
                             spec.contexts.infrastructure_concentration, rng)
        urgency = _beta_around([self.bases[t.name].region.urgency for t in tiers],
                               spec.contexts.urgency_concentration, rng)
        counts = self._partners(tiers, leads, size)
        out = []
        for c, t in enumerate(tiers):
            region = self.bases[t.name].region
            values: dict[str, Any] = {
                "region.lead": leads[c],
                "region.prior_infrastructure": float(infra[c]),
                "region.urgency": float(urgency[c]),
                "region.length_km": float(np.clip(region.length_km * size[c], 1.0, 1000.0)),
                "region.width_km": float(np.clip(region.width_km * size[c], 1.0, 1000.0)),
                **{f"region.{key}": int(counts[key][c]) for key in PARTNER_KEYS},
                "outcomes.horizon_years": spec.horizon_years,
                **(settings or {}),
            }
            try:
                params = with_values(self.bases[t.name], values, source=self.path)
            except ScenarioError as exc:  # say which drawn consortium the value is for
                raise CohortError.of([p._replace(problem=f"{p.problem} (drawn for consortium "
                                                 f"{c}, tier {t.name})")
                                      for p in exc.problems]) from None
            out.append(Member(index=c, tier=t.name, label=t.label or t.name, params=params,
                              size=float(size[c])))
        return out

    def _partners(self, tiers: Sequence[Tier], leads: Sequence[str], size: np.ndarray
                  ) -> dict[str, np.ndarray]:
        """Each partner type's count per consortium (see the module docstring)."""
        out = {}
        for key in PARTNER_KEYS:
            base = np.array([getattr(self.bases[t.name].region, key) for t in tiers], float)
            need = np.array([max(MIN_COUNT.get(key, 0), int(LEAD_NEEDS[lead] == key))
                             for lead in leads])
            total = getattr(self.spec.partners, key)
            if total is None:
                out[key] = np.maximum(need, np.rint(base * size)).astype(int)
            else:
                out[key] = apportion(total, base * size, need)
        return out


def _beta_around(means: Sequence[float], concentration: float, rng: np.random.Generator
                 ) -> np.ndarray:
    """Beta draws with the given means and concentration a+b (means kept off 0 and 1)."""
    m = np.clip(np.asarray(means, dtype=float), 1e-3, 1 - 1e-3)
    return rng.beta(m * concentration, (1 - m) * concentration)


def apportion(total: int, weights: np.ndarray, minimum: np.ndarray) -> np.ndarray:
    """``total`` split over consortia: ``minimum`` each, the rest in proportion to ``weights``.

    Largest remainders (Hamilton's method; ties go to the earlier consortium), so the
    counts sum to ``total`` exactly; weights all zero split the rest evenly.
    """
    minimum = np.asarray(minimum, dtype=int)
    rest = total - int(minimum.sum())
    if rest < 0:
        raise ValueError(f"{total} cannot cover the {int(minimum.sum())} the leads need")
    w = np.asarray(weights, dtype=float)
    w = w if w.sum() > 0 else np.ones_like(w)
    quota = rest * w / w.sum()
    base = np.floor(quota).astype(int)
    left = rest - int(base.sum())
    order = np.lexsort((np.arange(len(w)), -(quota - base)))
    base[order[:left]] += 1
    return minimum + base


# ------------------------------------------------------------------ reading cohort files
def shipped_cohorts() -> dict[str, Path]:
    """Cohort name -> file, read from ``scenarios/cohorts/``."""
    return shipped_in(COHORT_DIR)


def resolve_cohort(name_or_path: str | Path) -> Path:
    """The path as given if it is a file, else the shipped cohort of that name."""
    return resolve_shipped(name_or_path, COHORT_DIR, CohortError, "cohort")


def is_cohort(name_or_path: str | Path) -> bool:
    """Whether the name is a shipped cohort or a file under a ``cohorts`` folder."""
    p = Path(name_or_path)
    return (p.name.removesuffix(".toml") in shipped_cohorts() and p.parent == Path(".")) or \
        (is_file(p) and p.parent.name == "cohorts")


def _key(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """A pydantic location as the file's key: ``tiers[2].leads`` (tiers named when known)."""
    parts: list[str] = []
    tiers = data.get("tiers") if isinstance(data.get("tiers"), list) else []
    for part in loc:
        if isinstance(part, int) and parts == ["tiers"]:
            tier = tiers[part] if part < len(tiers) else None
            name = tier.get("name") if isinstance(tier, dict) else None
            parts[-1] = f"tiers[{part}]" + (f" ({name})" if name else "")
        else:
            parts.append(str(part))
    return ".".join(parts)


_SECTIONS: dict[str, type[_Table]] = {"tiers": Tier, "partners": Partners,
                                       "contexts": Contexts, "state": StateCoaching,
                                       "overlap": Overlap}


def _hint(err: Any) -> str:
    """For an unknown key, the closest key of its table, if one is close."""
    if err["type"] != "extra_forbidden":
        return ""
    loc = err["loc"]
    table = _SECTIONS.get(str(loc[0]), CohortSpec) if len(loc) > 1 else CohortSpec
    close = difflib.get_close_matches(str(loc[-1]), list(table.model_fields), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def load_cohort(name_or_path: str | Path) -> Cohort:
    """Read and validate a cohort file and its tiers' scenarios; raise :class:`CohortError`."""
    path = resolve_cohort(name_or_path)
    data, origins, _ = read_chain(path, error=CohortError, what="cohort file", search=COHORT_DIR)
    data.setdefault("name", path.stem)
    try:
        spec = CohortSpec.model_validate(data, strict=True)
    except ValidationError as exc:
        raise CohortError.of([
            Problem(str(origins.get(str(err["loc"][0]) if err["loc"] else "", path)),
                    _key(err["loc"], data), error_message(err) + _hint(err))
            for err in exc.errors()]) from None
    bases: dict[str, ScenarioParams] = {}
    problems: list[Problem] = []
    for i, tier in enumerate(spec.tiers):
        try:
            bases[tier.name] = _tier_base(path, tier)
        except ScenarioError as exc:
            where = f"tiers[{i}] ({tier.name})"
            problems += [Problem(str(path), f"{where}.set.{p.key}", p.problem)
                         if p.file == str(path) else
                         Problem(str(path), f"{where}.{p.key or 'scenario'}",
                                 f"{p.file}: {p.problem}") for p in exc.problems]
    problems += _partner_problems(spec, path)
    if problems:
        raise CohortError.of(problems)
    return Cohort(spec=spec, bases=bases, path=path)


def _tier_base(path: Path, tier: Tier) -> ScenarioParams:
    """The tier's scenario (next to the cohort file, else shipped) with its ``set``."""
    scenario = tier.scenario
    if not Path(scenario).is_absolute() and is_file(path.parent / scenario):
        scenario = str(path.parent / scenario)
    base = load_scenario(scenario)
    return with_values(base, dict(tier.set), source=path) if tier.set else base


def _partner_problems(spec: CohortSpec, path: Path) -> list[Problem]:
    """Partner totals the cohort cannot use.

    A total must cover what the leads need (one lead organization each) and fit in the
    cohort's consortia at the largest count a scenario allows.
    """
    problems = []
    size = sum(t.count for t in spec.tiers)
    for key in PARTNER_KEYS:
        total = getattr(spec.partners, key)
        if total is None:
            continue
        most = next(m.le for m in Region.model_fields[key].metadata if hasattr(m, "le"))
        if total > most * size:
            problems.append(Problem(str(path), f"partners.{key}", f"{total:,} is more than "
                                    f"the cohort's {size} consortia can hold ({most} each at "
                                    f"most, region.{key})"))
            continue
        need = sum(max(MIN_COUNT.get(key, 0), int(LEAD_NEEDS[lead] == key)) * k
                   for t in spec.tiers for lead, k in t.leads.items())
        if total < need:
            problems.append(Problem(str(path), f"partners.{key}", f"{total} cannot give each "
                                    f"of the cohort's consortia the {need} its leads and the "
                                    "scenario need"))
    return problems

