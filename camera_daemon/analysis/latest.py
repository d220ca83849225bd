"""The newest result of a camera's callback, shared with the supervisor for `camd status` and the preview.

One fixed block of shared memory and a sequence number (a seqlock): the analysis process is the only
writer and never waits; a reader that sees the number change while it copies tries again. A result
too long for the block is cut to what fits and marked so.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

SIZE = 4096
_HEADER = 16  # uint64 sequence, uint64 length


def new_block(context: Any) -> Any:
    return context.Array("B", SIZE, lock=False)


class LatestResult:
    def __init__(self, block: Any) -> None:
        self._bytes = np.frombuffer(block, dtype=np.uint8)
        self._header = self._bytes[:_HEADER].view(np.uint64)

    def publish(self, result: dict[str, Any]) -> None:
        data = json.dumps(result, separators=(",", ":"), default=str).encode()
        if len(data) > SIZE - _HEADER:
            data = json.dumps({"truncated": True, "fields": sorted(result)[:50]}).encode()[: SIZE - _HEADER]
        self._header[0] += 1  # odd: being written
        self._bytes[_HEADER : _HEADER + len(data)] = np.frombuffer(data, dtype=np.uint8)
        self._header[1] = len(data)
        self._header[0] += 1

    def read(self, attempts: int = 8) -> dict[str, Any] | None:
        for _ in range(attempts):
            before = int(self._header[0])
            if before == 0:
                return None
            if before % 2:
                continue
            length = int(self._header[1])
            data = self._bytes[_HEADER : _HEADER + length].tobytes()
            if int(self._header[0]) == before:
                try:
                    value: dict[str, Any] = json.loads(data)
                except ValueError:
                    return None
                return value
        return None
