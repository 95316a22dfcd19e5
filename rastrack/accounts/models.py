"""People: the user (e-mail is the username), their region history, portfolio and invitations."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from rastrack.accounts.roles import Role
from rastrack.accounts.validators import (
    RegistrationBody,
    normalise_registration_number,
    validate_registration,
)
from rastrack.reference.models import Region, Site


class Profession(models.TextChoices):
    SURGEON = "surgeon", "Surgeon"
    NURSE = "nurse", "Nurse"
    ODP = "odp", "Operating department practitioner"
    SCP = "scp", "Surgical care practitioner"
    OTHER = "other", "Other"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    profession = models.CharField(max_length=20, choices=Profession.choices, default=Profession.SURGEON)
    registration_body = models.CharField(max_length=10, choices=RegistrationBody.choices, blank=True)
    registration_number = models.CharField(max_length=20, blank=True)
    # What an ARCP panel reads off the portfolio export (accreditation/certificates/portfolio_export.py).
    grade = models.CharField(max_length=40, blank=True, help_text="Training grade, e.g. ST5.")
    training_programme = models.CharField(max_length=150, blank=True,
                                          help_text="e.g. Urology higher surgical training, London.")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="people",
        help_text="The region the person works in now; see RegionStay for the history.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(
                condition=(Q(registration_body="") & Q(registration_number=""))
                | (~Q(registration_body="") & ~Q(registration_number="")),
                name="user_registration_both_or_neither",
            ),
            models.UniqueConstraint(
                fields=["registration_body", "registration_number"],
                condition=~Q(registration_number=""),
                name="user_registration_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def clean(self) -> None:
        super().clean()
        self.email = self.email.lower()
        self.registration_number = normalise_registration_number(self.registration_number)
        validate_registration(self.registration_body, self.registration_number)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        # Whatever door changed it (the change and reset forms, an invitation, manage.py),
        # the API tokens issued with the old password end when the new one is saved.
        self._password_changed = True

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        if getattr(self, "_password_changed", False):
            self._password_changed = False
            ApiToken.objects.filter(user=self).delete()

    @cached_property
    def role_names(self) -> frozenset[str]:
        # Reads prefetched groups when the queryset prefetched them (no extra query).
        return frozenset(group.name for group in self.groups.all())

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    @property
    def roles(self) -> list[str]:
        return [role.value for role in Role if role.value in self.role_names]

    @property
    def role_labels(self) -> list[str]:
        """The roles in words ("Lab manager"), for pages: never the stored codes."""
        return [role.label for role in Role if role.value in self.role_names]


class RegionStay(models.Model):
    """Where a person worked and when: a trainee's portfolio follows them between regions."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="region_stays")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="stays")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["user_id", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(ended_on__isnull=True), name="one_open_region_stay"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="region_stay_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.region} from {self.started_on}"


class Portfolio(models.Model):
    """One per trainee: the object on which supervisors get per-object rights (guardian).

    Rights are granted per trainee, not per case, so that an assignment grants or removes
    access to the whole portfolio in one row.
    """

    trainee = models.OneToOneField(User, on_delete=models.PROTECT, related_name="portfolio")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        permissions = [("supervise_portfolio", "Can supervise the trainee's portfolio")]

    def __str__(self) -> str:
        return f"Portfolio of {self.trainee.full_name}"


class PortfolioUserObjectPermission(UserObjectPermissionBase):
    # Direct foreign key (not a generic relation): joins stay indexed and cheap.
    content_object = models.ForeignKey(Portfolio, on_delete=models.CASCADE)


class PortfolioGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Portfolio, on_delete=models.CASCADE)


class Invitation(models.Model):
    """An invitation by e-mail to join with given roles; the link carries a one-time token."""

    email = models.EmailField()
    full_name = models.CharField(max_length=150)
    roles = models.JSONField(default=list)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Withdrawn by someone who could have granted it: its link no longer works.
    revoked_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A revoked invitation no longer counts: the address may be invited again.
            models.UniqueConstraint(
                Lower("email"), condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def is_pending(self) -> bool:
        """Neither accepted nor revoked (it may have expired: it can still be resent)."""
        return self.accepted_at is None and self.revoked_at is None

    @property
    def role_labels(self) -> list[str]:
        return [role.label for role in Role if role.value in self.roles]


class ApiToken(models.Model):
    """An API token. Only the SHA-256 digest of its key is stored: the key is shown once, when
    it is issued (`rastrack.accounts.tokens`), and cannot be read back from the database or
    admin. It ends when idle too long or too old (`API_TOKEN_IDLE_DAYS`,
    `API_TOKEN_MAX_AGE_DAYS`), and when its user's roles, password or active state change."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="api_token_user_idx")]

    def __str__(self) -> str:
        return f"API token of {self.user_id} from {self.created_at:%Y-%m-%d}"


class UserSession(AbstractBaseSession):
    """A web session stored with the user it signs in (the session engine is
    `rastrack.accounts.session_store`): ending every session of a user is one indexed delete,
    whatever the number of live sessions, instead of decoding each of them."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    @classmethod
    def get_session_store_class(cls):
        from rastrack.accounts.session_store import SessionStore

        return SessionStore


class SiteLeadership(models.Model):
    """A site robotic lead's hold on one site: the sites whose robotic privileges they grant,
    keep and check. Granted by a regional lead of the site's region or a programme admin
    (`rastrack.accounts.site_leads`); the role group `site_lead` goes with the first one."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="site_leaderships")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="leaderships")
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["site_id", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "site"], name="one_site_leadership_per_site")]

    def __str__(self) -> str:
        return f"{self.user_id} leads robotic privileges at {self.site_id}"
