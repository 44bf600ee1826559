"""The wall time of one whole plan, shared by every solve in it.

``--time-limit`` (the solver time limit) bounds the plan, not each solve: the main choice,
the runner-ups, the conflict search of an infeasible request and the compliance comparison
all draw on one budget. Each solve gets what is left (never less than ``MIN_SOLVE_S``, so the
main choice always runs); a later part that finds nothing left is skipped, and the plan
says which.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

#: The least a solve is given, so a plan whose budget went on building candidates still gets
#: its main choice (the small models here solve in milliseconds).
MIN_SOLVE_S = 0.05


@dataclass(eq=False)
class TimeBudget:
    seconds: float
    start: float = field(default_factory=time.monotonic)
    skipped: list[str] = field(default_factory=list)

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def left(self) -> float:
        return self.seconds - self.elapsed()

    def solve_seconds(self, limit_s: float) -> float:
        """The time one solve may take: the per-solve limit or what is left, whichever is less."""
        return max(MIN_SOLVE_S, min(limit_s, self.left()))

    def skip(self, part: str) -> bool:
        """True, noting ``part``, when no time is left for it."""
        if self.left() > 0:
            return False
        if part not in self.skipped:
            self.skipped.append(part)
        return True

    def describe(self) -> str | None:
        """What the time limit cut short, for the plan's warnings; None when nothing was."""
        if not self.skipped:
            return None
        return (f"the {self.seconds:g} s time limit ran out before the {', the '.join(self.skipped)}; "
                "raise --time-limit for the full answer")
