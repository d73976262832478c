"""Prepare the load test: 200 partner reps spread over the partners with the most assigned accounts.

DATABASE_URL=postgres://… python bench/load/prepare.py [users]   → var/load/users.csv
"""

import csv
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.base")
PASSWORD = "load-pass-2026"


def main(count: int = 200) -> Path:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count, Q

    from ecosystem.roles import Role
    from partners.models import Partner
    from users.models import User

    partners = list(
        Partner.objects.annotate(n=Count("assignments", filter=Q(assignments__valid_to__isnull=True)))
        .order_by("-n", "id")
        .values_list("id", flat=True)[: count // 2]
    )
    if not partners:
        sys.exit("No partner in this database: run `manage.py seed_demo` first.")
    User.objects.filter(username__startswith="load.rep.").delete()
    hashed = make_password(PASSWORD)
    users = [
        User(
            username=f"load.rep.{i:03d}", password=hashed, role=Role.PARTNER_REP, partner_id=partners[i % len(partners)]
        )
        for i in range(count)
    ]
    User.objects.bulk_create(users)
    # Logged in beforehand, as users in the middle of their day are: a token and a session each.
    # (Logging in costs one PBKDF2 hash, ~0.3 s of CPU by design; 200 at once would measure only that.)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    users = list(User.objects.filter(username__startswith="load.rep.").order_by("username"))
    Token.objects.bulk_create([Token(user=user, key=Token.generate_key()) for user in users])
    tokens = dict(Token.objects.filter(user__in=users).values_list("user_id", "key"))
    sessions = {}
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions[user.pk] = session.session_key
    out = ROOT / "var" / "load" / "users.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "password", "partner_id", "token", "session"])
        for user in users:
            writer.writerow([user.username, PASSWORD, user.partner_id, tokens[user.pk], sessions[user.pk]])
    print(f"{count} partner reps over {len(partners)} partners → {out}")
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
