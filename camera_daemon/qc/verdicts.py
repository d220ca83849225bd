"""The verdict types QC hands to its table, JSON and report, kept apart from the checks that make them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

SESSION_ROW = "(session)"


class Verdict(StrEnum):
    PASS = "PASS"
    WARNING = "WARNING"
    FAIL = "FAIL"
    NA = "N/A"  # the check cannot apply (no nominal rate, no device clock); it never changes the exit code


_RANK = {Verdict.NA: 0, Verdict.PASS: 1, Verdict.WARNING: 2, Verdict.FAIL: 3}


def worst(verdicts: list[Verdict]) -> Verdict:
    return max(verdicts, key=_RANK.__getitem__, default=Verdict.NA)


@dataclass(frozen=True)
class CheckResult:
    check: str
    camera: str
    verdict: Verdict
    detail: str
    values: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict.value
        return data


@dataclass(frozen=True)
class SessionQc:
    session: str
    results: list[CheckResult]

    @property
    def verdict(self) -> Verdict:
        """The session's verdict: PASS when nothing applicable failed or warned."""
        overall = worst([result.verdict for result in self.results])
        return Verdict.PASS if overall is Verdict.NA else overall

    def named(self, verdict: Verdict) -> list[str]:
        return [f"{result.check}/{result.camera}" for result in self.results if result.verdict is verdict]

    def exit_code(self, strict: bool) -> int:
        bad = (Verdict.FAIL, Verdict.WARNING) if strict else (Verdict.FAIL,)
        return 1 if self.verdict in bad else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "session": self.session,
            "verdict": self.verdict.value,
            "fail": self.named(Verdict.FAIL),
            "warning": self.named(Verdict.WARNING),
            "checks": [result.as_json() for result in self.results],
        }
