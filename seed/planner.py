"""Drawing the steps of one historical ticket's work log within a budget of 2-6 events.

Pure: no Flask, no database. Steps are placed on the SLA clock (working minutes of running
clock since it started) so that the first response and the end of work land at a drawn
share of the plan's targets: a share above 1 is a breach.
"""

from __future__ import annotations

import random
from typing import Any

from fieldops.tickets.lifecycle import Actor
from fieldops.tickets.lifecycle import TicketStatus as S
from seed.shapes import AUTO_CLOSE_NOTE, Person, ServiceInfo, Step, World


class Planner:
    """Draws the ordered steps of one ticket within a budget of 2-6 work-log events."""

    def __init__(
        self,
        rng: random.Random,
        world: World,
        service: ServiceInfo,
        fields: dict[str, Any],
        first_line: Person,
        requester: Person | None,
        values: dict[str, Any],
    ) -> None:
        self.rng, self.world, self.texts = rng, world, world.texts
        self.category = fields["category"]
        self.first_line, self.requester, self.values = first_line, requester, values
        targets = service.plan.targets[fields["priority"]]
        self.response = float(targets["response_min"])
        self.resolution = float(targets["resolution_min"])
        tier = rng.choices(("L1", "L2", "L3"), weights=(70, 22, 8))[0]
        self.tier = tier
        self.worker = first_line if tier == "L1" else rng.choice(world.agents[tier])
        # Where on the SLA clock the desk first acts, and where the work ends: a factor
        # above 1 is a breach (about 1 in 12 responses and 1 in 11 resolutions).
        ack_factor = rng.uniform(0.05, 0.9) if rng.random() < 0.92 else rng.uniform(1.05, 3.0)
        res_factor = rng.uniform(0.08, 0.95) if rng.random() < 0.91 else rng.uniform(1.02, 2.2)
        self.first = self.response * ack_factor
        self.end = max(self.resolution * res_factor, self.first + 5)

    def text(self, lines: list[str]) -> str:
        return self.rng.choice(lines).format(**self.values)

    def desk(self, kind: str, *, to: S | None = None, **kw: Any) -> Step:
        actor = kw.pop("actor", None) or self.worker
        public = kw.pop("public", kind in ("status_change", "eta"))
        return Step(kind, Actor.DESK, actor, to=to, public=public, **kw)

    def steps(self, final: S) -> list[Step]:
        rng = self.rng
        if final == S.NEW:
            return [self._note_while_new()]
        if final == S.CANCELLED:
            return self._cancelled()
        # Events after "created"; a resolved ticket keeps one in hand for its auto-close.
        budget = rng.choices((2, 3, 4, 5, 6), weights=(3, 10, 25, 32, 30))[0] - 1
        budget -= {S.CLOSED: 2, S.RESOLVED: 2}.get(final, 0)
        quick_fix = final in (S.RESOLVED, S.CLOSED) and budget <= 0
        if quick_fix:  # fixed at the first look: that is the response as well
            self.end = self.first
        ack = final == S.ACKNOWLEDGED or (not quick_fix and budget >= 2 and rng.random() < 0.45)
        start_work = not quick_fix and final != S.ACKNOWLEDGED
        budget -= ack + start_work
        pending = final in (S.PENDING_CUSTOMER, S.PENDING_THIRD_PARTY)
        paused = not pending and start_work and budget >= 2 and rng.random() < 0.45
        budget -= pending
        if paused:
            budget -= 2
        if self.tier != "L1" and not (start_work and budget >= 1):
            self.tier, self.worker = "L1", self.first_line  # no room to hand it over
        chain = []
        if ack:
            chain.append(
                self.desk(
                    "status_change",
                    to=S.ACKNOWLEDGED,
                    actor=self.first_line,
                    body=self.text(self.texts["desk_public"]),
                )
            )
        if start_work:
            chain.append(self.desk("status_change", to=S.IN_PROGRESS, actor=self.first_line))
        pause = [self._pause_start(final)] if pending else []
        if paused:
            room = budget + 2 - (self.tier != "L1")  # keep the hand-over's slot
            pause = self._pause_pair(room)
            budget -= len(pause) - 2
        closing = []
        if final in (S.RESOLVED, S.CLOSED):
            closing.append(self._resolve())
        if final == S.CLOSED:
            closing.append(self._close())
        extras = self._extras(max(budget, 0), has_work=start_work)
        return self._place(chain, extras, pause, closing)

    def _place(
        self, chain: list[Step], extras: list[Step], pause: list[Step], closing: list[Step]
    ) -> list[Step]:
        """Give each step its SLA-clock position: the first moves, then the extras and the
        pause at sorted points between the first response and the end of work."""
        rng, first, end = self.rng, self.first, self.end
        positions = sorted(rng.uniform(first, end) for _ in range(len(extras) + 1))
        placed = [_at(step, first + i * 0.5) for i, step in enumerate(chain)]
        placed += [_at(step, pos) for step, pos in zip(extras, positions, strict=False)]
        if pause:
            placed += [_at(pause[0], positions[-1]), *pause[1:]]
        if closing:
            placed += [_at(closing[0], end), *closing[1:]]
        return placed

    def _note_while_new(self) -> Step:
        if self.requester is not None and self.rng.random() < 0.5:
            return Step(
                "comment",
                Actor.CUSTOMER,
                self.requester,
                public=True,
                body=self.text(self.texts["customer_comments"]),
                wall=self.rng.uniform(5, 90),
            )
        return _at(
            self.desk(
                "comment",
                actor=self.first_line,
                public=False,
                body=self.text(self.texts["desk_internal"]),
            ),
            self.first,
        )

    def _cancelled(self) -> list[Step]:
        rng, steps = self.rng, []
        if self.requester is not None and rng.random() < 0.4:
            return [
                Step(
                    "status_change",
                    Actor.CUSTOMER,
                    self.requester,
                    public=True,
                    to=S.CANCELLED,
                    reason=self.text(self.texts["cancellations"]["customer"]),
                    wall=rng.uniform(10, 600),
                )
            ]
        if rng.random() < 0.5:
            steps.append(
                _at(
                    self.desk("status_change", to=S.ACKNOWLEDGED, actor=self.first_line), self.first
                )
            )
        steps.append(
            _at(
                self.desk(
                    "status_change",
                    to=S.CANCELLED,
                    actor=self.first_line,
                    reason=self.text(self.texts["cancellations"]["desk"]),
                ),
                self.first + 0.5,
            )
        )
        return steps

    def _resolve(self) -> Step:
        return self.desk(
            "status_change", to=S.RESOLVED, body=self.text(self.texts["resolutions"][self.category])
        )

    def _close(self) -> Step:
        rng = self.rng
        if self.requester is not None and rng.random() < 0.6:
            return Step(
                "status_change",
                Actor.CUSTOMER,
                self.requester,
                public=True,
                to=S.CLOSED,
                body=self.text(self.texts["confirmations"]),
                wall=rng.uniform(10, 20 * 60),
            )
        return Step(
            "status_change",
            Actor.SYSTEM,
            None,
            public=True,
            to=S.CLOSED,
            body=AUTO_CLOSE_NOTE,
            wall=24 * 60 + rng.uniform(0, 15),
        )

    def _pause_start(self, status: S) -> Step:
        if status == S.PENDING_THIRD_PARTY:
            reason = "third_party_fault"
        else:
            reason = self.rng.choices(
                (
                    "waiting_customer_info",
                    "customer_unavailable",
                    "site_access_refused",
                    "observation_after_restore",
                ),
                weights=(60, 20, 10, 10),
            )[0]
        return self.desk(
            "status_change", to=status, reason=reason, body=self.text(self.texts["pending"][reason])
        )

    def _pause_pair(self, budget: int) -> list[Step]:
        """A pause that ended: the customer replied (the system resumes) or the desk did."""
        rng = self.rng
        third_party = rng.random() < 0.35
        start = self._pause_start(S.PENDING_THIRD_PARTY if third_party else S.PENDING_CUSTOMER)
        hours = rng.uniform(2, 96) if third_party else rng.uniform(0.3, 48)
        if not third_party and self.requester is not None and budget >= 3 and rng.random() < 0.6:
            reply = Step(
                "comment",
                Actor.CUSTOMER,
                self.requester,
                public=True,
                body=self.text(self.texts["customer_replies"]),
                wall=hours * 60,
            )
            resume = Step(
                "status_change",
                Actor.SYSTEM,
                None,
                public=True,
                to=S.IN_PROGRESS,
                body="The customer replied.",
                wall=0,
            )
            return [start, reply, resume]
        resume = self.desk(
            "status_change",
            to=S.IN_PROGRESS,
            wall=hours * 60,
            body=self.text(self.texts["resume_notes"]),
        )
        return [start, resume]

    def _extras(self, budget: int, *, has_work: bool) -> list[Step]:
        """Fill the budget: hand-over first, assignment, ETA, then comments and calls."""
        rng, texts, out = self.rng, self.texts, []
        if budget and has_work and self.tier != "L1":
            out.append(
                self.desk(
                    "tier_change",
                    actor=self.first_line,
                    body=f"Handed over L1 -> {self.tier}. " + self.text(texts["handover_notes"]),
                    data={"from": "L1", "to": self.tier},
                )
            )
        if len(out) < budget and rng.random() < 0.8:
            out.append(
                self.desk(
                    "assignment",
                    actor=self.first_line,
                    body=f"Assigned to {self.worker.name}.",
                    data={"assignee_id": self.worker.id},
                )
            )
        if len(out) < budget and has_work and rng.random() < 0.4:
            out.append(self.desk("eta", data={"eta_minutes": rng.uniform(60, 1440)}))
        while len(out) < budget:
            roll = rng.random()
            if roll < 0.3:
                out.append(self.desk("comment", body=self.text(texts["desk_public"]), public=True))
            elif roll < 0.6:
                out.append(self.desk("comment", body=self.text(texts["desk_internal"])))
            elif roll < 0.75:
                out.append(
                    self.desk(
                        "phone_call", body=self.text(texts["desk_calls"]), public=rng.random() < 0.5
                    )
                )
            elif roll < 0.85:
                out.append(self.desk("email", body=self.text(texts["desk_emails"])))
            elif self.requester is not None:
                out.append(
                    Step(
                        "comment",
                        Actor.CUSTOMER,
                        self.requester,
                        public=True,
                        body=self.text(texts["customer_comments"]),
                    )
                )
        return out


def _at(step: Step, clock: float) -> Step:
    return Step(
        step.kind,
        step.who,
        step.actor,
        step.body,
        step.public,
        step.to,
        step.reason,
        clock=clock,
        wall=None,
        data=step.data,
    )
