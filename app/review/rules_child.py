"""The rules' own process: evaluates PRs sent by app.review.budget, so a slow one never holds the service's GIL.

Frames on stdin/stdout are a 4-byte length then a pickle (both ends are undersigned). A folder's texts are read
on demand: the child asks its parent for a file, and the parent reads it through its caches."""

from __future__ import annotations

import os
import pickle
import struct
import sys
import traceback
from collections.abc import Iterator, Mapping
from typing import IO, Any

from app.rules import evaluate

_LENGTH = struct.Struct(">I")


def write_frame(out: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_LENGTH.pack(len(data)) + data)
    out.flush()


def read_frame(src: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    head = src.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    body = src.read(size)
    if len(body) < size:  # the writer died mid-frame
        return None
    return pickle.loads(body)  # noqa: S301 (written by the parent process, never by a signer)


class Remote(Mapping[str, str]):
    """A folder of the letter whose paths are known and whose texts the parent reads when asked."""

    def __init__(self, which: str, paths: list[str]) -> None:
        self.which, self.paths, self.known = which, paths, set(paths)
        self.read: dict[str, str | None] = {}

    def bind(self, src: IO[bytes], out: IO[bytes]) -> None:
        self.src, self.out = src, out

    def __getitem__(self, path: str) -> str:
        if path not in self.known:
            raise KeyError(path)
        if path not in self.read:
            write_frame(self.out, ("get", self.which, path))
            self.read[path] = read_frame(self.src)
        text = self.read[path]
        if text is None:
            raise KeyError(path)
        return str(text)

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def __getstate__(self) -> dict[str, object]:
        return {"which": self.which, "paths": self.paths}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["which"], state["paths"])  # type: ignore[misc]


def main() -> None:
    try:
        _serve()
    except (BrokenPipeError, ConnectionResetError):
        # The service died (kill -9) while this child worked: nobody is left to answer, and a traceback would
        # only land in the service's log. The parent's replacement starts children of its own.
        os._exit(0)


def _serve() -> None:
    # Run as `-m`, this file is __main__: the Remote that the parent pickled is the one in the package module.
    from app.review.rules_child import Remote as Pickled

    src, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the pipe
    write_frame(out, ("ready",))
    while (request := read_frame(src)) is not None:
        config, texts, changed, author, now, ownership = request
        for part in (texts.base, texts.head, texts.current):
            if isinstance(part, Pickled):
                part.bind(src, out)
        try:
            verdict = evaluate(config, texts, changed, author, now, ownership)
        except Exception:  # a bug in the rules: the parent raises it, as an in-process call would
            write_frame(out, ("error", traceback.format_exc()))
            continue
        write_frame(out, ("done", verdict))


if __name__ == "__main__":
    main()
