"""Load test: partner reps on the portal and the API, each checking it never sees another partner's data.

    locust -f bench/load/locustfile.py --headless -u 200 -r 20 -t 60s --host http://127.0.0.1:8001

Every response that lists rows owned by a partner (opportunities, assignments, statements) is
checked: one row of another partner is a failure named "cross-partner data".
"""

import csv
import itertools
import re
from pathlib import Path

from locust import HttpUser, between, task

USERS = Path(__file__).resolve().parents[2] / "var" / "load" / "users.csv"
with USERS.open() as handle:
    _people = itertools.cycle(list(csv.DictReader(handle)))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PartnerRep(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        person = next(_people)
        self.partner_id = int(person["partner_id"])
        response = self.client.post(
            "/api/v1/auth/token/",
            json={"username": person["username"], "password": person["password"]},
            name="token",
        )
        self.headers = {"Authorization": f"Token {response.json()['token']}"}
        page = self.client.get("/auth/login/", name="login page")
        token = CSRF.search(page.text)
        self.client.post(
            "/auth/login/",
            {"username": person["username"], "password": person["password"],
             "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": f"{self.host}/auth/login/"}, name="login",
        )  # fmt: skip

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

    @task(2)
    def portal_home(self):
        self.client.get("/portal/", name="portal home")

    @task(2)
    def portal_accounts(self):
        self.client.get("/accounts/", name="portal accounts")

    @task(2)
    def portal_opportunities(self):
        self.client.get("/opportunities/", name="portal opportunities")
