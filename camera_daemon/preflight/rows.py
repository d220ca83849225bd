"""One row of the preflight table: what was checked, its verdict and the words that explain it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    ok = "ok"
    warn = "warn"  # will work, but not as well as asked (short on disk, slower than asked)
    fail = "fail"  # will not work: the command exits non-zero
    info = "info"  # said for the record (an optional hardware encoder that cannot run here)


@dataclass(frozen=True, slots=True)
class Row:
    check: str
    verdict: Verdict
    detail: str
    values: dict[str, Any] | None = None  # the numbers behind the detail, for --json

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict.value
        data["values"] = self.values or {}
        return data


def failed(rows: list[Row]) -> list[Row]:
    return [row for row in rows if row.verdict is Verdict.fail]
