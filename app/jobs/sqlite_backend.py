"""The SQLite backend: one file in DATA_DIR, WAL, every commit fsynced (synchronous=FULL)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.jobs.backend import Taken

WORKER = "worker:"  # the workers' roster: one expiring kv key per worker process
SCHEMA = [
    "create table if not exists kv (key text primary key, value text not null, expires real) without rowid",
    "create table if not exists jobs (id integer primary key, key text not null unique, payload text not null,"
    " gen integer not null, attempts integer not null, available real not null, owner text)",
    "create index if not exists jobs_available on jobs (available)",
]


class SqliteBackend:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.local = threading.local()
        self.write_lock = threading.Lock()  # one writer per process: no busy-wait sleeps inside SQLite
        self.conns: list[sqlite3.Connection] = []
        with self._tx() as conn:
            for statement in SCHEMA:
                conn.execute(statement)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self.local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("pragma journal_mode=wal")
            conn.execute("pragma synchronous=full")  # a commit is on disk before it returns
            self.local.conn = conn
            with self.write_lock:
                self.conns.append(conn)
        return conn

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        with self.write_lock:
            conn.execute("begin immediate")
            try:
                yield conn
            except BaseException:
                conn.execute("rollback")
                raise
            conn.execute("commit")

    # --- key/value -------------------------------------------------------------------------------
    def get(self, key: str) -> str | None:
        sql = "select value from kv where key = ? and (expires is null or expires > ?)"
        row = self._conn().execute(sql, (key, time.time())).fetchone()
        return None if row is None else str(row[0])

    def present(self, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for at in range(0, len(keys), 500):
            chunk = keys[at : at + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"select key from kv where key in ({marks}) and (expires is null or expires > ?)"  # noqa: S608
            found.update(str(r[0]) for r in self._conn().execute(sql, (*chunk, time.time())))
        return found

    def put(self, key: str, value: str, ttl: float | None = None) -> None:
        expires = None if ttl is None else time.time() + ttl
        with self._tx() as conn:
            conn.execute("insert or replace into kv values (?, ?, ?)", (key, value, expires))

    def delete(self, key: str) -> None:
        with self._tx() as conn:
            conn.execute("delete from kv where key = ?", (key,))

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        now = time.time()
        with self._tx() as conn:
            return self._add(conn, key, value, None if ttl is None else now + ttl, now)

    @staticmethod
    def _add(conn: sqlite3.Connection, key: str, value: str, expires: float | None, now: float) -> bool:
        cur = conn.execute(
            "insert into kv values (?, ?, ?) on conflict (key) do update set value = excluded.value,"
            " expires = excluded.expires where kv.expires is not null and kv.expires <= ?",
            (key, value, expires, now),
        )
        return cur.rowcount > 0

    def renew(self, key: str, value: str, ttl: float) -> bool:
        now = time.time()
        with self._tx() as conn:
            sql = "update kv set expires = ? where key = ? and value = ? and (expires is null or expires > ?)"
            return conn.execute(sql, (now + ttl, key, value, now)).rowcount > 0

    def delete_if(self, key: str, value: str) -> bool:
        with self._tx() as conn:
            return conn.execute("delete from kv where key = ? and value = ?", (key, value)).rowcount > 0

    # --- jobs ------------------------------------------------------------------------------------
    def push(
        self, jobs: list[tuple[str, str, float]], seen: list[str], seen_ttl: float, *, durable: bool = True
    ) -> list[bool]:
        now = time.time()
        new = []
        conn = self._conn()
        mode = "full" if durable else "normal"  # WAL + normal: on disk at the next checkpoint
        if getattr(self.local, "sync", "full") != mode:
            conn.execute(f"pragma synchronous={mode}")
            self.local.sync = mode
        with self._tx() as conn:
            for key, payload, delay in jobs:
                row = conn.execute(
                    "insert into jobs (key, payload, gen, attempts, available, owner) values (?, ?, 1, 0, ?, null)"
                    " on conflict (key) do update set gen = gen + 1, available = case when owner is null"
                    " then min(available, excluded.available) else available end returning gen",
                    (key, payload, now + delay),
                ).fetchone()
                new.append(row[0] == 1)
            for guid in seen:
                conn.execute("insert or replace into kv values (?, '1', ?)", (guid, now + seen_ttl))
        return new

    def take(self, owner: str, lease: float) -> Taken | None:
        now = time.time()
        probe = "select 1 from jobs where available <= ? limit 1"
        if self._conn().execute(probe, (now,)).fetchone() is None:
            return None  # nothing due: no write transaction
        with self._tx() as conn:
            row = conn.execute(
                "select key, payload, gen, attempts from jobs where available <= ? order by available, id limit 1",
                (now,),
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                "update jobs set owner = ?, available = ?, attempts = attempts + 1 where key = ?",
                (owner, now + lease, row[0]),
            )
        return Taken(str(row[0]), str(row[1]), int(row[2]), int(row[3]) + 1)

    def finish(self, key: str, owner: str, gen: int) -> None:
        with self._tx() as conn:
            if conn.execute("delete from jobs where key = ? and gen = ?", (key, gen)).rowcount == 0:
                sql = "update jobs set owner = null, available = ?, attempts = 0 where key = ? and owner = ?"
                conn.execute(sql, (time.time(), key, owner))

    def release(self, key: str, owner: str, delay: float) -> None:
        with self._tx() as conn:
            sql = "update jobs set owner = null, available = ? where key = ? and owner = ?"
            conn.execute(sql, (time.time() + delay, key, owner))

    def extend(self, owner: str, keys: list[str], lease: float) -> None:
        if not keys:
            return
        with self._tx() as conn:
            marks = ",".join("?" * len(keys))
            sql = f"update jobs set available = ? where owner = ? and key in ({marks})"  # noqa: S608 (marks: "?,?")
            conn.execute(sql, (time.time() + lease, owner, *keys))

    def queued(self, key: str) -> bool:
        return self._conn().execute("select 1 from jobs where key = ?", (key,)).fetchone() is not None

    def waiting(self, prefix: str, limit: int) -> list[str]:
        """Keys of jobs not taken yet that start with `prefix`, soonest due first (a range of the key index)."""
        sql = "select key from jobs where key >= ? and key < ? and owner is null order by available limit ?"
        return [str(r[0]) for r in self._conn().execute(sql, (prefix, prefix + "\U0010ffff", limit))]

    def size(self) -> int:
        return int(self._conn().execute("select count(*) from jobs").fetchone()[0])

    def checkpoint(self) -> None:
        conn = self._conn()
        with self.write_lock:
            conn.execute("pragma wal_checkpoint(full)")  # syncs the WAL, then the database

    def purge(self) -> int:
        with self._tx() as conn:
            return conn.execute("delete from kv where expires < ?", (time.time(),)).rowcount

    def beat(self, member: str, value: str, ttl: float) -> None:
        self.put(WORKER + member, value, ttl)

    def beats(self) -> dict[str, str]:
        # The range covers exactly the keys that start with "worker:" (";" follows ":" in ASCII).
        sql = "select key, value from kv where key >= ? and key < ? and expires > ?"
        rows = self._conn().execute(sql, (WORKER, WORKER[:-1] + ";", time.time())).fetchall()
        return {str(k).removeprefix(WORKER): str(v) for k, v in rows}

    def unbeat(self, member: str) -> None:
        self.delete(WORKER + member)

    def ping(self) -> bool:
        try:
            self._conn().execute("select 1").fetchone()
            return True
        except sqlite3.Error:
            return False

    def close(self) -> None:
        with self.write_lock:
            for conn in self.conns:
                conn.close()
            self.conns.clear()
        self.local = threading.local()
