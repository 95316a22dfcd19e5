"""The production static build: the manifest storage must find every file the vendored assets
name (no dangling source-map references), and /healthz must say so when the manifest is
missing instead of answering 200 while every page is a 500. The build itself, with the
production settings, and the sign-in page with DEBUG=false run in CI
(scripts/check_production_static.sh from .ci/run)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.test import Client

pytestmark = pytest.mark.django_db

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"
REFERENCE = re.compile(rb"sourceMappingURL=([^\s*]+)")


def test_every_source_map_a_static_file_names_is_there():
    missing = []
    for folder in settings.STATICFILES_DIRS:
        for path in Path(folder).rglob("*"):
            if path.suffix in (".js", ".css") and path.is_file():
                for name in REFERENCE.findall(path.read_bytes()):
                    if not (path.parent / name.decode()).exists():
                        missing.append(f"{path.name} -> {name.decode()}")
    assert not missing, missing


def test_healthz_reports_a_missing_manifest(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    settings.STATIC_ROOT = tmp_path
    storages._storages.pop("staticfiles", None)
    try:
        response = Client().get("/healthz")
        assert response.status_code == 503
        assert response.json()["static"].startswith("missing")
        (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1", "hash": ""}')
        storages._storages.pop("staticfiles", None)
        assert Client().get("/healthz").json()["static"] == "ok"
    finally:
        storages._storages.pop("staticfiles", None)


def test_ci_builds_the_static_files_with_the_production_settings():
    run = (Path(settings.BASE_DIR) / ".ci" / "run").read_text()
    assert "scripts/check_production_static.sh" in run
    script = (Path(settings.BASE_DIR) / "scripts" / "check_production_static.sh").read_text()
    assert "unset DEBUG" in script and "collectstatic" in script and "/signin/" in script
