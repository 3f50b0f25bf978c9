"""Back up and restore the configured database: ``peerlend backup`` / ``peerlend restore``.

SQLite goes through sqlite3's online backup API: the copy is one consistent snapshot even while
the server keeps writing (WAL), unlike a file copy that can catch a half-checkpointed file.
PostgreSQL goes through ``pg_dump --format=custom`` / ``pg_restore``, which must be of the
server's major version. Connection secrets travel only in the child's environment (PGPASSWORD)
and are never printed. Uploaded files (``var/media``, ``var/private``) are not in the database:
copy them beside the backup.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from peerlend.errors import ApplicationError
from peerlend.ledger.models import JournalEntry

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupRefused(ApplicationError):
    code = "backup_refused"


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds, as printed after ``backup`` and before ``restore``."""

    path: Path
    size_bytes: int
    sha256: str
    tables: int
    rows: int | None  # None where counting would mean reading the whole archive (PostgreSQL)

    def describe(self) -> str:
        rows = "" if self.rows is None else f", {self.rows} rows"
        return f"{self.path}: {self.size_bytes} bytes, {self.tables} tables{rows}, sha256 {self.sha256}"


def _db() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def vendor() -> str:
    return str(connection.vendor)


def describe_target() -> str:
    """The configured database, without credentials."""
    db = _db()
    if vendor() == "sqlite":
        return f"SQLite file {db['NAME']}"
    host = db.get("HOST") or "local socket"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"{vendor()} database {db['NAME']} on {host}{port}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def database_holds_data() -> bool:
    """True once the database has members or books; a migrated but unused database is empty.

    Migrations seed content types, permissions and the platform's ledger accounts, so "any row"
    would call every fresh database full.
    """
    tables = set(connection.introspection.table_names())
    for model in (get_user_model(), JournalEntry):
        table = model._meta.db_table
        if table in tables:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone() is not None:
                    return True
    return False


