"""The plan history: every plan, its request, intent and hashes, in SQLite.

The store lives in the user's data directory (``INTENTCTL_DATA_DIR`` moves it). Each plan is
written in one transaction in WAL mode with a busy timeout, so two processes writing at once
both land, and a process killed mid-write leaves every earlier plan intact.
``INTENTCTL_HISTORY=off`` (or ``--no-history``) turns recording off.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from planner.measure.store import data_dir
from planner.plan import ExecutionPlan

DB_NAME = "history.sqlite"
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


@dataclass(frozen=True)
class Entry:
    id: int
    created_at: str
    request: str
    plan: ExecutionPlan
    catalog_hash: str
    policy_hash: str | None

    def summary(self) -> dict:
        c = self.plan.choice
        return {"id": self.id, "created_at": self.created_at, "request": self.request,
                "choice": f"{c.model_id} on {c.replicas} x {c.device_id} ({c.precision}, batch {c.batch_size})",
                "catalog_hash": self.catalog_hash, "policy_hash": self.policy_hash}


def enabled() -> bool:
    return os.environ.get("INTENTCTL_HISTORY", "on").lower() not in ("off", "0", "false", "no")


def db_path() -> Path:
    return data_dir() / DB_NAME


def connect(path: Path | None = None) -> sqlite3.Connection:
    path = path or db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.execute("PRAGMA busy_timeout=30000")
    _use_wal(connection)
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(SCHEMA)
    return connection


def _use_wal(connection: sqlite3.Connection, attempts: int = 60) -> None:
    """Switch a new store to WAL (it stays so). The switch needs a moment alone with the file,
    and SQLite does not wait for it, so two first writers retry here instead of failing."""
    for attempt in range(attempts):
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            time.sleep(0.02 * (attempt + 1))
    raise HistoryError(f"{db_path()}: the history store stayed locked; is another intentctl stuck?")


def record(plan: ExecutionPlan, request: str | None = None) -> int:
    """Store a plan in one transaction; returns its id."""
    row = (datetime.now(UTC).isoformat(timespec="seconds"), request or plan.intent.text,
           plan.intent.model_dump_json(), plan.model_dump_json(), plan.catalog_hash, plan.policy_hash)
    with closing(connect()) as connection:
        connection.execute("BEGIN IMMEDIATE")
        try:
            cursor = connection.execute(
                "INSERT INTO plans (created_at, request, intent_json, plan_json, catalog_hash, policy_hash) "
                "VALUES (?, ?, ?, ?, ?, ?)", row)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return int(cursor.lastrowid)


def _entry(row) -> Entry:
    return Entry(id=row[0], created_at=row[1], request=row[2], plan=ExecutionPlan.model_validate_json(row[4]),
                 catalog_hash=row[5], policy_hash=row[6])


def entries(limit: int = 50) -> list[Entry]:
    if not db_path().is_file():
        return []
    with closing(connect()) as connection:
        rows = connection.execute("SELECT * FROM plans ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [_entry(r) for r in rows]


def get(plan_id: int) -> Entry:
    if not db_path().is_file():
        raise HistoryError(f"no plan {plan_id}: the history is empty")
    with closing(connect()) as connection:
        row = connection.execute("SELECT * FROM plans WHERE id = ?", (plan_id,)).fetchone()
    if row is None:
        raise HistoryError(f"no plan {plan_id} in the history")
    return _entry(row)


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
        if a[field] != b[field]:
            lines.append(f"intent.{field}: {json.dumps(a[field])} -> {json.dumps(b[field])}")
    for field, before in old.choice.model_dump().items():
        after = getattr(new.choice, field)
        if before != after:
            lines.append(f"choice.{field}: {before} -> {after}")
    for field in ("latency_ms", "throughput_rps", "power_w", "energy_j", "memory_gb", "cost_usd_per_hour", "accuracy"):
        before, after = getattr(old.metrics, field), getattr(new.metrics, field)
        if before != after:
            lines.append(f"metrics.{field}: {_num(before)} -> {_num(after)}")
    return lines


def _num(value) -> str:
    return "unknown" if value is None else f"{value:.6g}"
