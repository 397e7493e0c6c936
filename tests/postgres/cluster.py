"""A throwaway PostgreSQL server for tests, and a copy of a DuckDB warehouse's raw layer into it.

The server is a fresh cluster (initdb) in a temporary folder on a free port, listening on 127.0.0.1 only, with
trust authentication; it is stopped and deleted afterwards. initdb refuses to run as root, so as root every server
command runs as the `postgres` user (which the Debian package creates). When the server binaries are missing and
we are root, the Debian package `postgresql` is installed first (as `make install` does).
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg2
from psycopg2 import sql

DATABASE = "journeyhub"
USER = "journeyhub"
PASSWORD = "journeyhub"

# DuckDB column types of the raw layer (connectors/raw/store.py) and their PostgreSQL counterparts; any other
# type is copied as text.
_TYPES = {
    "VARCHAR": "text",
    "JSON": "jsonb",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "BOOLEAN": "boolean",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
    "DATE": "date",
}


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries, and no way to install them (not root)."""


def is_root() -> bool:
    return os.geteuid() == 0


def find_bindir() -> Path | None:
    """The folder of initdb / pg_ctl / postgres: the newest /usr/lib/postgresql/<major>/bin, else PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]), reverse=True
    )
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def ensure_binaries() -> Path:
    """The server binaries' folder; installs the Debian package `postgresql` when they are missing and we are root."""
    bindir = find_bindir()
    if bindir is not None:
        return bindir
    if not is_root() or shutil.which("apt-get") is None:
        raise PostgresUnavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) are not installed and this user cannot install them: "
            "run `make install` as root or `apt-get install postgresql`"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
        check=True,
        env=env,
        capture_output=True,
    )
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailable("apt-get installed postgresql but initdb is still missing")
    return bindir


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    host: str
    port: int
    database: str = DATABASE
    user: str = USER
    password: str = PASSWORD

    def connect(self, database: str | None = None, user: str | None = None) -> psycopg2.extensions.connection:
        return psycopg2.connect(
            host=self.host,
            port=self.port,
            dbname=database or self.database,
            user=user or self.user,
            password=self.password,
        )

    def create_database(self, name: str) -> Server:
        """A new empty database on the same server, owned by the same role."""
        admin = psycopg2.connect(host=self.host, port=self.port, dbname="postgres", user="postgres")
        try:
            admin.autocommit = True
            with admin.cursor() as cur:
                cur.execute(
                    sql.SQL("create database {} owner {}").format(sql.Identifier(name), sql.Identifier(self.user))
                )
        finally:
            admin.close()
        return dataclasses.replace(self, database=name)

    @property
    def env(self) -> dict[str, str]:
        """The environment of the profile's `postgres` target (dbt_project/profiles.yml)."""
        return {
            "JOURNEYHUB_PG_HOST": self.host,
            "JOURNEYHUB_PG_PORT": str(self.port),
            "JOURNEYHUB_PG_USER": self.user,
            "JOURNEYHUB_PG_PASSWORD": self.password,
            "JOURNEYHUB_PG_DBNAME": self.database,
        }


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if is_root() else cmd