def _sqlite_file() -> Path:
    name = str(_db()["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        raise BackupRefused("an in-memory SQLite database cannot be backed up or restored", code="backup_in_memory")
    return Path(name)


def _check_destination(path: Path, *, force: bool) -> None:
    if path.exists() and not force:
        raise BackupRefused(f"{path} exists; pass --force to overwrite it", code="backup_exists")
    if path.is_dir():
        raise BackupRefused(f"{path} is a directory", code="backup_is_directory")
    if vendor() == "sqlite" and path.exists() and path.resolve() == _sqlite_file().resolve():
        raise BackupRefused("the backup path is the live database file", code="backup_is_live_database")


def _partial(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


# --- SQLite ------------------------------------------------------------------------------------

def _sqlite_contents(conn: sqlite3.Connection) -> tuple[int, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    rows = sum(conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names)  # noqa: S608
    return len(names), rows


def _backup_sqlite(path: Path) -> BackupInfo:
    source = _sqlite_file()
    if not source.exists():
        raise BackupRefused(f"no database at {source}", code="backup_no_database")
    partial = _partial(path)
    partial.unlink(missing_ok=True)
    connection.ensure_connection()
    dest = sqlite3.connect(partial)
    try:
        # One step (pages=-1): the copy is a single read snapshot of the live database.
        connection.connection.backup(dest)
        # A self-contained file: no -wal/-shm companions to forget when the file is moved.
        dest.execute("PRAGMA journal_mode=DELETE")
        (check,) = dest.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise BackupRefused(f"the copy failed its integrity check: {check}", code="backup_corrupt")
        tables, rows = _sqlite_contents(dest)
    finally:
        dest.close()
    os.replace(partial, path)
    return BackupInfo(path, path.stat().st_size, sha256_of(path), tables, rows)


def _restore_sqlite(path: Path) -> None:
    target = _sqlite_file()
    if target.exists() and target.resolve() == path.resolve():
        raise BackupRefused("the backup is the live database file itself", code="backup_is_live_database")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    connection.close()
    dest = sqlite3.connect(target, timeout=30)
    try:
        (check,) = src.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise BackupRefused(f"{path} failed its integrity check: {check}", code="backup_corrupt")
        # Page by page through SQLite itself, so the target's WAL and locks stay coherent.
        src.backup(dest)
    finally:
        dest.close()
        src.close()


def _sqlite_info(path: Path) -> BackupInfo:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables, rows = _sqlite_contents(conn)
    finally:
        conn.close()
    return BackupInfo(path, path.stat().st_size, sha256_of(path), tables, rows)


# --- PostgreSQL --------------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupRefused(f"{name} is not installed (Debian: postgresql-client-15)", code="backup_tool_missing")
    return found


def _pg_connection() -> tuple[list[str], dict[str, str]]:
    """Command-line options and environment for the PostgreSQL client tools."""
    db = _db()
    args = ["--no-password"]  # never prompt: a missing password is an error, not a hang
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tool = Path(cmd[0]).name
        raise BackupRefused(f"{tool} failed (exit {done.returncode}): {done.stderr.strip()}", code="backup_tool_failed")
    return done.stdout


def _pg_info(path: Path) -> BackupInfo:
    listing = _run([_pg_tool("pg_restore"), "--list", str(path)], dict(os.environ))
    tables = sum(1 for line in listing.splitlines() if " TABLE DATA " in line and not line.startswith(";"))
    return BackupInfo(path, path.stat().st_size, sha256_of(path), tables, None)


def _backup_postgres(path: Path) -> BackupInfo:
    args, env = _pg_connection()
    partial = _partial(path)
    partial.unlink(missing_ok=True)
    _run([_pg_tool("pg_dump"), "--format=custom", "--file", str(partial), *args, "--dbname", str(_db()["NAME"])], env)
    os.replace(partial, path)
    return _pg_info(path)


def _restore_postgres(path: Path) -> None:
    args, env = _pg_connection()
    connection.close()
    _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
          "--single-transaction", *args, "--dbname", str(_db()["NAME"]), str(path)], env)


# --- use cases ---------------------------------------------------------------------------------

def backup(path: Path, *, force: bool = False) -> BackupInfo:
    """Write a consistent copy of the configured database to ``path`` (atomically, via a .partial file)."""
    _check_destination(path, force=force)
    path.parent.mkdir(parents=True, exist_ok=True)
    if vendor() == "sqlite":
        return _backup_sqlite(path)
    if vendor() == "postgresql":
        return _backup_postgres(path)
    raise BackupRefused(f"backups of {vendor()} are not supported", code="backup_unsupported")


def inspect(path: Path) -> BackupInfo:
    """Check that ``path`` is a backup for the configured kind of database and describe it."""
    if not path.is_file():
        raise BackupRefused(f"no backup file at {path}", code="backup_missing")
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    kind = "sqlite" if head == SQLITE_MAGIC else "postgresql" if head.startswith(PG_CUSTOM_MAGIC) else None
    if kind is None:
        raise BackupRefused(f"{path} is neither a SQLite database nor a pg_dump custom archive",
                            code="backup_unknown_format")
    if kind != vendor():
        raise BackupRefused(f"{path} is a {kind} backup but the configured database is {vendor()}",
                            code="backup_wrong_kind")
    return _sqlite_info(path) if kind == "sqlite" else _pg_info(path)


def restore(path: Path, *, force: bool = False) -> BackupInfo:
    """Replace the configured database with the backup at ``path``; refuses a database with data unless forced."""
    info = inspect(path)
    if not force and database_holds_data():
        raise BackupRefused(f"{describe_target()} already holds data; pass --force to replace it",
                            code="restore_target_not_empty")
    if vendor() == "sqlite":
        _restore_sqlite(path)
    else:
        _restore_postgres(path)
    connection.close()  # the next query sees the restored database on a fresh connection
    return info
