"""``peerlend backup`` / ``peerlend restore``: a restored database audits clean with identical books.

The commands run in subprocesses against their own databases (PEERLEND_VAR_DIR / DATABASE_URL),
so the test database is never touched. The books come from a short simulation: deposits,
investments, disbursed loans, repayments.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

pytestmark = pytest.mark.slow

MAIN_TABLES = ("accounts_user", "ledger_ledgeraccount", "ledger_journalentry", "ledger_posting",
               "lending_loan", "lending_note")


def peerlend(*args: str, var_dir: Path, database_url: str | None = None,
             check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PEERLEND_ENV")}
    env["PEERLEND_VAR_DIR"] = str(var_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run([sys.executable, "-m", "peerlend.cli", *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"peerlend {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def build_books(var_dir: Path, database_url: str | None = None) -> None:
    peerlend("migrate", "--noinput", "-v0", var_dir=var_dir, database_url=database_url)
    peerlend("simulate", "--seed", "3", "--months", "2", "--borrowers", "8", "--investors", "4", "--agents", "1",
             var_dir=var_dir, database_url=database_url)


def snapshot(conn: Any, tables: list[str]) -> dict[str, Any]:
    """Every ledger account's balance and every table's row count."""
    cur = conn.cursor()
    cur.execute("SELECT id, code, balance_minor FROM ledger_ledgeraccount ORDER BY id")
    balances = [tuple(row) for row in cur.fetchall()]
    counts = {}
    for table in tables:
        cur.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cur.fetchone()[0]
    return {"balances": balances, "counts": counts}


def sqlite_snapshot(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return snapshot(conn, tables)
    finally:
        conn.close()


def assert_real_books(snap: dict[str, Any]) -> None:
    counts = snap["counts"]
    assert all(counts[t] > 0 for t in MAIN_TABLES), counts
    assert any(balance != 0 for _, _, balance in snap["balances"])


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite var dir holding a short simulation's books."""
    var_dir = tmp_path_factory.mktemp("books")
    build_books(var_dir)
    return var_dir


