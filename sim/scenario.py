"""Scenario files: TOML, ``extends`` inheritance, ``--set`` overrides and clear errors.

A scenario file is a TOML table whose sections match :class:`sim.params.ScenarioParams`.
``extends = "ccpt_baseline.toml"`` starts from another file (resolved next to the
extending file); keys set here override it. ``name`` and ``description`` describe one file
and are not inherited: a file without ``name`` is named after itself. Values are validated
strictly, as TOML types them (``"11"`` is not an integer, ``"no"`` not a boolean; an integer
is accepted where a number is expected). The problems found become one :class:`ScenarioError`
that lists each of them: the file where the offending key was written, the key path and what
is wrong.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Self

from pydantic import BaseModel, ValidationError

from sim.params import SAFE_NAME, ScenarioParams

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
SET = Path("--set")  # the "file" of command-line overrides

# Keys behind each cross-field check of sim.params, by the location pydantic reports for it
# ("" = the whole scenario): such an error blames the file that last wrote one of them.
_CROSS_FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "": ("region.lead", "region.n_districts", "region.n_colleges", "region.n_county_offices",
         "region.n_workforce_boards", "region.n_chambers"),
    "grant": ("grant.equipment_share", "grant.staff_share", "grant.convening_share",
              "grant.subgrant_share", "grant.equipment_k12_share",
              "grant.equipment_college_share", "grant.subgrant_k12_share",
              "grant.subgrant_college_share"),
    "region": ("region.prior_tie_age_min", "region.prior_tie_age_max"),
    "commitment": ("commitment.capacity_min", "commitment.capacity_max"),
    "employers": ("employers.pledged_rung_min", "employers.pledged_rung_max"),
    "outcomes": ("outcomes.dissolved_threshold", "outcomes.sustained_threshold"),
}
_IDENTITY_KEYS = ("name", "description")


class Problem(NamedTuple):
    """One problem of an input: the file it is in, the key path and what is wrong."""

    file: str
    key: str
    problem: str

    def __str__(self) -> str:
        """``file: key: problem`` (``file: problem`` for the file as a whole)."""
        return f"{self.file}: {self.key}: {self.problem}" if self.key else \
            f"{self.file}: {self.problem}"


def format_problems(problems: Sequence[Problem]) -> str:
    """One problem on one line; several as a count, then one indented line each.

    The file is named once in the first line when every problem is in it, else on each line.
    """
    if len(problems) == 1:
        return str(problems[0])
    files = {p.file for p in problems}
    if len(files) == 1:
        head = f"{problems[0].file}: {len(problems)} problems"
        lines = [f"{p.key}: {p.problem}" if p.key else p.problem for p in problems]
    else:
        head, lines = f"{len(problems)} problems", [str(p) for p in problems]
    return "\n".join([head, *(f"  {line}" for line in lines)])


class InputError(Exception):
    """Bad input: every problem found, each naming its file, key and what is wrong.

    ``file``, ``key`` and ``problem`` are the first problem's; ``problems`` lists them all.
    """

    def __init__(self, file: str | Path, key: str, problem: str, *,
                 more: Sequence[Problem] = ()):
        first = Problem(str(file), key, problem)
        self.problems = list(dict.fromkeys([first, *(Problem(*p) for p in more)]))
        self.file, self.key, self.problem = first
        super().__init__(format_problems(self.problems))

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> Self:
        """The error listing ``problems`` (at least one), in order."""
        return cls(*problems[0], more=problems[1:])


class ScenarioError(InputError):
    """A bad scenario: which file, which key, what is wrong."""


def shipped_scenarios() -> dict[str, Path]:
    """Scenario name -> file, read from the ``scenarios/`` folder."""
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}


def resolve_path(name_or_path: str | Path) -> Path:
    """Return the path as given if it exists, else the shipped scenario of that name."""
    p = Path(name_or_path)
    if exists(p):
        return p
    shipped = shipped_scenarios()
    stem = p.name.removesuffix(".toml")
    if stem in shipped:
        return shipped[stem]
    known = ", ".join(shipped) or "none"
    raise ScenarioError(p, "", f"no such file or shipped scenario (shipped: {known})")


def shipped_in(folder: Path) -> dict[str, Path]:
    """Name -> file of the TOML files in ``folder`` (shipped designs, cohorts)."""
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}


def is_file(path: Path) -> bool:
    """Whether ``path`` is a file; False, not an error, for a name too long to hold."""
    try:
        return path.is_file()
    except OSError:
        return False


def exists(path: Path) -> bool:
    """Whether ``path`` exists; False, not an error, for a name the system cannot hold."""
    try:
        return path.exists()
    except OSError:
        return False


def resolve_shipped(name_or_path: str | Path, folder: Path, error: type[ScenarioError],
                    what: str) -> Path:
    """The path as given if it is a file, else the file of that name in ``folder``.

    A bare name that is neither raises ``error`` listing what ``folder`` ships.
    """
    p = Path(name_or_path)
    if is_file(p):
        return p
    shipped = shipped_in(folder)
    stem = p.name.removesuffix(".toml")
    if stem in shipped and p.parent == Path("."):
        return shipped[stem]
    raise error(p, "", f"no such file or shipped {what} (shipped: "
                f"{', '.join(shipped) or 'none'})")


MAX_FILE_BYTES = 1_000_000
"""Largest input file read (scenario, design, cohort, study): far above any real one."""
MAX_EXTENDS = 32
"""Longest ``extends`` chain followed."""


def read_toml(path: Path, error: type[Exception] = ScenarioError,
              what: str = "scenario file") -> dict[str, Any]:
    """Parse a TOML file; problems raise ``error(file, "", problem)`` (no traceback).

    Only a regular file of at most :data:`MAX_FILE_BYTES` holding UTF-8 text is read, so a
    FIFO, a device or a huge file is refused rather than waited on or loaded.
    """
    try:
        if not path.exists():
            raise error(path, "", "file not found")
        if path.is_dir():
            raise error(path, "", f"is a directory, not a {what}")
        if not path.is_file():
            raise error(path, "", f"is not a regular file (a device, FIFO or socket), not a "
                        f"{what}")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise error(path, "", f"is {size:,} bytes, more than any {what} "
                        f"({MAX_FILE_BYTES:,} at most)")
        text = path.read_bytes().decode("utf-8")
        return tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise error(path, "", f"is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at "
                    f"position {exc.start}); save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(path, "", f"TOML syntax error: {exc}") from None
    except RecursionError:
        raise error(path, "", "TOML nested too deeply to read") from None
    except OSError as exc:
        raise error(path, "", f"cannot read file: {exc.strerror}") from None


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _key_origins(data: dict[str, Any], path: Path, prefix: str = "") -> dict[str, Path]:
    origins: dict[str, Path] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        origins[dotted] = path
        if isinstance(value, dict):
            origins.update(_key_origins(value, path, dotted + "."))
    return origins


def read_chain(path: Path, chain: tuple[Path, ...] = (), *,
               error: type[ScenarioError] = ScenarioError, what: str = "scenario file",
               search: Path = SCENARIO_DIR, not_inherited: tuple[str, ...] = _IDENTITY_KEYS,
               check: Callable[[dict[str, Any], Path], None] | None = None,
               ) -> tuple[dict[str, Any], dict[str, Path], list[Path]]:
    """Read ``path`` and the files it ``extends``, merged (scenario files and designs).

    A parent is resolved next to the extending file, else in ``search``. ``check(table,
    file)`` sees each file's own table before it is merged; keys in ``not_inherited``
    describe one file and are not taken from parents. Returns the merged raw table, the
    file each (dotted) key was written in, and the files from the root parent down to
    ``path``. Problems raise ``error(file, key, problem)``.
    """
    path = path.resolve()
    if len(chain) >= MAX_EXTENDS:
        raise error(chain[-1], "extends", f"more than {MAX_EXTENDS} files deep; an extends "
                    "chain that long is a mistake or a loop")
    if path in chain:
        loop = " -> ".join(p.name for p in (*chain, path))
        raise error(chain[-1], "extends", f"circular extends ({loop})")
    data = read_toml(path, error, what)
    parent = data.pop("extends", None)
    if check is not None:
        check(data, path)
    origins = _key_origins(data, path)
    if parent is None:
        return data, origins, [path]
    if not isinstance(parent, str):
        raise error(path, "extends", "must be a file name string")
    parent_path = (path.parent / parent)
    if not is_file(parent_path) and is_file(search / parent):
        parent_path = search / parent
    if not is_file(parent_path):
        raise error(path, "extends", f"file '{parent}' not found")
    base, base_origins, files = read_chain(parent_path, (*chain, path), error=error, what=what,
                                           search=search, not_inherited=not_inherited,
                                           check=check)
    for key in not_inherited:
        base.pop(key, None)
        base_origins.pop(key, None)
    return _merge(base, data), {**base_origins, **origins}, [*files, path]


def parse_override(text: str) -> tuple[str, Any]:
    """``grant.state_years=5`` -> ("grant.state_years", 5), values typed as TOML."""
    if "=" not in text:
        raise ScenarioError(SET, text, "expected KEY=VALUE, e.g. grant.state_years=5")
    if "\n" in text or "\r" in text:
        raise ScenarioError(SET, text.split("=", 1)[0].strip(),
                            "a --set value must be on one line (it holds a line break)")
    key, raw = (s.strip() for s in text.split("=", 1))
    if not key or not all(part.strip() for part in key.split(".")):
        raise ScenarioError(SET, text, "expected KEY=VALUE with a dotted key, "
                            "e.g. grant.state_years=5")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word: let validation judge it as a string
    return key, value


def overrides_from_file(path: str | Path) -> list[str]:
    """A TOML file of scenario keys as ``KEY=VALUE`` overrides, e.g. a calibrated point.

    Sections become dotted keys; ``name``, ``description`` and ``extends`` are ignored, so
    a scenario file that extends the baseline can be applied on top of any scenario.
    Values are written back as TOML literals and typed again by :func:`parse_override`.
    """
    path = Path(path)
    data = read_toml(path)
    for key in (*_IDENTITY_KEYS, "extends"):
        data.pop(key, None)
    out: list[str] = []
    problems: list[Problem] = []

    def walk(table: dict[str, Any], prefix: str) -> None:
        for key, value in table.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            elif isinstance(value, str):
                out.append(f"{prefix}{key}={json.dumps(value)}")
            elif isinstance(value, bool):
                out.append(f"{prefix}{key}={str(value).lower()}")
            elif isinstance(value, int | float):
                out.append(f"{prefix}{key}={value!r}")
            else:
                problems.append(Problem(str(path), f"{prefix}{key}", "expected a number, a "
                                        f"boolean or a string, got {type(value).__name__}"))

    walk(data, "")
    if problems:
        raise ScenarioError.of(problems)
    return out


def _apply_override(data: dict[str, Any], origins: dict[str, Path], key: str,
                    value: Any) -> None:
    parts = [part.strip() for part in key.split(".")]
    node = data
    for depth, part in enumerate(parts[:-1]):
        if part not in node:
            node[part] = {}
            origins[".".join(parts[:depth + 1])] = SET  # a section only --set names
        node = node[part]
        if not isinstance(node, dict):
            raise ScenarioError(SET, key, f"'{part}' is not a section")
    node[parts[-1]] = value
    origins[".".join(parts)] = SET


def _describe(err: dict[str, Any]) -> tuple[str, str]:
    key = ".".join(str(p) for p in err["loc"])
    msg = error_message(err)
    if err["type"] == "extra_forbidden":
        msg += did_you_mean(key)
    return key, msg


def parameter_keys() -> list[str]:
    """Every dotted scenario key, ``section.name``."""
    return [f"{section}.{name}" for section, field in ScenarioParams.model_fields.items()
            if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
            for name in field.annotation.model_fields]


def did_you_mean(key: str) -> str:
    """A hint for an unknown key: the keys with that name, else the closest keys."""
    keys = parameter_keys()
    names = {k.split(".")[-1] for k in keys}
    last = key.split(".")[-1]
    near = [last] if last in names else difflib.get_close_matches(last, names, n=3,
                                                                  cutoff=0.75)
    close = [k for name in near for k in keys if k.split(".")[-1] == name]
    return f" (did you mean {' or '.join(close[:4])}?)" if close else ""


def error_message(err: dict[str, Any]) -> str:
    """One pydantic error as a phrase: unknown key, required key missing, or what is wrong."""
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required key missing"
    elif err["type"] == "value_error":
        msg = msg.removeprefix("Value error, ")
    elif err["type"] == "string_pattern_mismatch" and err.get("ctx", {}).get(
            "pattern") == SAFE_NAME:
        msg = ("must be a file-safe name: letters, digits and _ . + -, at most 80 "
               "characters, starting with a letter, digit or underscore")
    shown = err["type"] not in ("extra_forbidden", "missing") and not isinstance(
        err.get("input"), dict)
    if "input" in err and shown:
        msg = f"{msg} (got {err['input']!r})"
    return msg


def _blame(key: str, origins: dict[str, Path], files: list[Path]) -> tuple[Path, str]:
    """File and key to report for a validation error located at ``key``."""
    if key in _CROSS_FIELD_KEYS:
        involved = _CROSS_FIELD_KEYS[key]
    elif key in origins:
        return origins[key], key
    else:
        involved = tuple(k for k in origins if k.startswith(f"{key}."))
    shown = key or "region.lead"
    rank = {f: i for i, f in enumerate(files)}
    rank[SET] = len(files)
    written = [origins[k] for k in involved if k in origins]
    if written:
        return max(written, key=lambda f: rank.get(f, -1)), shown
    return origins.get(key.split(".")[0], files[-1]), shown


def load_scenario(name_or_path: str | Path, overrides: list[str] | None = None) -> ScenarioParams:
    """Read, merge, override and validate a scenario.

    Raises one :class:`ScenarioError` listing every problem of the values and overrides.
    """
    path = resolve_path(name_or_path)
    data, origins, files = read_chain(path)
    if "name" not in data:
        data["name"] = path.stem
    problems: list[Problem] = []
    for text in overrides or []:
        try:
            key, value = parse_override(text)
            _apply_override(data, origins, key, value)
        except ScenarioError as exc:  # the other overrides and the values are still checked
            problems += exc.problems
    try:
        params = ScenarioParams.model_validate(data, strict=True)
    except ValidationError as exc:
        for err in exc.errors():
            key, msg = _describe(err)
            origin, shown = _blame(key, origins, files)
            problems.append(Problem(str(origin), shown, msg))
    if problems:
        raise ScenarioError.of(problems)
    return params


def with_values(params: ScenarioParams, values: dict[str, Any],
                source: str | Path = SET) -> ScenarioParams:
    """``params`` with dotted keys set to ``values`` (``{"grant.state_years": 5}``), validated.

    Numpy scalars are accepted. Problems raise :class:`ScenarioError` naming ``source``
    (the study file or ``--set``) and the key.
    """
    data = params.model_dump(mode="python")
    origins: dict[str, Path] = {}
    for key, value in values.items():
        _apply_override(data, origins, key, value.item() if hasattr(value, "item") else value)
    try:
        return ScenarioParams.model_validate(data, strict=True)
    except ValidationError as exc:
        raise ScenarioError.of([Problem(str(source), *_describe(err))
                                for err in exc.errors()]) from None


def resolved_table(params: ScenarioParams) -> dict[str, Any]:
    """Return the fully resolved scenario as a nested plain dict (for printing and manifests)."""
    return params.model_dump(mode="json")
