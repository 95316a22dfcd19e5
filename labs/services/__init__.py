"""Writes for the skills labs, one module per concept: labs (with their managers and opening
hours), equipment, sessions (and their reminders) and bookings (with the waitlist and
attendance).

Every service runs in one transaction, writes its audit entry in it and stores its
notifications in it (their e-mails go out from the outbox after commit).

Concurrency: the booking services lock the session row (`SELECT ... FOR UPDATE`) before
reading its seat counter, then change the booking and the counter in the same transaction.
Seat-holding bookings are counted in `LabSession.seats_booked`, which a CHECK constraint
keeps between 0 and `seats`: even a writer that skipped the lock could not overbook. The
trainee's user row is locked too, so that one trainee's concurrent bookings cannot create
two overlapping confirmed places. Lock order is always session, then trainee.

Answers (see rastrack.core.exceptions): 400 `ApplicationError` with per-field messages,
403 `NotPermitted`, 409 `Conflict` (duplicates, overlaps with one's own bookings, and actions
the object's state does not allow: cancelled sessions, sessions that have started, ...).
"""

from labs.services import teams  # noqa: F401
from labs.services.bookings import (  # noqa: F401
    booking_cancel,
    booking_create,
    booking_mark_attendance,
)
from labs.services.equipment import (  # noqa: F401
    equipment_create,
    equipment_set_status,
    equipment_update,
    sessions_reflag,
)
from labs.services.labs import (  # noqa: F401
    DEFAULT_OPENING_HOURS,
    lab_create,
    lab_update,
)
from labs.services.session_edits import (  # noqa: F401
    UNCHANGED,
    session_update,
)
from labs.services.sessions import (  # noqa: F401
    MAX_SEATS,
    session_cancel,
    session_create,
    session_reminders_send,
)
from labs.services.teams import (  # noqa: F401
    team_booking_create,
    team_record,
)