@pytest.fixture(scope="module")
def archive(books: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of ``books``; tests that alter it work on a copy."""
    path = tmp_path_factory.mktemp("archive") / "peerlend.backup"
    peerlend("backup", str(path), var_dir=books)
    return path


# --- SQLite ------------------------------------------------------------------------------------

def test_sqlite_backup_restores_into_a_fresh_database_with_identical_books(books, tmp_path):
    path = tmp_path / "peerlend.backup"
    out = peerlend("backup", str(path), var_dir=books).stdout
    size = path.stat().st_size
    assert re.search(rf"{size} bytes, \d+ tables, \d+ rows, sha256 [0-9a-f]{{64}}", out), out
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file

    fresh = tmp_path / "fresh"
    restored = peerlend("restore", str(path), var_dir=fresh)
    assert "audit: clean" in restored.stdout, restored.stdout
    assert "not applied" not in restored.stdout

    before = sqlite_snapshot(books / "peerlend.sqlite3")
    assert_real_books(before)
    assert sqlite_snapshot(fresh / "peerlend.sqlite3") == before
    peerlend("audit", var_dir=fresh)


def test_restore_refuses_a_database_with_data_unless_forced(archive, tmp_path):
    target = tmp_path / "target"
    # Migrated but unused: content types and platform accounts exist, yet it counts as empty.
    peerlend("migrate", "--noinput", "-v0", var_dir=target)
    peerlend("restore", str(archive), var_dir=target)

    refused = peerlend("restore", str(archive), var_dir=target, check=False)
    assert refused.returncode != 0
    assert "already holds data" in refused.stderr and "--force" in refused.stderr
    forced = peerlend("restore", "--force", str(archive), var_dir=target)
    assert "audit: clean" in forced.stdout


def test_backup_refuses_to_overwrite_a_file_and_restore_refuses_a_foreign_file(books, tmp_path):
    existing = tmp_path / "old.backup"
    existing.write_bytes(b"previous backup")
    refused = peerlend("backup", str(existing), var_dir=books, check=False)
    assert refused.returncode != 0 and "exists" in refused.stderr
    assert existing.read_bytes() == b"previous backup"

    foreign = peerlend("restore", str(existing), var_dir=tmp_path / "t", check=False)
    assert foreign.returncode != 0 and "neither a SQLite database nor a pg_dump" in foreign.stderr


def test_sqlite_backup_is_a_consistent_snapshot_while_a_writer_is_busy(books, tmp_path):
    """Online: a writer's open transaction neither blocks the backup nor leaks into it (WAL)."""
    live = books / "peerlend.sqlite3"
    before = sqlite_snapshot(live)
    writer = sqlite3.connect(live, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('ops', 'uncommitted', '2025-01-01')")
        online = tmp_path / "online.backup"
        peerlend("backup", str(online), var_dir=books)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert sqlite_snapshot(online) == before


def test_restore_exits_non_zero_when_the_restored_books_do_not_audit(archive, tmp_path):
    tampered = Path(shutil.copy(archive, tmp_path / "tampered.backup"))
    with sqlite3.connect(tampered) as conn:
        conn.execute("UPDATE ledger_ledgeraccount SET balance_minor = balance_minor + 1 WHERE id = "
                     "(SELECT MAX(id) FROM ledger_ledgeraccount WHERE kind = 'available')")
    done = peerlend("restore", str(tampered), var_dir=tmp_path / "t", check=False)
    assert done.returncode == 1
    assert "ledger.balances_match_postings" in done.stdout and "violation" in done.stdout


# --- PostgreSQL --------------------------------------------------------------------------------

def _pg_major(text: str) -> int:
    """15 from "15.20 (Debian ...)" or "pg_dump (PostgreSQL) 15.20 (Debian ...)"."""
    match = re.search(r"(?:^|\(PostgreSQL\) )(\d+)", text)
    assert match, text
    return int(match.group(1))


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_backup_restores_into_a_fresh_database_with_identical_books(tmp_path):
    import psycopg

    for tool in ("pg_dump", "pg_restore"):
        assert shutil.which(tool), f"{tool} is not installed"
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        server = _pg_major(cur.fetchone()[0])
    dump_version = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True, check=True).stdout
    assert _pg_major(dump_version) == server, (dump_version, server)

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    base = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    suffix = secrets.token_hex(4)
    source, target = f"peerlend_backup_src_{suffix}", f"peerlend_backup_dst_{suffix}"
    admin = psycopg.connect(f"{base}/postgres", autocommit=True)
    try:
        for name in (source, target):
            admin.execute(f'CREATE DATABASE "{name}"')
        var_dir = tmp_path / "var"
        build_books(var_dir, f"{base}/{source}")
        archive = tmp_path / "peerlend.dump"
        out = peerlend("backup", str(archive), var_dir=var_dir, database_url=f"{base}/{source}").stdout
        assert re.search(r"\d+ bytes, \d+ tables, sha256 [0-9a-f]{64}", out), out
        assert archive.read_bytes().startswith(b"PGDMP")

        restored = peerlend("restore", str(archive), var_dir=var_dir, database_url=f"{base}/{target}")
        assert "audit: clean" in restored.stdout, restored.stdout
        snaps = []
        for name in (source, target):
            with psycopg.connect(f"{base}/{name}") as conn:
                tables = [r[0] for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                    "AND table_type = 'BASE TABLE' ORDER BY table_name")]
                snaps.append(snapshot(conn, tables))
        assert_real_books(snaps[0])
        assert snaps[1] == snaps[0]

        refused = peerlend("restore", str(archive), var_dir=var_dir, database_url=f"{base}/{target}", check=False)
        assert refused.returncode != 0 and "already holds data" in refused.stderr
        # --clean over a populated schema: the restore replaces it and still audits clean.
        forced = peerlend("restore", "--force", str(archive), var_dir=var_dir, database_url=f"{base}/{target}")
        assert "audit: clean" in forced.stdout, forced.stdout
    finally:
        for name in (source, target):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
