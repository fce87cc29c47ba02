"""Files as they will be after a batch: the letter as read, with the batch's writes on top."""

from __future__ import annotations

from collections.abc import Iterator, Mapping


class Layered(Mapping[str, str]):
    """Files as they will be: `below` as read (maybe lazily), with this batch's writes on top."""

    def __init__(self, below: Mapping[str, str]) -> None:
        self.below, self.top = below, dict[str, str | None]()

    def write(self, changes: Mapping[str, str | None]) -> None:
        self.top.update(changes)

    def __getitem__(self, path: str) -> str:
        if path in self.top:
            value = self.top[path]
            if value is None:
                raise KeyError(path)  # deleted in this batch
            return value
        return self.below[path]

    def __iter__(self) -> Iterator[str]:
        return (p for p in dict.fromkeys([*self.below, *self.top]) if self.top.get(p, "") is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)
