"""Django admin of the accreditation app; each part registers its models in its own module."""

from accreditation import faculty_admin, signoff_admin  # noqa: F401
