"""Scenario files: TOML, ``extends`` inheritance, ``--set`` overrides and clear errors.

A scenario file is a TOML table whose sections match :class:`sim.params.ScenarioParams`.
``extends = "ccpt_baseline.toml"`` starts from another file (resolved next to the
extending file); keys set here override it. Every problem becomes a
:class:`ScenarioError` naming the file, the key path and what is wrong.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.params import ScenarioParams

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"


class ScenarioError(Exception):
    """A bad scenario: which file, which key, what is wrong."""

    def __init__(self, file: str | Path, key: str, problem: str):
        self.file, self.key, self.problem = str(file), key, problem
        super().__init__(f"{self.file}: {key}: {problem}" if key else f"{self.file}: {problem}")


def shipped_scenarios() -> dict[str, Path]:
    """Scenario name -> file, read from the ``scenarios/`` folder."""
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}


def resolve_path(name_or_path: str | Path) -> Path:
    """A path as given if it exists, else a shipped scenario by name."""
    p = Path(name_or_path)
    if p.exists():
        return p
    shipped = shipped_scenarios()
    stem = p.name.removesuffix(".toml")
    if stem in shipped:
        return shipped[stem]
    known = ", ".join(shipped) or "none"
    raise ScenarioError(p, "", f"no such file or shipped scenario (shipped: {known})")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ScenarioError(path, "", "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(path, "", f"TOML syntax error: {exc}") from None
    except OSError as exc:
        raise ScenarioError(path, "", f"cannot read file: {exc.strerror}") from None


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


def _load_raw(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], dict[str, Path]]:
    """Raw merged table plus the file each key came from."""
    path = path.resolve()
    if path in chain:
        loop = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(chain[-1], "extends", f"circular extends ({loop})")
    data = _read_toml(path)
    parent = data.pop("extends", None)
    origins = _key_origins(data, path)
    if parent is None:
        return data, origins
    if not isinstance(parent, str):
        raise ScenarioError(path, "extends", "must be a file name string")
    parent_path = (path.parent / parent)
    if not parent_path.exists() and (SCENARIO_DIR / parent).exists():
        parent_path = SCENARIO_DIR / parent
    if not parent_path.exists():
        raise ScenarioError(path, "extends", f"file '{parent}' not found")
    base, base_origins = _load_raw(parent_path, (*chain, path))
    return _merge(base, data), {**base_origins, **origins}


def parse_override(text: str) -> tuple[str, Any]:
    """``grant.state_years=5`` -> ("grant.state_years", 5), values typed as TOML."""
    if "=" not in text:
        raise ScenarioError("--set", text, "expected KEY=VALUE, e.g. grant.state_years=5")
    key, raw = (s.strip() for s in text.split("=", 1))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word: let validation judge it as a string
    return key, value


def _apply_override(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ScenarioError("--set", key, f"'{part}' is not a section")
    node[parts[-1]] = value


def _describe(err: dict[str, Any]) -> tuple[str, str]:
    loc = [str(p) for p in err["loc"]]
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required key missing"
    if "input" in err and err["type"] not in ("extra_forbidden", "missing"):
        msg = f"{msg} (got {err['input']!r})"
    return ".".join(loc), msg


def load_scenario(name_or_path: str | Path, overrides: list[str] | None = None) -> ScenarioParams:
    """Read, merge, override and validate a scenario; raise ScenarioError on any problem."""
    path = resolve_path(name_or_path)
    data, origins = _load_raw(path, ())
    data.setdefault("name", path.stem)
    for text in overrides or []:
        key, value = parse_override(text)
        _apply_override(data, key, value)
        origins[key] = Path("--set")
    try:
        return ScenarioParams.model_validate(data)
    except ValidationError as exc:
        key, msg = _describe(exc.errors()[0])
        more = len(exc.errors()) - 1
        if more:
            msg += f" (and {more} more problem{'s' if more > 1 else ''})"
        origin = origins.get(key)
        if origin is None:  # a cross-field check: blame the section's file
            origin = origins.get(key.split(".")[0], path)
        return _raise(origin, key or "(scenario)", msg)


def _raise(origin: Path, key: str, msg: str) -> ScenarioParams:
    raise ScenarioError(origin, key, msg)


def resolved_table(params: ScenarioParams) -> dict[str, Any]:
    """The fully resolved scenario as a nested plain dict (for printing and manifests)."""
    return params.model_dump(mode="json")
