"""Writes for the faculty, one module per concept: applications and their decisions
(applications.py), the accreditation state machine (accreditations.py), assignments
(assignments.py), and the per-object rights they drive (rights.py).

Every decision (approve, reject, grant, renew, suspend, reinstate, revoke, lapse, assign,
end an assignment) writes its audit entry in the same transaction as the change, and tells
the people it concerns (in-app notification, e-mailed from the outbox).

The accreditation state machine (anything else is a 409)::

    accredited --suspend--> suspended --reinstate--> accredited
    accredited | suspended --revoke--> revoked          (final)
    accredited --(expiry: accreditation_lapse_expired)--> lapsed
    lapsed --(approved renewal)--> accredited

Per-object rights: the guardian right "accounts.supervise_portfolio" on a trainee's
portfolio is held exactly while the trainer is accredited today and has an assignment
active today (`faculty_selectors.active_on`). Services refresh it whenever one of those
changes; `supervision_rights_sync(today=...)` catches up with dates passing (an assignment
that starts or runs out today) and is meant to run daily with `accreditation_lapse_expired`.
Checks never trust the rows alone: `rastrack.accounts.supervision.may_supervise` also asks
`accreditation.faculty.eligibility.can_supervise`.
"""

from accreditation.faculty.services.accreditations import (  # noqa: F401
    accreditation_lapse_expired,
    accreditation_reinstate,
    accreditation_revoke,
    accreditation_suspend,
)
from accreditation.faculty.services.applications import (  # noqa: F401
    trainer_application_approve,
    trainer_application_create,
    trainer_application_reject,
)
from accreditation.faculty.services.assignments import (  # noqa: F401
    assignment_create,
    assignment_end,
)
from accreditation.faculty.services.common import (  # noqa: F401
    SUPERVISE_PORTFOLIO,
    accreditation_link,
    add_years,
    application_link,
    audited_change,
)
from accreditation.faculty.services.rights import (  # noqa: F401
    supervision_right_refresh,
    supervision_rights_sync,
    trainer_rights_refresh,
    trainer_rights_remove_all,
)
