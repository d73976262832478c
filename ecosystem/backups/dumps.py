"""Backup and restore of the whole database: ``pg_dump``/``pg_restore`` on PostgreSQL, the online
backup API on SQLite. Used by ``manage.py backup`` and ``manage.py restore``."""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(RuntimeError):
    pass


def _pg_args(settings: dict) -> tuple[list[str], dict]:
    args = ["--host", settings.get("HOST") or "localhost", "--port", str(settings.get("PORT") or 5432)]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    env = {"PGPASSWORD": settings["PASSWORD"]} if settings.get("PASSWORD") else {}
    return args, env


def _run(command: list[str], env: dict) -> None:
    import os

    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)")
    completed = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip()[:2000]}")


def backup(path: Path, settings: dict | None = None) -> Path:
    """Write a consistent copy of the database to ``path`` (custom-format dump, or a SQLite file)."""
    settings = settings or connection.settings_dict
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        args, env = _pg_args(settings)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(path), *args, settings["NAME"]], env)
    elif connection.vendor == "sqlite":
        source = sqlite3.connect(settings["NAME"])
        target = sqlite3.connect(path)
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        raise BackupError(f"no backup for {connection.vendor}")
    return path


def restore(path: Path, settings: dict | None = None) -> None:
    """Replace the database's content with the backup at ``path``."""
    settings = settings or connection.settings_dict
    if not path.exists():
        raise BackupError(f"{path} does not exist")
    connection.close()
    if connection.vendor == "postgresql":
        args, env = _pg_args(settings)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                settings["NAME"],
                *args,
                str(path),
            ],
            env,
        )
    elif connection.vendor == "sqlite":
        source = sqlite3.connect(path)
        target = sqlite3.connect(settings["NAME"])
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        raise BackupError(f"no restore for {connection.vendor}")
