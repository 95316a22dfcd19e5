"""Logbook, assessment, sign-off and the trainer faculty (issues [Faculty], [Logbook], [Sign-off])."""

# The faculty (issue [Faculty]): rules, trainer applications, accreditations, assignments.
from accreditation.faculty_models import (  # noqa: E402, F401
    Accreditation,
    Assignment,
    FacultyRules,
    TrainerApplication,
)

# The logbook (issue [Logbook]): case entries, their steps, simulator sessions.
from accreditation.logbook_models import (  # noqa: E402, F401
    Case,
    CaseStep,
    SimulatorSession,
)

# Assessments and sign-off (issue [Sign-off]): tools as data, assessments, sign-off requests.
from accreditation.signoff_models import (  # noqa: E402, F401
    Assessment,
    AssessmentDomain,
    AssessmentTool,
    SignoffRequest,
    SignoffRules,
)

# isort: split
# Certificates (issue [Certificates]): one per completed enrolment, publicly verifiable.
from accreditation.certificate_models import (  # noqa: E402, F401
    Certificate,
)

# Workflows (issue [Workflows]): one-tap decision links.
from accreditation.workflow_models import DecisionLink  # noqa: E402, F401
