"""What a simulation run leaves behind: the counts it kept, and each enrollment with its tasks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from builder.engine.steps import StepChain
from builder.engine.words import EnrollmentStatus, NodeKind, Reason, TaskStatus

if TYPE_CHECKING:
    from builder.engine.limits import Hold
    from builder.engine.roster import BranchRoster
    from builder.engine.scenario_parts import Scenario

WAITING, CANCELED = EnrollmentStatus.WAITING, EnrollmentStatus.CANCELED


@dataclass(slots=True)
class SimTask:
    """One task of a run, as the report shows it."""

    step: int
    kind: NodeKind
    status: TaskStatus
    due_day: int | None
    done_day: int | None = None


@dataclass(slots=True)
class SimEnrollment:
    """One contact in one branch, as it stands.

    Its tasks are the branch's action steps in order: ``finished`` holds the
    (due day, done day) of the ones done, the next one is pending (due on
    ``due``, or not yet due) and the rest wait for it — or all of them are
    canceled with the enrollment. :attr:`tasks` spells them out.
    """

    order: int
    contact: str
    branch: int
    day: int
    chain: StepChain
    profile: str | None = None
    reason: Reason | None = None
    status: EnrollmentStatus = WAITING
    finished: list[tuple[int | None, int | None]] = field(default_factory=list)
    due: int | None = None
    moved_from: str | None = None  # the profile it was moved from on a ``move`` removal (SPEC §12)

    @property
    def tasks(self) -> list[SimTask]:
        if self.profile is None:
            return []
        steps = self.chain.action_steps
        kinds = self.chain.steps
        made = [
            SimTask(s, kinds[s].kind, TaskStatus.DONE, due, done)
            for s, (due, done) in zip(steps, self.finished, strict=False)
        ]
        rest = TaskStatus.CANCELED if self.status is CANCELED else TaskStatus.PENDING
        for k in range(len(self.finished), len(steps)):
            made.append(SimTask(steps[k], kinds[steps[k]].kind, rest, self.due if k == len(self.finished) else None))
        return made


@dataclass(slots=True)
class ProfileTally:
    """One sender profile in one branch, counted while the run goes."""

    contacts: Counter[Reason] = field(default_factory=Counter)
    pending: int = 0
    done: int = 0  # tasks done from day 0 on
    last_done: int | None = None  # the day of the latest of those


@dataclass
class RunTally:
    """The counts the simulation pane shows, kept per (branch index, sender profile)."""

    profiles: dict[tuple[int, str], ProfileTally] = field(default_factory=dict)
    waiting: int = 0

    def of(self, branch: int, profile: str) -> ProfileTally:
        found = self.profiles.get((branch, profile))
        if found is None:
            found = self.profiles[(branch, profile)] = ProfileTally()
        return found


class SimulationResult:
    """Everything that happened in one run, in enrollment order, with its tallies."""

    def __init__(
        self,
        scenario: Scenario,
        days: int,
        enrollments: Callable[[], list[SimEnrollment]],
        rosters: list[BranchRoster],
        done_per_day: dict[str, list[int]],
        warnings: list[str],
        ignored_overrides: int,
        tally: RunTally,
        held_back: list[tuple[int, str, Hold]] | None = None,
    ) -> None:
        self.scenario, self.days, self.rosters = scenario, days, rosters
        self.done_per_day, self.warnings, self.ignored_overrides = done_per_day, warnings, ignored_overrides
        self.tally = tally
        # SPEC §12: (day, profile, hold) for each day a profile passed over due tasks of a kind at its limit.
        self.held_back = held_back if held_back is not None else []
        self._spell_out: Callable[[], list[SimEnrollment]] | None = enrollments
        self._enrollments: list[SimEnrollment] = []

    @property
    def enrollments(self) -> list[SimEnrollment]:
        """Each enrollment with its tasks, spelled out on first use (the pane only needs the tally)."""
        if self._spell_out is not None:
            self._enrollments, self._spell_out = self._spell_out(), None
        return self._enrollments
