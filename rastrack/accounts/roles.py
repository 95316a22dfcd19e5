"""The six roles. Each is a Django group (created by data migration); a user may hold several."""

from django.db import models


class Role(models.TextChoices):
    TRAINEE = "trainee", "Trainee"
    TRAINER = "trainer", "Trainer"
    LAB_MANAGER = "lab_manager", "Lab manager"
    REGIONAL_LEAD = "regional_lead", "Regional lead"
    PROGRAMME_ADMIN = "programme_admin", "Programme admin"
    # Held for one or more sites (SiteLeadership): grants and keeps robotic privileges there.
    SITE_LEAD = "site_lead", "Site robotic lead"


# Roles whose holder works within one region, so the account must have a region.
REGIONAL_ROLES = frozenset({Role.TRAINEE, Role.LAB_MANAGER, Role.REGIONAL_LEAD})
# Roles that must sign in with a second factor (TOTP).
MFA_ROLES = frozenset({Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN})
