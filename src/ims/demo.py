"""``ims demo``: the reference deployment end to end, on whatever database the IMS has.

Seeds a user per role, then walks three applications: one to CLOSURE (with a
refused transition on the way, shown with its reasons), one to REJECTED with a
reason, one through ON_HOLD and back (the hold pauses its task's SLA clock).  A
fourth shows tasks and service levels: the intake task moves through the work
queues (claimed, started), then the demo moves its clock forward so the SLA sweep
sends a warning, a breach and two escalation levels, each once (a rerun sends
nothing), and the supervisor takes the task over and completes it.  Prints what
happens and a summary.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ims.errors import TransitionRefused

if TYPE_CHECKING:
    from ims.facade import IMS

USERS = {
    "anna": ("Anna Admin", "admin"),
    "ivan": ("Ivan IT", "it"),
    "fenna": ("Fenna Front Office", "front_office"),
    "carlos": ("Carlos Control", "control"),
    "sara": ("Sara Staff", "staff"),
    "dirk": ("Dirk Director", "director"),
    "mina": ("Mina Minister", "minister"),
    "paul": ("Paul Applicant", "applicant"),
}

REQUIRED_ALWAYS = (
    "national_declaration",
    "family_extract",
    "id_copies",
    "plot_map",
    "ownership_deed",
    "commissioner_declaration",
)


def applicant_data(first: str, last: str, *, employment: str = "employed") -> dict[str, Any]:
    return {
        "applicant": {
            "national_id": f"FB{abs(hash((first, last))) % 1_000_000:06d}",
            "first_name": first,
            "last_name": last,
            "date_of_birth": "1984-03-12",
            "phone": "+597 8812345",
            "email": f"{first.lower()}.{last.lower()}@example.sr",
            "address": "Kernkampweg 12",
            "marital_status": "married",
            "district": "paramaribo",
            "employment_status": employment,
            "spouse_name": "R. Doe",
            "income": 6500,
        },
        "property": {
            "address": "Kernkampweg 12",
            "applicant_is_owner": True,
            "has_mortgage": False,
        },
        "requested_amount": 45000,
        "reason": "Roof replacement and an extra bedroom for the growing family.",
    }


class DemoClock:
    """The demo's clock: starts at the IMS's "now" and moves only when the demo says so."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


