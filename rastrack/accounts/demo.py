from django.db import transaction

from rastrack.accounts.demo_mfa import ensure_demo_device
from rastrack.accounts.models import Invitation, Profession, User
from rastrack.accounts.roles import MFA_ROLES, Role
from rastrack.accounts.services import invitation_create, user_create, user_grant_roles
from rastrack.reference.models import Region

# Every demo account's password (printed by seed_demo, shown in the README).
DEMO_PASSWORD = "rastrack-demo"

# (e-mail, full name, roles, region code, profession, GMC / NMC number)
DEMO_PEOPLE = [
    ("admin@demo.rastrack.org", "Amira Okafor", [Role.PROGRAMME_ADMIN], None, Profession.OTHER, ""),
    ("lead.london@demo.rastrack.org", "Jonathan Hale", [Role.REGIONAL_LEAD], "london",
     Profession.SURGEON, "4123456"),
    ("lead.northwest@demo.rastrack.org", "Priya Raman", [Role.REGIONAL_LEAD], "north-west",
     Profession.SURGEON, "4234567"),
    ("trainer1@demo.rastrack.org", "Helen Carter", [Role.TRAINER], "london",
     Profession.SURGEON, "3345678"),
    ("trainer2@demo.rastrack.org", "Marcus Bell", [Role.TRAINER], "london",
     Profession.SURGEON, "3456789"),
    ("trainee1@demo.rastrack.org", "Sam Patel", [Role.TRAINEE], "london",
     Profession.SURGEON, "7123456"),
    ("trainee2@demo.rastrack.org", "Chloe Evans", [Role.TRAINEE], "london",
     Profession.SURGEON, "7234567"),
    ("trainee3@demo.rastrack.org", "Daniel Osei", [Role.TRAINEE], "north-west",
     Profession.SURGEON, "7345678"),
    ("labmanager1@demo.rastrack.org", "Grace Nwosu", [Role.LAB_MANAGER], "london",
     Profession.NURSE, ""),
]

# Pending invitations, so the People page's resend and revoke can be tried: (inviter, e-mail,
# full name, roles, region code).
DEMO_INVITATIONS = [
    ("lead.london@demo.rastrack.org", "new.trainee@demo.rastrack.org", "Ruth Adeyemi", [Role.TRAINEE], "london"),
    ("admin@demo.rastrack.org", "new.lead@demo.rastrack.org", "Tom Fletcher", [Role.REGIONAL_LEAD], "london"),
]


@transaction.atomic
def seed() -> None:
    for email, name, roles, region_code, profession, number in DEMO_PEOPLE:
        region = Region.objects.get(code=region_code) if region_code else None
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(
                email=email, full_name=name, password=DEMO_PASSWORD, roles=roles, region=region,
                profession=profession,
                registration_body="gmc" if number and profession == Profession.SURGEON else "",
                registration_number=number if profession == Profession.SURGEON else "",
            )
        else:
            user_grant_roles(user=user, roles=roles)
        if MFA_ROLES.intersection(roles):
            ensure_demo_device(user)
        if Role.PROGRAMME_ADMIN in roles and not user.is_staff:
            # The programme admin edits reference data in Django admin.
            user.is_staff = True
            user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
    for inviter, email, name, roles, region_code in DEMO_INVITATIONS:
        if not Invitation.objects.filter(email=email).exists():
            invitation_create(invited_by=User.objects.get(email=inviter), email=email, full_name=name, roles=roles,
                              region=Region.objects.get(code=region_code))
