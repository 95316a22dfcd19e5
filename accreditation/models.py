"""The accreditation app's models, one module per context; Django looks for them here.

- faculty: the configurable rules, trainer applications, accreditations, assignments;
- logbook: case entries, their steps, simulator sessions;
- signoff: assessment tools (as data), assessments, sign-off requests, one-tap decision links;
- certificates: one per completed enrolment, publicly verifiable;
- privileges: robotic privileges per site, platform and procedure group, site rules, proctor reports.
"""

from accreditation.faculty.models import (  # noqa: F401
    Accreditation,
    Assignment,
    FacultyRules,
    TrainerApplication,
)
from accreditation.logbook.models import Case, CaseMonthSummary, CaseStep, SimulatorSession  # noqa: F401
from accreditation.signoff.models import (  # noqa: F401
    Assessment,
    AssessmentDomain,
    AssessmentStep,
    AssessmentTool,
    CalibrationSummary,
    DecisionLink,
    SignoffPendingSummary,
    SignoffRequest,
    SignoffRules,
    SignoffTurnaroundSummary,
    VideoReview,
    VideoReviewRating,
)

# isort: split
# Certificates refer to enrolments and sign-off requests: registered after them.
from accreditation.certificates.models import Certificate  # noqa: F401

# isort: split
# Privileges read cases, accreditations and assessments: registered last.
from accreditation.privileges.models import (  # noqa: F401
    Privilege,
    PrivilegeRules,
    ProcedureGroup,
    ProctorReport,
)