class Demo:
    def __init__(self, ims: IMS, echo: Callable[[str], None]) -> None:
        self.ims = ims
        self.echo = echo
        self.refusals = 0
        clock = ims.runtime.clock
        if not callable(getattr(clock, "advance", None)):
            # time must move for the SLA part: the IMS gets a clock the demo moves
            clock = ims.runtime.clock = DemoClock(ims.runtime.now())
        self.clock: Any = clock
        self.sla_notices: list[tuple[str, str, int, tuple[str, ...]]] = []

    def run(self) -> dict[str, Any]:
        self.seed_users()
        closed = self.to_closure()
        rejected = self.to_rejection()
        held = self.through_hold()
        late = self.tasks_and_sla()
        return self.summary([closed, rejected, held, late])

    def seed_users(self) -> None:
        existing = {u.username for u in self.ims.users.list()}
        for username, (name, role) in USERS.items():
            if username not in existing:
                self.ims.users.create(
                    username,
                    display_name=name,
                    roles=[role],
                    email=f"{username}@housing.example.sr",
                )
        self.echo(f"users: {', '.join(f'{u} ({r})' for u, (_, r) in USERS.items())}")

    def do(self, number: str, action: str, actor: str, **kwargs: Any) -> None:
        result = self.ims.workflow.transition(number, action, actor=actor, **kwargs)
        self.echo(f"  {actor:>6} {action:<20} {result.from_state} -> {result.to_state}")

    def refused(self, number: str, action: str, actor: str, **kwargs: Any) -> None:
        try:
            self.ims.workflow.transition(number, action, actor=actor, **kwargs)
        except TransitionRefused as exc:
            self.refusals += 1
            self.echo(f"  {actor:>6} {action:<20} REFUSED:")
            for reason in exc.reasons:
                self.echo(f"           - {reason}")
        else:  # pragma: no cover - the demo's own consistency check
            raise AssertionError(f"{action} on {number} should have been refused")

    def add_documents(self, number: str, types: tuple[str, ...], actor: str) -> None:
        for doc_type in types:
            self.ims.documents.add(
                number,
                doc_type,
                f"{doc_type}.pdf",
                actor=actor,
                content=f"%PDF-1.4 {number} {doc_type}".encode(),
                mime_type="application/pdf",
            )

    def intake(self, first: str, last: str, *, show_refusal: bool = False) -> str:
        """Create a draft with partial data, show the refusal, complete it, submit."""
        app = self.ims.applications.create(
            "bouwsubsidie",
            {"applicant": {"first_name": first, "last_name": last}},
            actor="fenna",
            applicant="paul",
        )
        self.echo(f"{app.number} created by fenna in {app.state}")
        if show_refusal:
            self.refused(app.number, "submit", "fenna")
        full = applicant_data(first, last)
        self.ims.applications.update_data(app.number, full, actor="fenna")
        self.add_documents(app.number, ("national_declaration",), "fenna")
        self.do(app.number, "submit", "fenna")
        return app.number

    def to_closure(self) -> str:
        self.echo("\n1. An application approved by the minister")
        number = self.intake("Maria", "Doe", show_refusal=True)
        self.refused(number, "accept_intake", "fenna")
        self.add_documents(number, (*REQUIRED_ALWAYS[1:], "pay_slip", "employer_declaration"), "fenna")
        self.do(number, "accept_intake", "fenna")
        self.ims.applications.update_data(
            number, {"control_officer": "carlos", "visit_date": "2026-12-02"}, actor="anna"
        )
        self.do(number, "schedule_visit", "anna")
        self.do(number, "start_visit", "carlos")
        self.ims.steps.record(
            number,
            "control_visit",
            {
                "visit_date": "2026-12-02",
                "completed": True,
                "findings": "Roof leaks in two places; foundation sound.",
                "photo_count": 4,
            },
            actor="carlos",
        )
        for i in range(4):
            self.ims.documents.add(
                number,
                "photo",
                f"site-{i + 1}.jpg",
                actor="carlos",
                content=f"JPEG {number} {i}".encode(),
                mime_type="image/jpeg",
            )
        self.do(number, "to_technical_review", "carlos")
        self.ims.steps.record(
            number,
            "technical_report",
            {
                "summary": "Roof must be replaced; extension feasible.",
                "estimated_cost": 43000,
                "recommendation": "approve",
            },
            actor="sara",
        )
        self.do(number, "to_social_review", "sara")
        self.ims.steps.record(
            number,
            "social_report",
            {
                "summary": "Household of five in two rooms.",
                "household_size": 5,
                "recommendation": "approve",
            },
            actor="sara",
        )
        self.refused(number, "to_director", "sara")
        for doc in self.ims.documents.list(number):
            self.ims.documents.verify(doc.id, actor="fenna" if doc.document_type != "photo" else "sara")
        self.do(number, "to_director", "sara")
        self.ims.steps.record(
            number,
            "director_recommendation",
            {"recommendation": "approve", "recommended_amount": 43000},
            actor="dirk",
        )
        self.do(number, "recommend", "dirk")
        self.ims.steps.record(
            number,
            "minister_decision",
            {"decision": "approve", "amount_approved": 43000},
            actor="mina",
        )
        self.do(number, "approve", "mina")
        return number

    def to_rejection(self) -> str:
        self.echo("\n2. An application rejected at intake")
        number = self.intake("Jan", "Pinas")
        self.refused(number, "reject", "fenna")
        self.do(number, "reject", "fenna", reason="The plot lies outside the subsidy area.")
        return number

    def through_hold(self) -> str:
        self.echo("\n3. An application put on hold and resumed")
        number = self.intake("Lisa", "Kromo")
        self.add_documents(number, (*REQUIRED_ALWAYS[1:], "pay_slip", "employer_declaration"), "fenna")
        self.do(number, "accept_intake", "fenna")
        self.refused(number, "hold", "fenna", reason="waiting")
        (task,) = [t for t in self.ims.tasks.for_application(number) if t.open]
        self.do(number, "hold", "dirk", reason="Ownership is disputed in court; waiting for the ruling.")
        self.clock.advance(days=10)
        self.echo("  (ten days pass on hold: the task's SLA clock is stopped)")
        self.do(number, "resume", "dirk")
        resumed = self.ims.tasks.get(task.id)
        self.echo(f"  task {task.id} resumed: due {_short(task.due_at)} -> {_short(resumed.due_at)}")
        return number

    def tasks_and_sla(self) -> str:
        self.echo("\n4. Tasks in work queues, and service levels")
        tasks = self.ims.tasks
        number = self.intake("Ravi", "Ramdin")
        (task,) = [t for t in tasks.for_application(number) if t.open]
        hours = self.ims.config.sla.for_state("bouwsubsidie", task.state)
        self.echo(
            f"  task {task.id} '{task.title}' for {', '.join(task.roles)}, "
            f"due {_short(task.due_at)} ({hours.allowed_hours if hours else '-'} h)"
        )
        self.queue("fenna")
        self.echo(f"   fenna claims task {task.id}: {tasks.claim(task.id, actor='fenna').assignee}")
        self.echo(f"   fenna starts it: {tasks.start(task.id, actor='fenna').status}")
        self.queue("anna")
        for hours_passed, what in (
            (39, "past the 80 % warning point"),
            (49, "past the deadline"),
            (73, "a day later"),
        ):
            self.clock.now = task.created_at + timedelta(hours=hours_passed)
            self.sweep(number, f"+{hours_passed} h, {what}")
        self.sweep(number, "the same sweep again")
        self.queue("fenna")
        taken = tasks.assign(task.id, "anna", actor="anna")
        self.echo(f"   anna (supervisor) takes the task over: assignee {taken.assignee}")
        done = tasks.complete(task.id, actor="anna", comment="Intake checked by the supervisor.")
        self.echo(f"   anna completes it: {done.status}, breached at {_short(done.breached_at)}")
        return number

    def queue(self, username: str) -> None:
        page = self.ims.tasks.queue(actor=username, limit=5)
        now = self.ims.runtime.now()
        shown = "; ".join(
            f"{t.id} {t.application_number} {t.state} {t.status}{' overdue' if t.overdue_at(now) else ''}"
            f"{' (' + t.assignee + ')' if t.assignee else ''}"
            for t in page.items
        )
        self.echo(f"   queue of {username}: {page.total} task(s){': ' + shown if shown else ''}")

    def sweep(self, number: str, when: str) -> None:
        result = self.ims.sla.sweep()
        mine = [n for n in result.notices if n[0] == number]
        self.sla_notices += mine
        others = len(result.notices) - len(mine)
        self.echo(
            f"   sla sweep ({when}): {len(mine)} notice(s) for {number}"
            + (f", {others} for other applications" if others else "")
        )
        for _, kind, level, recipients in mine:
            label = f"escalation level {level}" if kind == "ESCALATION" else kind.lower()
            self.echo(f"     {label:<20} -> {', '.join(recipients)}")

    def summary(self, numbers: list[str]) -> dict[str, Any]:
        self.echo("\nSummary")
        for number in numbers:
            app = self.ims.applications.get(number)
            events = self.ims.workflow.history(number)
            self.echo(f"  {number}: {app.state:<15} version {app.version:>2}, {len(events)} history events")
        report = self.ims.audit.verify()
        inbox = {u: len(self.ims.notifications.inbox(actor=u)) for u in ("fenna", "carlos", "dirk", "paul")}
        self.echo(f"  refused transitions shown: {self.refusals}")
        kinds = [k if k != "ESCALATION" else f"escalation {lv}" for _, k, lv, _ in self.sla_notices]
        self.echo(f"  SLA notices for {numbers[-1]}: {', '.join(kinds).lower() or 'none'}")
        self.echo(f"  inbox messages: {', '.join(f'{u} {n}' for u, n in inbox.items())}")
        if any(c.enabled for c in self.ims.config.notifications.channels.values()):
            self.ims.outbox.deliver()  # e-mail etc. when a channel is switched on (IMS_EMAIL_ENABLED)
        counts = self.ims.outbox.counts()
        shown = ", ".join(f"{k.lower()} {n}" for k, n in counts.items() if n or k in ("PENDING", "SENT"))
        self.echo(f"  outbox: {shown}")
        status = "intact" if not report.broken else f"BROKEN ({len(report.broken)})"
        self.echo(f"  audit: {report.chains} chains, {report.rows} rows, {status}")
        return {
            "applications": numbers,
            "audit_ok": not report.broken,
            "refusals": self.refusals,
            "sla_notices": list(self.sla_notices),
        }


def _short(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"
