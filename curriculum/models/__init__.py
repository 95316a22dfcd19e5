"""The curriculum's models, one module per concept; Django looks for them here.

    Framework (versioned: draft -> published -> retired)            standards.py
      Standard (code unique within the framework, a domain)
        Competency (code, title, descriptors; a `key` stable across versions)
    Pathway (versioned like a framework, bound to one framework version)   pathways.py
      Module (ordered; the last one, `is_final`, holds the final sign-off)
        Component (of a kind: e-learning, simulation, ...; a `key` stable across versions)
          Requirement (a measurable rule stored as typed columns, one CheckConstraint per type)
    Enrolment (a trainee on a pathway; pauses move its target date)      enrolments.py
    ELearningCompletion (e-learning evidence, recorded by the trainee)
    ResourceSubmission -> LearningResource (crowdsourced, moderated)    resources.py
    ProgressSnapshot, RequirementSnapshot (summaries kept by a task)     progress.py

Published material is frozen (versioning.py): services refuse edits with a 409 first; the
models refuse them again (`save`, `delete`, and queryset `update` / `delete`), so admin,
shells and later code cannot change a published framework or pathway by accident either.
"""

from curriculum.models.enrolments import (  # noqa: F401
    LIVE_ENROLMENT_STATUSES,
    ELearningCompletion,
    Enrolment,
    EnrolmentPause,
    EnrolmentStatus,
    PauseKind,
)
from curriculum.models.pathways import (  # noqa: F401
    DEFAULT_PROVENANCES,
    EVIDENCE_PROVENANCES,
    PARAM_COLUMNS,
    Audience,
    Component,
    ComponentKind,
    Module,
    Pathway,
    Provenance,
    Requirement,
    RequirementType,
)
from curriculum.models.progress import (  # noqa: F401
    ProgressBand,
    ProgressSnapshot,
    RequirementSnapshot,
)
from curriculum.models.resources import (  # noqa: F401
    CATALOGUE_STATUSES,
    LearningResource,
    Licence,
    ResourceAudience,
    ResourceFormat,
    ResourceStatus,
    ResourceSubmission,
    ResourceTopic,
    Topic,
)
from curriculum.models.standards import (  # noqa: F401
    Competency,
    CompetencySetting,
    Domain,
    Framework,
    Standard,
)
from curriculum.models.versioning import (  # noqa: F401
    FROZEN_MESSAGE,
    DraftOnlyModel,
    Lifecycle,
    VersionedModel,
)