@contextlib.contextmanager
def running_server() -> Iterator[Server]:
    """Start a fresh cluster on a free port with an empty database and role `journeyhub`; stop and delete it after."""
    bindir = ensure_binaries()
    # Not under pytest's tmp_path: its folders are private to root and the server runs as `postgres`.
    base = Path(tempfile.mkdtemp(prefix="journeyhub-pg-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if is_root():
        for p in (base, sockets):
            shutil.chown(p, "postgres", "postgres")
    port = free_port()
    started = False
    try:
        subprocess.run(
            _as_server_user(
                [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]
            ),
            check=True,
            capture_output=True,
            text=True,
        )
        options = (
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=30"
        )
        started = True  # from here on, stop it whatever happens (a timed-out start may still come up)
        subprocess.run(
            _as_server_user(
                [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "server.log"), "-w", "start"]
            ),
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        server = Server(host="127.0.0.1", port=port)
        admin = psycopg2.connect(host=server.host, port=port, dbname="postgres", user="postgres")
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(sql.SQL("create role {} login password %s").format(sql.Identifier(USER)), [PASSWORD])
            cur.execute(sql.SQL("create database {} owner {}").format(sql.Identifier(DATABASE), sql.Identifier(USER)))
        admin.close()
        yield server
    except subprocess.CalledProcessError as exc:
        log = base / "server.log"
        detail = log.read_text(errors="replace")[-4000:] if log.exists() else ""
        raise RuntimeError(f"{exc.cmd!r} failed:\n{exc.stdout}\n{exc.stderr}\n{detail}") from exc
    finally:
        if started:
            subprocess.run(
                _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                check=False,
                capture_output=True,
                timeout=120,
            )
        shutil.rmtree(base, ignore_errors=True)


def copy_raw_layer(warehouse: Path, server: Server) -> dict[str, int]:
    """Copy every table of every raw_* schema of the DuckDB file into the same schema and table in PostgreSQL
    (json → jsonb) through CSV and COPY, replacing what a previous copy left there; returns {schema.table: rows}."""
    counts: dict[str, int] = {}
    scratch = Path(tempfile.mkdtemp(prefix="journeyhub-raw-"))
    pg = server.connect()
    try:
        with duckdb.connect(str(warehouse), read_only=True) as duck, pg, pg.cursor() as cur:
            columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
            for schema, table, column, data_type in duck.execute(
                """
                select c.table_schema, c.table_name, c.column_name, c.data_type
                from information_schema.columns as c
                inner join information_schema.tables as t
                    on c.table_schema = t.table_schema and c.table_name = t.table_name
                where c.table_schema like 'raw\\_%' escape '\\' and t.table_type = 'BASE TABLE'
                order by c.table_schema, c.table_name, c.ordinal_position
                """
            ).fetchall():
                columns.setdefault((schema, table), []).append((column, data_type))
            for (schema, table), cols in columns.items():
                target = sql.Identifier(schema, table)
                names = sql.SQL(", ").join(sql.Identifier(c) for c, _ in cols)
                # existing raw tables are emptied rather than dropped (the staging models read them)
                cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
                cur.execute(
                    sql.SQL("create table if not exists {} ({})").format(
                        target,
                        sql.SQL(", ").join(
                            sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_TYPES.get(t, "text"))) for c, t in cols
                        ),
                    )
                )
                cur.execute(sql.SQL("truncate {}").format(target))
                csv_path = scratch / f"{schema}.{table}.csv"
                duck.execute(
                    f"copy (select {', '.join(_export(c, t) for c, t in cols)} "
                    f"from {_duck_ident(schema)}.{_duck_ident(table)}) to '{csv_path}' (format csv, header false)"
                )
                with csv_path.open(encoding="utf-8") as f:
                    cur.copy_expert(sql.SQL("copy {} ({}) from stdin with (format csv)").format(target, names), f)
                counts[f"{schema}.{table}"] = cur.rowcount
                csv_path.unlink()
            cur.execute("analyze")  # planner statistics for the new rows
    finally:
        pg.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return counts


def _duck_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _export(column: str, data_type: str) -> str:
    """The DuckDB expression exporting a column to CSV; other types than _TYPES (lists, structs) travel as text."""
    return _duck_ident(column) if data_type in _TYPES else f"cast({_duck_ident(column)} as varchar)"


def postgres_query(server: Server) -> Callable[[str], tuple[list[str], list[tuple]]]:
    """A function that runs one query on ``server`` and returns its column names and rows."""

    def query(sql: str) -> tuple[list[str], list[tuple]]:
        con = server.connect()
        try:
            with con.cursor() as cur:
                cur.execute(sql)
                return [d[0] for d in cur.description], cur.fetchall()
        finally:
            con.close()

    return query
