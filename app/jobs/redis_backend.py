"""The Redis backend: jobs in a sorted set scored by when they are due (a lease pushes the score ahead),
each job's fields in a hash, every change to one job in one Lua script (atomic). Durability is Redis's own:
run it with `appendonly yes` and `appendfsync always` for jobs to survive a Redis crash."""

from __future__ import annotations

from typing import Any

import redis

from app.jobs.backend import Taken

P = "undersigned:"
JOBS, KV = P + "jobs", P + "kv:"
WORKERS, WORKER = P + "workers", P + "worker:"  # the roster's index (a set), and one expiring key per worker
NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1e6 "
PUSH = (
    NOW
    + """
local h = ARGV[4] .. ARGV[1]
local due = now + tonumber(ARGV[3])
if redis.call('EXISTS', h) == 1 then
  redis.call('HINCRBY', h, 'gen', 1)
  if redis.call('HGET', h, 'owner') == '' then
    local cur = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]))
    if cur == nil or due < cur then redis.call('ZADD', KEYS[1], due, ARGV[1]) end
  end
  return 0
end
redis.call('HSET', h, 'payload', ARGV[2], 'gen', 1, 'attempts', 0, 'owner', '')
redis.call('ZADD', KEYS[1], due, ARGV[1])
return 1"""
)
TAKE = (
    NOW
    + """
local found = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1)
if #found == 0 then return false end
local key = found[1]
local h = ARGV[3] .. key
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), key)
redis.call('HSET', h, 'owner', ARGV[1])
local attempts = redis.call('HINCRBY', h, 'attempts', 1)
return {key, redis.call('HGET', h, 'payload'), redis.call('HGET', h, 'gen'), attempts}"""
)
FINISH = (
    NOW
    + """
local h = ARGV[4] .. ARGV[1]
if redis.call('HGET', h, 'gen') == ARGV[3] then
  redis.call('DEL', h)
  redis.call('ZREM', KEYS[1], ARGV[1])
elseif redis.call('HGET', h, 'owner') == ARGV[2] then
  redis.call('HSET', h, 'owner', '', 'attempts', 0)
  redis.call('ZADD', KEYS[1], now, ARGV[1])
end"""
)
RELEASE = (
    NOW
    + """
local h = ARGV[4] .. ARGV[1]
if redis.call('HGET', h, 'owner') == ARGV[2] then
  redis.call('HSET', h, 'owner', '')
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
end"""
)
EXTEND = (
    NOW
    + """
for i = 4, #ARGV do
  if redis.call('HGET', ARGV[1] .. ARGV[i], 'owner') == ARGV[2] then
    redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[3]), ARGV[i])
  end
end"""
)
RENEW = """if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"""
DELETE_IF = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class RedisBackend:
    def __init__(self, url: str) -> None:
        self.r = redis.Redis.from_url(url, decode_responses=True)
        self.scripts: dict[str, Any] = {
            name: self.r.register_script(body)
            for name, body in {
                "push": PUSH,
                "take": TAKE,
                "finish": FINISH,
                "release": RELEASE,
                "extend": EXTEND,
                "renew": RENEW,
                "delete_if": DELETE_IF,
            }.items()
        }

    @staticmethod
    def _ms(ttl: float | None) -> int | None:
        return None if ttl is None else max(1, int(ttl * 1000))

    def get(self, key: str) -> str | None:
        value = self.r.get(KV + key)
        return None if value is None else str(value)

    def present(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        values = self.r.mget([KV + k for k in keys])
        return {k for k, v in zip(keys, values, strict=True) if v is not None}

    def put(self, key: str, value: str, ttl: float | None = None) -> None:
        self.r.set(KV + key, value, px=self._ms(ttl))

    def delete(self, key: str) -> None:
        self.r.delete(KV + key)

    def add(self, key: str, value: str, ttl: float | None = None) -> bool:
        return bool(self.r.set(KV + key, value, nx=True, px=self._ms(ttl)))

    def renew(self, key: str, value: str, ttl: float) -> bool:
        return bool(self.scripts["renew"](keys=[KV + key], args=[value, self._ms(ttl)]))

    def delete_if(self, key: str, value: str) -> bool:
        return bool(self.scripts["delete_if"](keys=[KV + key], args=[value]))

    def push(
        self, jobs: list[tuple[str, str, float]], seen: list[str], seen_ttl: float, *, durable: bool = True
    ) -> list[bool]:
        pipe = self.r.pipeline(transaction=True)
        for key, payload, delay in jobs:
            self.scripts["push"](keys=[JOBS], args=[key, payload, delay, P + "job:"], client=pipe)
        for guid in seen:
            pipe.set(KV + guid, "1", px=self._ms(seen_ttl))
        results = pipe.execute()
        return [bool(r) for r in results[: len(jobs)]]

    def take(self, owner: str, lease: float) -> Taken | None:
        found = self.scripts["take"](keys=[JOBS], args=[owner, lease, P + "job:"])
        if not found:
            return None
        key, payload, gen, attempts = found
        return Taken(str(key), str(payload), int(gen), int(attempts))

    def finish(self, key: str, owner: str, gen: int) -> None:
        self.scripts["finish"](keys=[JOBS], args=[key, owner, gen, P + "job:"])

    def release(self, key: str, owner: str, delay: float) -> None:
        self.scripts["release"](keys=[JOBS], args=[key, owner, delay, P + "job:"])

    def extend(self, owner: str, keys: list[str], lease: float) -> None:
        if keys:
            self.scripts["extend"](keys=[JOBS], args=[P + "job:", owner, lease, *keys])

    def queued(self, key: str) -> bool:
        return self.r.zscore(JOBS, key) is not None

    def waiting(self, prefix: str, limit: int) -> list[str]:
        """Keys of queued jobs that start with `prefix` (taken ones too: Redis keeps no index of owners)."""
        pattern = "".join("\\" + c if c in "*?[]\\" else c for c in prefix) + "*"
        found: list[str] = []
        for key, _ in self.r.zscan_iter(JOBS, match=pattern, count=1000):
            found.append(str(key))
            if len(found) >= limit:
                break
        return found

    def size(self) -> int:
        return int(self.r.zcard(JOBS))

    def checkpoint(self) -> None:
        return None  # Redis persists by its own configuration (appendfsync)

    def purge(self) -> int:
        return 0

    def beat(self, member: str, value: str, ttl: float) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.set(WORKER + member, value, px=self._ms(ttl))
        pipe.sadd(WORKERS, member)
        pipe.execute()

    def beats(self) -> dict[str, str]:
        members = sorted(str(m) for m in self.r.smembers(WORKERS))
        if not members:
            return {}
        values = self.r.mget([WORKER + m for m in members])
        lapsed = [m for m, v in zip(members, values, strict=True) if v is None]
        if lapsed:
            self.r.srem(WORKERS, *lapsed)  # a member that beats again is added back
        return {m: str(v) for m, v in zip(members, values, strict=True) if v is not None}

    def unbeat(self, member: str) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(WORKER + member)
        pipe.srem(WORKERS, member)
        pipe.execute()

    def ping(self) -> bool:
        try:
            return bool(self.r.ping())
        except redis.RedisError:
            return False

    def close(self) -> None:
        self.r.close()
