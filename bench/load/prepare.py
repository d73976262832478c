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
    out = ROOT / "var" / "load" / "users.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "password", "partner_id"])
        for user in users:
            writer.writerow([user.username, PASSWORD, user.partner_id])
    print(f"{count} partner reps over {len(partners)} partners → {out}")
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
