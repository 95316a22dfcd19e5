"""Admin shows no credential and writes no record a service owns: every model registered in
admin is read-only or audited (rastrack/core/admin.py ReadOnlyAdmin, rastrack/audit/admin.py
AuditedAdmin), nothing can be deleted there, and no admin page names a key, secret or token
field. API tokens are stored as digests (rastrack/accounts/tokens.py), so even the database
holds no key."""

from __future__ import annotations

import pytest
from django.contrib import admin as django_admin
from django.test import RequestFactory

from rastrack.audit.admin import AuditedAdmin
from rastrack.core.admin import ReadOnlyAdmin

pytestmark = pytest.mark.django_db

# Operational lists (task failures, notifications, xAPI statements, the audit trail itself)
# that carry no training record, person, role or right.
OPERATIONAL = {"core.taskfailure", "core.heartbeat", "notifications.notification",
               "notifications.xapistatement", "audit.auditentry"}
CREDENTIAL_WORDS = ("secret", "token", "digest", "password")
# Apps that only the tests install (a real OpenID Connect provider for the SSO tests).
TEST_ONLY_APPS = ("oauth2_provider",)


def test_every_admin_page_is_read_only_or_audited_and_deletes_nothing(admin):
    admin.is_staff = admin.is_superuser = True
    request = RequestFactory().get("/admin/")
    request.user = admin
    for model, model_admin in django_admin.site._registry.items():
        label = model._meta.label_lower
        if model._meta.app_label in ("auth", "sessions", "contenttypes", "axes", "guardian", *TEST_ONLY_APPS):
            continue
        if label in OPERATIONAL:
            continue
        assert isinstance(model_admin, (ReadOnlyAdmin, AuditedAdmin)), label
        assert not model_admin.has_delete_permission(request), f"{label} can be deleted in admin"


def test_no_admin_page_shows_a_credential_field(admin):
    admin.is_staff = admin.is_superuser = True
    request = RequestFactory().get("/admin/")
    request.user = admin
    for model, model_admin in django_admin.site._registry.items():
        if model._meta.app_label in TEST_ONLY_APPS:
            continue
        fields = set(model_admin.get_list_display(request)) | set(model_admin.get_fields(request))
        shown = [f for f in fields if isinstance(f, str) and any(w in f.lower() for w in CREDENTIAL_WORDS)
                 and f not in ("verification_code", "idempotency_key")]
        assert not shown, (model._meta.label_lower, shown)
