"""The production stack, checked without a Docker engine: docker-compose.yml parsed, every
service's command exists in the project, every variable the project reads is documented."""

import importlib
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCUMENTED = {
    line.split("=", 1)[0].strip()
    for line in (ROOT / ".env.example").read_text().splitlines()
    if "=" in line and not line.lstrip().startswith("#")
}


def test_stack_has_every_service_with_healthchecks_and_restart_policies():
    assert {"db", "redis", "web", "worker", "beat"} <= set(SERVICES)
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in SERVICES[name], f"{name} has no healthcheck"
    for name in ("db", "redis", "web", "worker", "beat"):
        assert SERVICES[name].get("restart") in {"unless-stopped", "always"}, f"{name} has no restart policy"
    assert "pgdata" in COMPOSE["volumes"]
    assert any(str(v).startswith("pgdata:") for v in SERVICES["db"]["volumes"])


@pytest.mark.parametrize("name", ["web", "worker", "beat", "migrate"])
def test_service_command_exists_in_the_project(name):
    command = SERVICES[name]["command"]
    program = command[0]
    if program == "gunicorn":
        module, attribute = command[1].split(":")
        assert hasattr(importlib.import_module(module), attribute)
    elif program == "celery":
        assert command[1:3] == ["-A", "ecosystem"]
        from ecosystem.celery import app

        assert app.main == "ecosystem"
        if "--scheduler" in command:
            importlib.import_module(command[command.index("--scheduler") + 1].split(":")[0])
    elif program == "python":
        assert command[1] == "manage.py" and (ROOT / "manage.py").exists()
        from django.core.management import get_commands

        assert command[2] in get_commands()
    else:
        pytest.fail(f"{name}: unknown program {program}")


def test_web_healthcheck_uses_the_readiness_probe(client, db):
    assert "/readyz" in " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_every_variable_compose_passes_is_documented():
    passed = set()
    for service in SERVICES.values():
        passed |= set((service.get("environment") or {}).keys())
    text = (ROOT / "docker-compose.yml").read_text()
    passed |= set(re.findall(r"\$\{(\w+)", text))
    app_only = passed - {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "DJANGO_SETTINGS_MODULE"}
    assert app_only <= DOCUMENTED, f"not in .env.example: {sorted(app_only - DOCUMENTED)}"


def test_every_variable_the_settings_read_is_documented():
    read = set()
    for path in (ROOT / "ecosystem" / "settings").glob("*.py"):
        read |= set(re.findall(r"env(?:\.\w+)?\(\s*\"(\w+)\"", path.read_text()))
        read |= set(re.findall(r"os\.environ\.get\(\s*\"(\w+)\"", path.read_text()))
    assert read, "no environment variable found: the pattern is out of date"
    assert read <= DOCUMENTED, f"not in .env.example: {sorted(read - DOCUMENTED)}"
