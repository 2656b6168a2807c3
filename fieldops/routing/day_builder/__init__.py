"""A field day read from the database: who works on a date, which jobs to plan, where their
parts are, as one read-only snapshot for the routing core (routing/field.py).

The conventions the snapshot fixes, once for every plan:
- **Origin.** The core counts whole seconds from `origin` = midnight UTC of the day minus
  14 h: the local day of every zone (UTC-12 to UTC+14) then starts at or after it, and
  nothing planned is ever negative. The horizon runs 64 h from there: the local end of the
  day in the westernmost zone plus an overnight shift.
- **Jobs.** Open jobs (unassigned, assigned, awaiting parts) due by the end of the day
  (midnight UTC, overdue ones included). A job with an engineer is locked to them: the
  dispatcher's decision stands. Jobs under way (en route, on site) are not planned again:
  their engineer starts from that site when the job is expected to be done (on site: arrival
  plus duration; en route: now, the drive there and the duration).
- **Engineers.** Active, with a shift on the day in their own zone (a shift belongs to the
  day it starts on, so a night shift runs on past midnight), start and end at home, and
  start no earlier than now. Several spans on one day are planned as one, first start to
  last end, and the plan says so in its notes; an absence then keeps the longest part of
  the span it leaves free.
- **Windows.** Service may start inside the job's access hours (its whole span must fit
  before they close); none: any time. `arrive_by` is the core's soft deadline.
- **Parts.** A held reservation at a depot means a pickup there, a reservation in the
  engineer's van (or one already picked) means none; parts with no reservation come from
  the nearest depot that has them all. Vans' available stock (on hand minus reserved) is
  `van_stock`, so an engineer carrying a part may serve such a job without the pickup.
  Depots collect inside their `opening_hours` (none: always open).
- **Region** (optional, a depot code): the engineers whose home and the jobs whose site is
  nearest that depot (on the sphere). A job assigned to an engineer of another region is
  left out, with that reason.
- **Travel.** GeodesicTravel with the configured road factor and average speed, between
  distinct places (points equal to 1e-6 degree are one place).
"""

from fieldops.routing.day_builder.build import (
    NO_DEPOT,
    PlannedEngineer,
    Snapshot,
    build_day,
    engineer_key,
    region_code,
    region_of,
)
from fieldops.routing.day_builder.reads import PLANNED, UNDER_WAY
from fieldops.routing.day_builder.timing import HORIZON, ORIGIN_LEAD, origin_of

__all__ = [
    "HORIZON",
    "NO_DEPOT",
    "ORIGIN_LEAD",
    "PLANNED",
    "UNDER_WAY",
    "PlannedEngineer",
    "Snapshot",
    "build_day",
    "engineer_key",
    "origin_of",
    "region_code",
    "region_of",
]
