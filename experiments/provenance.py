"""Provenance of every output, and output sets that replace an earlier set whole or not at all.

:func:`record` builds the provenance record of a command's outputs: the package version,
git revision and whether the checkout has uncommitted changes, a sha256 hash of the
canonical JSON of what was run (a scenario, cohort, comparison or study), the root seed,
the replicates, the command line, the time and the package versions. Each output carries
it: Parquet files in their schema metadata (key ``provenance``), PNG files in a ``tEXt``
chunk (key ``provenance``), Markdown files in a footer line, and every file is listed with
its sha256 in the folder's ``provenance.json`` beside the record.

:class:`OutputSet` writes the files of one command into a staging folder inside the output
folder and moves them into place at the end, so an interrupted or failed run (a full disk)
leaves the earlier set as it was. It refuses files that exist unless asked to overwrite,
and even then replaces only files that ``provenance.json`` records as written by an
earlier run of this program, never a user's own file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

VERSIONED = {"python": None, "numpy": "numpy", "pandas": "pandas", "pyarrow": "pyarrow",
             "SALib": "SALib", "scipy": "scipy", "mesa": "mesa", "dask": "dask",
             "distributed": "distributed", "consortium-sim": "consortium-sim"}
PROJECT_ROOT = Path(__file__).resolve().parents[1]
LEDGER = "provenance.json"
LEDGER_FORMAT = 1
KEY = "provenance"
"""Key of the record in Parquet schema metadata and in a PNG ``tEXt`` chunk."""
STAGING = ".staging-"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SWEEP_KEYS = ("study", "base", "base_scenario", "model", "model_options", "design",
              "root_seed", "crn", "replicates", "outcomes", "timeseries")
"""The manifest keys that say what a sweep ran (not where, when or with which versions)."""


class OutputError(Exception):
    """Outputs that cannot be written: which path, what is wrong."""

    def __init__(self, path: str | Path, problem: str):
        self.path, self.problem = str(path), problem
        super().__init__(f"{self.path}: {problem}")


def package_versions() -> dict[str, str | None]:
    """Versions of Python and of the packages a sweep's results depend on."""
    out: dict[str, str | None] = {}
    for label, dist in VERSIONED.items():
        if dist is None:
            out[label] = platform.python_version()
            continue
        try:
            out[label] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[label] = None
    return out


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", "--no-optional-locks", "-C", str(PROJECT_ROOT), *args],
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_revision() -> dict[str, Any]:
    """``{"revision": HEAD sha or None, "dirty": bool or None}`` of the project checkout.

    None when the package is not run from a git checkout or git is missing. Read-only git
    calls (``--no-optional-locks``), so recording provenance never touches the index.
    """
    top = _git("rev-parse", "--show-toplevel")
    if top is None or Path(top.strip()).resolve() != PROJECT_ROOT:
        return {"revision": None, "dirty": None}
    head = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {"revision": head.strip() if head else None,
            "dirty": None if status is None else bool(status.strip())}


