"""The plan history: every plan, its request, intent and hashes, in SQLite.

The store lives in the user's data directory (``INTENTCTL_DATA_DIR`` moves it). Each plan is
written in one transaction in WAL mode with a busy timeout, so two processes writing at once
both land, and a process killed mid-write leaves every earlier plan intact.
``INTENTCTL_HISTORY=off`` (or ``--no-history``) turns recording off; ``INTENTCTL_HISTORY_MAX``
keeps that many recent plans (default 1,000, about 8 MB), deleting older ones as new ones land.

The store never costs a plan: any fault (a corrupt, truncated or foreign file, a directory in
its place, a read-only directory, a full disk) is a :class:`HistoryError` saying what is wrong
and how to fix it; ``intent.api.plan`` turns it into a warning on the plan. Only a locked
store is waited for: every other fault fails at once.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import time
from contextlib import closing
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from planner.measure.store import data_dir
from planner.plan import ExecutionPlan

DB_NAME = "history.sqlite"
DEFAULT_MAX_PLANS = 1000
#: Marks a store as intentctl's (SQLite's application_id); a store written before it has none.
APPLICATION_ID = 0x696E7463  # "intc"
COLUMNS = ("id", "created_at", "request", "intent_json", "plan_json", "catalog_hash", "policy_hash")
SCHEMA = """
CREATE TABLE IF NOT EXISTS plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    request TEXT NOT NULL,
    intent_json TEXT NOT NULL,
    plan_json TEXT NOT NULL,
    catalog_hash TEXT NOT NULL,
    policy_hash TEXT
)
"""


class HistoryError(ValueError):
    """The history store cannot be read or has no such plan."""

    code = "history-error"
    hint = "list the stored plans with: intentctl history"

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        if hint:
            self.hint = hint


@dataclass(frozen=True)
class Entry:
    id: int
    created_at: str
    request: str
    plan: ExecutionPlan
    catalog_hash: str
    policy_hash: str | None

    def summary(self) -> dict:
        from intent.render import devices_in_total

        c = self.plan.choice
        # the devices in all, as the plan's summary counts them (a TP4 replica had shown as "1 x")
        replicas = f", {c.replicas} replicas" if c.replicas > 1 else ""
        return {"id": self.id, "created_at": self.created_at, "request": self.request,
                "choice": f"{c.model_id} on {devices_in_total(c)} x {c.device_id} ({c.precision}, batch "
                          f"{c.batch_size}{replicas})",
                "catalog_hash": self.catalog_hash, "policy_hash": self.policy_hash}


def enabled() -> bool:
    return os.environ.get("INTENTCTL_HISTORY", "on").lower() not in ("off", "0", "false", "no")


def max_plans() -> int:
    """How many recent plans the store keeps (INTENTCTL_HISTORY_MAX, default 1,000; 0 keeps all)."""
    raw = os.environ.get("INTENTCTL_HISTORY_MAX", "")
    hint = f"set it to how many plans to keep, e.g. {DEFAULT_MAX_PLANS} (0 keeps all)"
    try:
        value = int(raw) if raw.strip() else DEFAULT_MAX_PLANS
    except ValueError:
        raise HistoryError(f"INTENTCTL_HISTORY_MAX={raw!r} is not a whole number", hint) from None
    if value < 0:  # it was taken as 0, which keeps every plan: the opposite of a small number
        raise HistoryError(f"INTENTCTL_HISTORY_MAX={raw!r} is negative", hint)
    return value


def db_path() -> Path:
    return data_dir() / DB_NAME


def connect(path: Path | None = None) -> sqlite3.Connection:
    """An open store, created when missing; HistoryError says what is wrong with one that cannot be used."""
    path = path or db_path()
    try:
        if path.exists() and not path.is_file():
            raise HistoryError(f"{path}: a directory (or other non-file) stands where the history store should be",
                               _move_aside(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise _fault(exc, path) from exc
    try:
        connection.execute("PRAGMA busy_timeout=30000")
        _use_wal(connection, path)
        connection.execute("PRAGMA synchronous=FULL")
        _check_ours(connection, path)
        connection.execute(SCHEMA)
    except (OSError, sqlite3.Error) as exc:
        connection.close()
        raise _fault(exc, path) from exc
    except HistoryError:
        connection.close()
        raise
    return connection


def _use_wal(connection: sqlite3.Connection, path: Path, attempts: int = 60) -> None:
    """Switch a new store to WAL (it stays so). The switch needs a moment alone with the file,
    and SQLite does not wait for it, so two first writers retry here instead of failing; any
    other fault (read-only, not a database) fails at once."""
    for attempt in range(attempts):
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _locked(exc):
                raise
            time.sleep(0.02 * (attempt + 1))
    raise HistoryError(f"{path}: the history store stayed locked; is another intentctl stuck?",
                       "wait for it to finish, or set INTENTCTL_HISTORY=off")


def _locked(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _check_ours(connection: sqlite3.Connection, path: Path) -> None:
    """Refuse another program's database: a store is ours when it is empty, marked with our
    application id, or (written before the mark) holds our plans table."""
    app_id = connection.execute("PRAGMA application_id").fetchone()[0]
    tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    tables.discard("sqlite_sequence")
    columns = tuple(r[1] for r in connection.execute("PRAGMA table_info(plans)"))
    if app_id == APPLICATION_ID or (not tables and app_id == 0) or (app_id == 0 and columns == COLUMNS):
        if app_id == 0:
            connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
        return
    raise HistoryError(f"{path}: this file is another program's database, not an intentctl history store",
                       _move_aside(path))


def _move_aside(path: Path) -> str:
    return (f"move it aside (mv '{path}' '{path}.bad'); the next plan starts a new history, "
            "or set INTENTCTL_DATA_DIR to another directory")


def _fault(exc: Exception, path: Path) -> HistoryError:
    """What a SQLite or file-system fault means for the user, and what to do about it."""
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "full" in detail or getattr(exc, "errno", None) == errno.ENOSPC:
        return HistoryError(f"{path}: the disk is full ({detail})",
                            "free some space, lower INTENTCTL_HISTORY_MAX, or set INTENTCTL_HISTORY=off")
    if _locked(exc):
        return HistoryError(f"{path}: the history store stayed locked ({detail})",
                            "wait for the other intentctl to finish, or set INTENTCTL_HISTORY=off")
    if isinstance(exc, OSError) or "readonly" in detail or "unable to open" in detail:
        return HistoryError(f"{path}: the data directory cannot be written ({detail})",
                            "set INTENTCTL_DATA_DIR to a writable directory, or INTENTCTL_HISTORY=off")
    return HistoryError(f"{path}: the history store is damaged or is not a database ({detail})", _move_aside(path))


#: The id the last plan was stored under in this context (the CLI says it, so a script needs no race on history).
last_recorded: ContextVar[int | None] = ContextVar("last_recorded", default=None)


def record(plan: ExecutionPlan, request: str | None = None) -> int:
    """Store a plan in one transaction, keeping the newest ``max_plans()``; returns its id.
    Raises HistoryError (never a SQLite error) when it cannot."""
    keep = max_plans()
    row = (datetime.now(UTC).isoformat(timespec="seconds"), request or plan.intent.text,
           plan.intent.model_dump_json(), plan.model_dump_json(), plan.catalog_hash, plan.policy_hash)
    path = db_path()
    with closing(connect(path)) as connection:
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                cursor = connection.execute(
                    "INSERT INTO plans (created_at, request, intent_json, plan_json, catalog_hash, policy_hash) "
                    "VALUES (?, ?, ?, ?, ?, ?)", row)
                if keep:
                    connection.execute("DELETE FROM plans WHERE id <= ?", (cursor.lastrowid - keep,))
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:  # SQLite has rolled back itself after some faults (a full disk)
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise _fault(exc, path) from exc
        return int(cursor.lastrowid)


def _entry(row) -> Entry:
    return Entry(id=row[0], created_at=row[1], request=row[2], plan=ExecutionPlan.model_validate_json(row[4]),
                 catalog_hash=row[5], policy_hash=row[6])


def read_entries(limit: int = 50) -> tuple[list[Entry], int]:
    """The newest stored plans, and how many rows among them could not be read (skipped)."""
    path = db_path()
    if not path.exists():
        return [], 0
    try:
        with closing(connect(path)) as connection:
            rows = connection.execute("SELECT * FROM plans ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    except sqlite3.Error as exc:
        raise _fault(exc, path) from exc
    out, skipped = [], 0
    for row in rows:
        try:
            out.append(_entry(row))
        except (ValueError, TypeError, IndexError):  # a damaged or older row: the others still read
            skipped += 1
    return out, skipped


def entries(limit: int = 50) -> list[Entry]:
    return read_entries(limit)[0]


def get(plan_id: int) -> Entry:
    path = db_path()
    if not path.exists():
        raise HistoryError(f"no plan {plan_id}: the history is empty")
    if not 0 < plan_id < 2**63:  # no id SQLite can hold: none stored
        raise HistoryError(f"no plan {plan_id} in the history (ids are counted from 1; see 'intentctl history')")
    try:
        with closing(connect(path)) as connection:
            row = connection.execute("SELECT * FROM plans WHERE id = ?", (plan_id,)).fetchone()
    except sqlite3.Error as exc:
        raise _fault(exc, path) from exc
    if row is None:
        raise HistoryError(f"no plan {plan_id} in the history")
    try:
        return _entry(row)
    except (ValueError, TypeError, IndexError) as exc:
        raise HistoryError(f"plan {plan_id} is stored but cannot be read ({str(exc).splitlines()[0]})") from exc


def diff(old: Entry, new: Entry) -> list[str]:
    """What changed between two stored plans, and why (the request and intent changes behind it)."""
    lines = []
    if old.request != new.request:
        lines.append(f"request: {old.request!r} -> {new.request!r}")
    changes = plan_changes(old.plan, new.plan)
    if old.catalog_hash != new.catalog_hash:
        changes.append(f"catalog: {old.catalog_hash} -> {new.catalog_hash}")
    if old.policy_hash != new.policy_hash:
        changes.append(f"policy: {old.policy_hash} -> {new.policy_hash}")
    return lines + changes or ["no difference"]


def plan_changes(old: ExecutionPlan, new: ExecutionPlan) -> list[str]:
    """Intent, choice and metric differences between two plans."""
    lines = []
    a, b = json.loads(old.intent.model_dump_json()), json.loads(new.intent.model_dump_json())
    for field in ("task", "objective", "tie_breakers", "constraints", "deployment", "hardware", "precisions",
                  "policies", "workload"):
        lines += _field_changes(f"intent.{field}", a[field], b[field])
    for field, before in old.choice.model_dump().items():
        after = getattr(new.choice, field)
        if before != after:
            lines.append(f"choice.{field}: {before} -> {after}")
    for field in ("latency_ms", "ttft_ms", "tpot_ms", "throughput_rps", "power_w", "energy_j", "memory_gb",
                  "cost_usd_per_hour", "accuracy"):
        before, after = getattr(old.metrics, field), getattr(new.metrics, field)
        if _num(before) != _num(after):  # a change below the figures shown is none
            lines.append(f"metrics.{field}: {_num(before)} -> {_num(after)}")
    return lines


def _field_changes(name: str, before, after) -> list[str]:
    """One line per changed part of an intent field: the keys of an object that changed
    ("intent.workload.spare_replicas: null -> 1"), not the whole object twice."""
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        return [line for key in dict.fromkeys([*before, *after])
                for line in _field_changes(f"{name}.{key}", before.get(key), after.get(key))]
    return [f"{name}: {json.dumps(before, ensure_ascii=False)} -> {json.dumps(after, ensure_ascii=False)}"]


def _num(value) -> str:
    return "unknown" if value is None else f"{value:.6g}"
