"""Django admin of the accreditation app; each part registers its models in its own module."""

from accreditation.faculty import admin as faculty_admin  # noqa: F401
from accreditation.logbook import admin as logbook_admin  # noqa: F401
from accreditation.privileges import admin as privileges_admin  # noqa: F401
from accreditation.signoff import admin as signoff_admin  # noqa: F401
