"""Writes of the curriculum, one module per concept: standards, pathways, enrolments (with
e-learning evidence) and learning resources; versioning.py holds the lifecycle steps that
frameworks and pathways share (publish, retire, copy into a new draft).

Every service runs in its own transaction, checks the caller's right (NotPermitted: 403),
the object's state (Conflict: 409) and its input (ApplicationError: 400 per field), and
writes its audit entry in the same transaction. Frameworks and pathways are edited only as
drafts; the models refuse edits to published ones again, whoever calls.
"""

from curriculum.services.cohorts import check_move, cohort_move  # noqa: F401
from curriculum.services.enrolments import (  # noqa: F401
    elearning_record,
    elearning_record_with_upload,
    enrolment_complete,
    enrolment_create,
    enrolment_pause,
    enrolment_resume,
    enrolment_withdraw,
)
from curriculum.services.pathways import (  # noqa: F401
    FINAL_COMPONENT_TITLE,
    FINAL_MODULE_TITLE,
    component_create,
    component_delete,
    component_update,
    module_create,
    module_delete,
    module_update,
    pathway_create,
    pathway_ensure_final_signoff,
    pathway_new_version,
    pathway_publish,
    pathway_retire,
    pathway_update,
    requirement_create,
    requirement_delete,
    requirement_update,
)
from curriculum.services.resources import (  # noqa: F401
    MAX_RESOURCES_PER_SUBMISSION,
    resource_approve,
    resource_map,
    resource_reject,
    resource_submit,
)
from curriculum.services.standards import (  # noqa: F401
    competency_create,
    competency_delete,
    competency_update,
    framework_create,
    framework_new_version,
    framework_publish,
    framework_retire,
    framework_update,
    standard_create,
    standard_delete,
    standard_update,
)
