"""The intake log's files: segments of length-prefixed, checksummed records, written whole and preallocated.

A record: 4-byte length, 4-byte CRC-32, JSON {"d": delivery GUID, "j": [job, ...]}. A torn last record (a
crash mid-write) fails its CRC and ends the segment: it was never fsynced, so never answered. Segments are
written full of zeros (and fsynced) before use, so an fdatasync after a write flushes data only, never the
file's size: on this kind of disk that halves the fsync's tail latency. A zero length ends a segment.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

HEADER = struct.Struct("<II")
SEGMENT_BYTES = 4 * 1024 * 1024


@dataclass
class Record:
    delivery: str
    jobs: list[str]  # Job.dumps() texts

    def encode(self) -> bytes:
        data = json.dumps({"d": self.delivery, "j": self.jobs}, separators=(",", ":")).encode()
        return HEADER.pack(len(data), zlib.crc32(data)) + data


def read_records(raw: bytes) -> tuple[list[Record], int]:
    """The whole records at the start of `raw`, and how many bytes they take (up to a torn or absent tail)."""
    out, at = [], 0
    while at + HEADER.size <= len(raw):
        size, crc = HEADER.unpack_from(raw, at)
        data = raw[at + HEADER.size : at + HEADER.size + size]
        if size == 0 or len(data) < size or zlib.crc32(data) != crc:
            break
        item = json.loads(data)
        out.append(Record(str(item["d"]), [str(j) for j in item["j"]]))
        at += HEADER.size + size
    return out, at


def read_segment(path: Path) -> list[Record]:
    return read_records(path.read_bytes())[0]


def segment_name(number: int) -> str:
    return f"{number:012d}.log"


def prepare(path: Path, size: int) -> None:
    """A segment to be: `size` zero bytes, on disk, under a name replay ignores."""
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        block = b"\0" * (1024 * 1024)
        for at in range(0, size, len(block)):
            os.pwrite(fd, block[: min(len(block), size - at)], at)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(temp, path)


def sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
