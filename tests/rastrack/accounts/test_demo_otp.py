"""The README's TOTP command works exactly as written: it sets DEBUG itself, because the
command (like the demo world) is refused outside development."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rastrack.accounts.demo_mfa import current_code, ensure_demo_device

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_command_sets_debug_and_names_the_placeholder():
    commands = re.findall(r"^.*manage\.py demo_otp.*$", README.read_text(), re.M)
    assert commands, "the README shows how to get a demo code"
    for line in commands:
        assert "DEBUG=true .venv/bin/python manage.py demo_otp <email>" in line


def test_the_command_prints_the_current_code_in_debug_only(settings, admin):
    device = ensure_demo_device(admin)
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_otp", admin.email, stdout=out)
    assert out.getvalue().strip() == current_code(device)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only for DEBUG"):
        call_command("demo_otp", admin.email)