def canonical_hash(subject: Any) -> str:
    """sha256 of the canonical JSON of ``subject`` (sorted keys, no spaces, ASCII)."""
    from experiments.store import jsonable

    text = json.dumps(jsonable(subject), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def scenario_subject(resolved: Mapping[str, Any]) -> dict[str, Any]:
    """A resolved scenario without its ``name`` and ``description``: what the model reads.

    Two files with equal parameters hash alike; one name with other values does not.
    """
    return {k: v for k, v in resolved.items() if k not in ("name", "description")}


def command_line(argv: Iterable[str] | None = None) -> str:
    """The command as typed, program name first (``consortium run ...``)."""
    args = list(sys.argv if argv is None else argv)
    program = Path(args[0]).name if args else "consortium"
    return shlex.join([program, *args[1:]])


def record(kind: str, name: str, subject: Any, seed: int | None = None,
           replicates: int | None = None, argv: Iterable[str] | None = None) -> dict[str, Any]:
    """The provenance record of outputs made from ``subject``.

    Args:
        kind: What ran: ``scenario``, ``cohort``, ``comparison``, ``robustness``,
            ``validation``, ``calibration``, ``discovery`` or ``analysis``.
        name: Its name (the scenario's, the cohort's, the study's).
        subject: The plain parameters that determine the results; hashed by
            :func:`canonical_hash`.
        seed: The root seed.
        replicates: Replicates per scenario, design or point.
        argv: The command line (default ``sys.argv``).
    """
    git = git_revision()
    versions = package_versions()
    return {"program": "consortium-sim", "version": versions.get("consortium-sim"),
            "git_revision": git["revision"], "git_dirty": git["dirty"],
            "kind": kind, "name": name, "hash": canonical_hash(subject),
            "root_seed": seed, "replicates": replicates, "command": command_line(argv),
            "created": datetime.now(UTC).isoformat(timespec="seconds"), "versions": versions}


def sweep_record(kind: str, manifest: Mapping[str, Any], extra: Mapping[str, Any] | None = None,
                 argv: Iterable[str] | None = None) -> dict[str, Any]:
    """The record of outputs read from a sweep: the study's hash (plus ``extra`` options)."""
    subject = {k: manifest.get(k) for k in SWEEP_KEYS}
    if extra:
        subject["options"] = dict(extra)
    study = manifest.get("study") or {}
    name = study.get("name") if isinstance(study, Mapping) else None
    return record(kind, str(name or manifest.get("base") or "sweep"), subject,
                  manifest.get("root_seed"), manifest.get("replicates"), argv)


def footer(rec: Mapping[str, Any]) -> str:
    """One Markdown line: version, git revision, hash and seed, pointing at provenance.json."""
    git = str(rec.get("git_revision") or "unknown")[:10]
    if rec.get("git_dirty"):
        git += " with uncommitted changes"
    return (f"_Provenance: consortium-sim {rec.get('version')}, git {git}, {rec.get('kind')} "
            f"hash {str(rec.get('hash'))[:12]}, root seed {rec.get('root_seed')}; "
            f"the full record is in {LEDGER}._")


def parquet_metadata(rec: Mapping[str, Any]) -> dict[str, str]:
    """Schema metadata that carries ``rec`` in a Parquet file."""
    return {KEY: json.dumps(rec, sort_keys=True)}


def write_parquet(table: Any, path: Path, rec: Mapping[str, Any],
                  meta: Mapping[str, str] | None = None) -> Path:
    """Write a pyarrow table or pandas frame to ``path`` with ``rec`` (and ``meta``) in it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not isinstance(table, pa.Table):
        table = pa.Table.from_pandas(table, preserve_index=False)
    merged = {**(table.schema.metadata or {}), **{k.encode(): v.encode() for k, v in
                                                  {**(meta or {}), **parquet_metadata(rec)}
                                                  .items()}}
    pq.write_table(table.replace_schema_metadata(merged), path)
    return path


def read_parquet_record(path: Path) -> dict[str, Any] | None:
    """The record in a Parquet file's schema metadata, or None."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(KEY.encode())
    return json.loads(raw) if raw else None


def stamp_markdown(path: Path, rec: Mapping[str, Any]) -> None:
    """Append the :func:`footer` line to a Markdown file."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n\n" + footer(rec) + "\n", encoding="utf-8")


def stamp_png(path: Path, rec: Mapping[str, Any]) -> None:
    """Add ``rec`` to a PNG as a ``tEXt`` chunk (key ``provenance``) with Pillow.

    PNG is lossless, so the pixels stay as they are; the chunk is what matplotlib's
    ``savefig(metadata=...)`` writes (PNG 1.2, section 11.3.4.3).
    """
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    with path.open("rb") as fh:
        if fh.read(len(PNG_SIGNATURE)) != PNG_SIGNATURE:
            return
    with Image.open(path) as image:
        image.load()
        info = PngInfo()
        for key, value in image.text.items():  # type: ignore[attr-defined]
            if key != KEY:
                info.add_text(key, value)
        info.add_text(KEY, json.dumps(rec, sort_keys=True))
        image.save(path, format="PNG", pnginfo=info)


def read_png_record(path: Path) -> dict[str, Any] | None:
    """The record in a PNG's ``tEXt`` chunk, or None."""
    from PIL import Image

    with Image.open(path) as image:
        raw = image.text.get(KEY)  # type: ignore[attr-defined]
    return json.loads(raw) if raw else None


def sha256_file(path: Path) -> str:
    """sha256 of a file's bytes (hex)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def read_ledger(folder: Path) -> dict[str, Any]:
    """The folder's provenance.json, or an empty one when there is none.

    A provenance.json that is not one of ours (a user's file of that name) raises
    :class:`OutputError`; it is never overwritten.
    """
    path = folder / LEDGER
    if not path.exists():
        return {"format": LEDGER_FORMAT, "sets": {}}
    try:
        ledger = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(path, f"not a provenance record of consortium ({exc}); it is "
                          "left alone: move it or choose another --out") from None
    if (not isinstance(ledger, dict) or ledger.get("format") != LEDGER_FORMAT
            or not isinstance(ledger.get("sets"), dict)):
        raise OutputError(path, "not a provenance record of consortium; it is left alone: "
                          "move it or choose another --out")
    return ledger


def _write_ledger(folder: Path, ledger: Mapping[str, Any]) -> None:
    tmp = folder / f".{LEDGER}.{os.getpid()}.tmp"  # the user's umask, unlike mkstemp's 0600
    try:
        tmp.write_text(json.dumps(ledger, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, folder / LEDGER)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def owner(ledger: Mapping[str, Any], folder: Path, name: str) -> str | None:
    """The set that wrote ``folder/name`` as it is now, or None (a user's file, or changed)."""
    path = folder / name
    if not path.is_file():
        return None
    digest: str | None = None
    for set_name, entry in ledger.get("sets", {}).items():
        recorded = (entry.get("files") or {}).get(name)
        if recorded is None:
            continue
        digest = digest or sha256_file(path)
        if recorded == digest:
            return set_name
    return None


def stamp(path: Path, rec: Mapping[str, Any]) -> None:
    """Carry ``rec`` in a Markdown or PNG file (Parquet files carry it when written)."""
    if path.suffix == ".md":
        stamp_markdown(path, rec)
    elif path.suffix == ".png":
        stamp_png(path, rec)


def record_outputs(folder: Path, files: Iterable[Path], rec: Mapping[str, Any], set_name: str,
                   stamp_files: bool = True) -> Path:
    """List ``files`` (in ``folder``) with their sha256 and ``rec`` in folder/provenance.json.

    The entry of ``set_name`` is replaced; files it names that another entry also lists
    leave that entry. Markdown and PNG files get the record first (``stamp_files``). A
    provenance.json that is not one of ours raises :class:`OutputError` and stays as it is.
    """
    folder = Path(folder)
    ledger = read_ledger(folder)
    names: dict[str, str] = {}
    for path in files:
        path = Path(path)
        if path.parent.resolve() != folder.resolve() or path.name == LEDGER:
            continue
        if stamp_files:
            stamp(path, rec)
        names[path.name] = sha256_file(path)
    sets = ledger["sets"]
    for other in list(sets):
        files_of = sets[other].get("files") or {}
        sets[other]["files"] = {n: h for n, h in files_of.items() if n not in names}
        if not sets[other]["files"] or other == set_name:
            del sets[other]
    sets[set_name] = {"record": dict(rec), "files": dict(sorted(names.items()))}
    _write_ledger(folder, {"format": LEDGER_FORMAT, "sets": dict(sorted(sets.items()))})
    return folder / LEDGER


def _problem(exc: OSError) -> str:
    text = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        text += " (free some space, or choose another --out)"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        text += " (choose another --out)"
    return text


def probe_write(folder: Path) -> None:
    """Create and remove a file in ``folder``; an ``OSError`` says why it cannot be written.

    A real write rather than ``os.access``, which says yes to root on a read-only mount. The
    ``.tmp`` suffix lets the sweep store's clean-up remove one a kill left behind.
    """
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".write-test.", suffix=".tmp")
    os.close(fd)
    os.unlink(tmp)


def check_writable(folder: Path) -> None:
    """:func:`probe_write` on ``folder``; an :class:`OutputError` says why not."""
    try:
        probe_write(folder)
    except OSError as exc:
        raise OutputError(folder, f"cannot write in the output folder: {_problem(exc)}"
                          ) from None


def remove_abandoned_stages(folder: Path) -> list[Path]:
    """Remove staging folders whose process is gone (a run killed with ``kill -9``).

    A staging folder is named ``.staging-<pid>-...`` after the process that writes it.
    """
    removed = []
    for path in Path(folder).glob(f"{STAGING}*"):
        pid = path.name.removeprefix(STAGING).split("-", 1)[0]
        if not (path.is_dir() and pid.isdigit()) or _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


class OutputSet:
    """The files one command writes into one folder, staged and moved into place together.

    ``names`` are the files the command may write (the set named ``set_name`` in
    provenance.json). :meth:`check`, before any simulation, refuses when the folder is not
    writable or when any of ``names`` exists, unless ``overwrite``; with ``overwrite`` it
    still refuses a file that provenance.json does not record as written by an earlier run
    as it is now. :meth:`writing` yields the staging folder to write into and, when the
    block ends, moves every file into place, removes the set's earlier files it did not
    write again and updates provenance.json. On any error the staging folder is removed
    and the folder keeps its earlier files; an ``OSError`` becomes an :class:`OutputError`.
    """

    def __init__(self, folder: Path, names: Iterable[str], rec: Mapping[str, Any],
                 set_name: str, overwrite: bool = False):
        self.folder, self.names, self.record = Path(folder), list(dict.fromkeys(names)), rec
        self.set_name, self.overwrite = set_name, overwrite

    def check(self) -> list[str]:
        """Refuse what cannot be written; return notes on what an overwrite replaces."""
        check_writable(self.folder)
        ledger = read_ledger(self.folder)
        existing = [n for n in self.names if (self.folder / n).exists()]
        if not existing:
            return []
        owners = {n: owner(ledger, self.folder, n) for n in existing}
        foreign = [n for n in existing if owners[n] is None]
        notes = self._replaced(ledger, owners)
        if not self.overwrite:
            extra = (f"; {', '.join(foreign)} {'was' if len(foreign) == 1 else 'were'} not "
                     f"written by consortium (or changed since) and would not be replaced "
                     "even then" if foreign else "")
            raise OutputError(self.folder, f"{len(existing)} of the files this run writes "
                              f"exist already: {', '.join(existing)}. Add --overwrite to "
                              "replace the ones an earlier consortium run wrote, or choose "
                              f"another --out{extra}"
                              + "".join(f". {note}" for note in notes))
        if foreign:
            raise OutputError(self.folder, f"{', '.join(foreign)}: not written by an earlier "
                              f"consortium run as {LEDGER} records it (a file of yours, or "
                              "changed since), so --overwrite leaves it alone; move it or "
                              "choose another --out")
        return [f"{self.folder}: replacing {note[0].lower()}{note[1:]}" for note in notes]

    def _replaced(self, ledger: Mapping[str, Any], owners: Mapping[str, str | None]
                  ) -> list[str]:
        """Per earlier set in the way: what it was, and whether its parameters differ."""
        notes = []
        ours = self.record.get("hash")
        for set_name in sorted({o for o in owners.values() if o is not None}):
            old = ledger["sets"][set_name].get("record") or {}
            replaced = sorted(n for n, o in owners.items() if o == set_name)
            if old.get("hash") != ours:
                notes.append(f"{len(replaced)} files of {old.get('kind', 'run')} "
                             f"{old.get('name', set_name)!r} (hash {str(old.get('hash'))[:12]}"
                             f", {old.get('created')}) were written with other parameters "
                             f"than this run's (hash {str(ours)[:12]}): {', '.join(replaced)}")
            else:
                notes.append(f"{len(replaced)} files of an earlier run with the same "
                             f"parameters (hash {str(ours)[:12]}, {old.get('created')})")
        return notes

    @contextmanager
    def writing(self) -> Iterator[Path]:
        """Yield the staging folder; commit its files when the block ends without error."""
        try:
            remove_abandoned_stages(self.folder)
            stage = Path(tempfile.mkdtemp(prefix=f"{STAGING}{os.getpid()}-", dir=self.folder))
        except OSError as exc:
            raise OutputError(self.folder, f"cannot write the outputs: {_problem(exc)}"
                              ) from None
        try:
            yield stage
            written = self._commit(stage)
        except OSError as exc:
            where = Path(exc.filename) if exc.filename else self.folder
            if where.parent == stage:  # name the file as it would have been, not the stage
                where = self.folder / where.name
            raise OutputError(where,
                              f"cannot write the outputs: {_problem(exc)}; nothing was "
                              f"replaced, {self.folder} keeps its earlier files") from None
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        self.written = written

    def _commit(self, stage: Path) -> list[Path]:
        staged = sorted(p for p in stage.iterdir() if p.is_file())
        unknown = [p.name for p in staged if p.name not in self.names]
        if unknown:
            raise ValueError(f"outputs not declared to the output set: {unknown}")
        for path in staged:
            stamp(path, self.record)
        ledger = read_ledger(self.folder)
        before = (ledger["sets"].get(self.set_name) or {}).get("files") or {}
        stale = [n for n in before if n not in {p.name for p in staged}
                 and owner(ledger, self.folder, n) == self.set_name]
        final = []
        for path in staged:
            target = self.folder / path.name
            os.replace(path, target)
            final.append(target)
        for name in stale:
            (self.folder / name).unlink(missing_ok=True)
        record_outputs(self.folder, final, self.record, self.set_name, stamp_files=False)
        return final
