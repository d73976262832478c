"""Load test: partner reps on the portal and the API, each checking it never sees another partner's data.

    locust -f bench/load/locustfile.py --headless -u 200 -r 20 -t 60s --host http://127.0.0.1:8001

Every response that lists rows owned by a partner (opportunities, assignments, statements) is
checked: one row of another partner is a failure named "cross-partner data".
"""

import csv
import itertools
from pathlib import Path

from locust import HttpUser, between, task

USERS = Path(__file__).resolve().parents[2] / "var" / "load" / "users.csv"
with USERS.open() as handle:
    _people = itertools.cycle(list(csv.DictReader(handle)))


class PartnerRep(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        person = next(_people)
        self.partner_id = int(person["partner_id"])
        self.headers = {"Authorization": f"Token {person['token']}"}
        self.client.cookies.set("sessionid", person["session"])

    def _owned_rows(self, url: str, name: str):
        with self.client.get(url, headers=self.headers, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            foreign = [row for row in response.json()["results"] if row.get("partner") not in (self.partner_id, None)]
            if foreign:
                response.failure(f"cross-partner data: {len(foreign)} rows of other partners")
            else:
                response.success()

    @task(4)
    def api_opportunities(self):
        self._owned_rows("/api/v1/opportunities/", "api opportunities")

    @task(2)
    def api_assignments(self):
        self._owned_rows("/api/v1/assignments/", "api assignments")

    @task(1)
    def api_statements(self):
        self._owned_rows("/api/v1/statements/", "api statements")

    @task(2)
    def api_accounts(self):
        self.client.get("/api/v1/accounts/?is_select=true", headers=self.headers, name="api accounts")

    def _page(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/auth/login" in response.url:
                response.failure(f"HTTP {response.status_code} at {response.url}")
            else:
                response.success()

    @task(2)
    def portal_home(self):
        self._page("/portal/", "portal home")

    @task(2)
    def portal_accounts(self):
        self._page("/accounts/", "portal accounts")

    @task(2)
    def portal_opportunities(self):
        self._page("/opportunities/", "portal opportunities")
