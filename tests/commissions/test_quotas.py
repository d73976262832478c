"""Quotas (SPEC §4.3): entered by the channel team on the page, the API and the CSV import, with
history; what the accelerators measure against; never changed for a period whose run is approved."""

from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from audit.models import AuditEvent
from commissions.models import Quota
from commissions.quota_import import import_quotas
from ecosystem.roles import Role

from ..factories import PartnerFactory, RuleFactory, UserFactory, won
from .helpers import Q3_DAY, approved, computed, current_lines

QUOTAS = "/api/v1/quotas/"


def accelerated_rule():
    """10 %, × 1.5 once the partner's won amount reaches its quota."""
    return RuleFactory(rate=D("0.1"), accelerator_threshold=D("1.0"), accelerator_multiplier=D("1.5"))


def write_csv(tmp_path, text: str):
    path = tmp_path / "quotas.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
class TestFailure5QuotasCanBeEntered:
    """Issue 13, failure 5: "quotas, on which accelerators depend, can be entered nowhere (only the demo
    loader writes them)". Each way in now writes a quota that the settlement's accelerator uses."""

    def test_a_quota_entered_on_the_api_accelerates_the_settlement(self, api, channel_user, partner_a):
        accelerated_rule()
        won(partner_a, "120000.00", Q3_DAY)
        response = api(channel_user).post(
            QUOTAS, {"partner": partner_a.pk, "period": "2026-q3", "amount": "100000.00"}, format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["period"] == "2026-Q3" and response.json()["amount"] == "100000.00"
        [line] = current_lines(computed(user=channel_user))
        assert line.accelerator == D("1.5") and line.payout == D("18000.00")

    def test_without_a_quota_nothing_is_accelerated(self, channel_user, partner_a):
        accelerated_rule()
        won(partner_a, "120000.00", Q3_DAY)
        [line] = current_lines(computed(user=channel_user))
        assert line.accelerator is None and line.payout == D("12000.00")

    def test_a_quota_entered_on_the_page(self, client, channel_user, partner_a):
        client.force_login(channel_user)
        response = client.post(
            "/commissions/quotas/new/", {"partner": partner_a.pk, "period": "2026-Q3", "amount": "100 000,00"}
        )
        quota = Quota.objects.get(partner=partner_a, period="2026-Q3")
        assert response.status_code == 302 and response["Location"] == f"/commissions/quotas/{quota.pk}/"
        assert quota.amount == D("100000.00")
        page = client.get(f"/commissions/quotas/{quota.pk}/").content.decode()
        assert 'id="quota-history"' in page and "channel" in page

    def test_quotas_imported_by_the_command(self, tmp_path, channel_user, partner_a, partner_b):
        path = write_csv(
            tmp_path,
            f"partner_siren;period;amount\n{partner_a.siren};2026-Q3;100 000,00\n{partner_b.siren};2026-Q3;50000\n",
        )
        call_command("import_quotas", str(path), verbosity=0)
        assert dict(Quota.objects.values_list("partner_id", "amount")) == {
            partner_a.pk: D("100000.00"),
            partner_b.pk: D("50000.00"),
        }
        accelerated_rule()
        won(partner_a, "120000.00", Q3_DAY)
        [line] = current_lines(computed(user=channel_user))
        assert line.accelerator == D("1.5")


@pytest.mark.django_db
class TestQuotaChanges:
    def test_changes_are_kept_in_the_history_with_who_and_why(self, api, channel_user, partner_a, admin_a):
        quota_id = api(channel_user).post(
            QUOTAS, {"partner": partner_a.pk, "period": "2026-Q4", "amount": "80000.00", "reason": "Plan"},
            format="json",
        ).json()["id"]  # fmt: skip
        response = api(channel_user).patch(
            f"{QUOTAS}{quota_id}/", {"amount": "90000.00", "reason": "Revu en comité"}, format="json"
        )
        assert response.status_code == 200 and response.json()["amount"] == "90000.00"
        history = api(channel_user).get(f"{QUOTAS}{quota_id}/history/").json()
        assert [(h["type"], h["old"], h["amount"], h["user"], h["reason"]) for h in history] == [
            ("~", "80000.00", "90000.00", "channel", "Revu en comité"),
            ("+", None, "80000.00", "channel", "Plan"),
        ]
        # The partner reads its own quota's history, without the vendor's user names.
        partner_view = api(admin_a).get(f"{QUOTAS}{quota_id}/history/").json()
        assert [h["amount"] for h in partner_view] == ["90000.00", "80000.00"]
        assert {h["user"] for h in partner_view} == {None}
        events = AuditEvent.objects.filter(kind="quota.changed").order_by("id")
        assert [(e.detail["old"], e.detail["new"]) for e in events] == [(None, "80000.00"), ("80000.00", "90000.00")]

    def test_a_second_quota_for_the_same_partner_and_period_is_refused(self, api, channel_user, partner_a):
        body = {"partner": partner_a.pk, "period": "2026-Q4", "amount": "80000.00"}
        assert api(channel_user).post(QUOTAS, body, format="json").status_code == 201
        response = api(channel_user).post(QUOTAS, {**body, "amount": "1.00"}, format="json")
        assert response.status_code == 400 and "already has a quota for Q4 2026" in response.json()["period"][0]
        assert Quota.objects.get().amount == D("80000.00")

    def test_partner_and_period_of_a_quota_never_change(self, api, channel_user, partner_a, partner_b):
        quota = Quota.objects.create(partner=partner_a, period="2026-Q4", amount=D("10"))
        response = api(channel_user).put(
            f"{QUOTAS}{quota.pk}/", {"amount": "20.00", "partner": partner_b.pk, "period": "2027-Q1"}, format="json"
        )
        assert response.status_code == 400 and set(response.json()) == {"partner", "period"}
        quota.refresh_from_db()
        assert (quota.partner_id, quota.period, quota.amount) == (partner_a.pk, "2026-Q4", D("10.00"))


@pytest.mark.django_db
class TestQuotasOfAnApprovedPeriod:
    """Decision: a quota of a period whose settlement is approved never changes and none is added:
    its payouts were computed against it (refused everywhere, naming the run)."""

    @pytest.fixture
    def q3_approved(self, partner_a, channel_user, manager_user):
        accelerated_rule()
        won(partner_a, "120000.00", Q3_DAY)
        quota = Quota.objects.create(partner=partner_a, period="2026-Q3", amount=D("100000"))
        run = approved(runner=channel_user, approver=manager_user)
        return quota, run

    def test_refused_on_the_api(self, api, channel_user, partner_b, q3_approved):
        quota, _ = q3_approved
        response = api(channel_user).patch(f"{QUOTAS}{quota.pk}/", {"amount": "200000.00"}, format="json")
        assert response.status_code == 400 and "Settlement 2026-Q3 is approved" in response.json()["period"][0]
        response = api(channel_user).post(
            QUOTAS, {"partner": partner_b.pk, "period": "2026-Q3", "amount": "5.00"}, format="json"
        )
        assert response.status_code == 400 and "2026-Q3" in response.json()["period"][0]
        assert api(channel_user).get(f"{QUOTAS}{quota.pk}/").json()["locked"] is True
        quota.refresh_from_db()
        assert quota.amount == D("100000.00") and Quota.objects.count() == 1

    def test_refused_on_the_page(self, client, channel_user, q3_approved):
        quota, _ = q3_approved
        client.force_login(channel_user)
        page = client.get(f"/commissions/quotas/{quota.pk}/").content.decode()
        assert "Settlement 2026-Q3 is approved" in page and f"/commissions/quotas/{quota.pk}/edit/" not in page
        response = client.post(f"/commissions/quotas/{quota.pk}/edit/", {"amount": "1"})
        assert response.status_code == 200 and "Settlement 2026-Q3 is approved" in response.content.decode()
        quota.refresh_from_db()
        assert quota.amount == D("100000.00")

    def test_refused_by_the_import(self, tmp_path, partner_a, q3_approved):
        path = write_csv(tmp_path, f"partner_siren,period,amount\n{partner_a.siren},2026-Q3,1.00\n")
        with pytest.raises(CommandError, match="nothing was written"):
            call_command("import_quotas", str(path), verbosity=0)
        assert Quota.objects.get().amount == D("100000.00")

    @pytest.mark.parametrize(
        ("language", "message"),
        [
            ("en", "settlement 2026-Q3 is approved: its quotas no longer change"),
            ("fr", "le règlement 2026-Q3 est approuvé : ses quotas ne changent plus"),
        ],
    )
    def test_the_import_names_the_status_in_the_readers_words(self, partner_a, q3_approved, language, message):
        with translation.override(language):
            report = import_quotas(f"partner_siren,period,amount\n{partner_a.siren},2026-Q3,1.00\n".encode())
        assert [(e.line, e.column, e.message) for e in report.errors] == [(2, "period", message)]
        assert not report.written

    def test_later_runs_never_adjust_the_approved_period_for_a_quota(self, partner_a, channel_user, q3_approved):
        q4 = computed("2026-Q4", user=channel_user)
        assert not current_lines(q4).exists()


@pytest.mark.django_db
class TestQuotaImport:
    def test_a_file_with_a_bad_row_writes_nothing_unless_good_rows_only(self, tmp_path, partner_a):
        text = f"partner_siren,period,amount\n{partner_a.siren},2026-Q3,1000\n{partner_a.siren},2026-Q5,1000\n"
        path = write_csv(tmp_path, text)
        with pytest.raises(CommandError, match="nothing was written"):
            call_command("import_quotas", str(path), verbosity=0)
        assert not Quota.objects.exists()
        call_command("import_quotas", str(path), "--good-rows-only", verbosity=0)
        assert list(Quota.objects.values_list("period", "amount")) == [("2026-Q3", D("1000.00"))]

    def test_importing_the_same_file_again_changes_nothing(self, tmp_path, partner_a, partner_b):
        from commissions.quota_import import import_quotas

        data = f"partner_siren,period,amount\n{partner_a.siren},2026-Q3,1000\n{partner_b.siren},2026-Q3,2000\n"
        first = import_quotas(data.encode())
        assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
        history = Quota.history.count()
        again = import_quotas(data.encode())
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
        assert Quota.history.count() == history
        changed = import_quotas(data.replace(",2000", ",2500").encode())
        assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
        assert Quota.objects.get(partner=partner_b).history.first().history_change_reason == "CSV import"

    def test_the_page_and_the_api_import_as_a_job(
        self, client, api, channel_user, partner_a, django_capture_on_commit_callbacks
    ):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = f"partner_siren,period,amount\n{partner_a.siren},2026-Q4,1000\n".encode()
        client.force_login(channel_user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/commissions/quotas/import/", {"file": SimpleUploadedFile("q.csv", data, content_type="text/csv")}
            )
        assert response.status_code == 302 and "/jobs/" in response["Location"]
        assert Quota.objects.get().amount == D("1000.00")
        again = f"partner_siren,period,amount\n{partner_a.siren},2026-Q4,1200\n".encode()
        with django_capture_on_commit_callbacks(execute=True):
            response = api(channel_user).post(
                f"{QUOTAS}import/",
                {"file": SimpleUploadedFile("q.csv", again, content_type="text/csv")},
                format="multipart",
            )
        assert response.status_code == 202, response.content
        assert Quota.objects.get().amount == D("1200.00")


@pytest.mark.django_db
class TestWhoSeesQuotas:
    @pytest.fixture
    def quotas(self, partner_a, partner_b):
        return {
            "a": Quota.objects.create(partner=partner_a, period="2026-Q3", amount=D("100000")),
            "b": Quota.objects.create(partner=partner_b, period="2026-Q3", amount=D("777777")),
        }

    def test_a_partner_reads_its_own_quotas_only_and_writes_none(self, api, users, quotas, partner_a, partner_b):
        for key in ("partner_admin", "partner_rep"):
            client = api(users[key])
            body = client.get(QUOTAS).json()
            assert [row["id"] for row in body["results"]] == [quotas["a"].pk] and body["count"] == 1
            assert client.get(f"{QUOTAS}{quotas['b'].pk}/").status_code == 404
            theirs, unknown = client.get(f"{QUOTAS}?partner={partner_b.pk}"), client.get(f"{QUOTAS}?partner=999999")
            assert theirs.status_code == unknown.status_code == 400 and theirs.json() == unknown.json()
            assert client.get(f"{QUOTAS}?q={partner_b.name}").json()["count"] == 0
            body = {"partner": partner_a.pk, "period": "2027-Q1", "amount": "1.00"}
            assert client.post(QUOTAS, body, format="json").status_code == 403
            assert client.patch(f"{QUOTAS}{quotas['a'].pk}/", {"amount": "1.00"}, format="json").status_code == 403
        assert api(users["manager"]).get(QUOTAS).json()["count"] == 2
        assert api(users["manager"]).post(QUOTAS, {}, format="json").status_code == 403

    def test_the_pages_follow_the_same_rules(self, client, users, quotas, partner_b):
        client.force_login(users["partner_rep"])
        page = client.get("/commissions/quotas/").content.decode()
        assert "100" in page and "777" not in page and partner_b.name not in page
        assert client.get(f"/commissions/quotas/{quotas['b'].pk}/").status_code == 404
        assert client.get("/commissions/quotas/new/").status_code == 403
        assert client.get(f"/commissions/quotas/{quotas['a'].pk}/edit/").status_code == 403
        client.force_login(users["manager"])
        assert client.get("/commissions/quotas/new/").status_code == 403
        page = client.get("/commissions/quotas/?year=2026&q=" + partner_b.siren).content.decode()
        assert partner_b.name in page and "Alpha" not in page

    def test_only_active_users_of_the_channel_team_write(self, api, quotas):
        inactive = UserFactory(role=Role.CHANNEL, is_active=False)
        assert api(inactive).patch(f"{QUOTAS}{quotas['a'].pk}/", {"amount": "1.00"}, format="json").status_code == 403


@pytest.mark.django_db
def test_a_partner_created_later_gets_its_quota_like_any_other(api, channel_user):
    partner = PartnerFactory()
    response = api(channel_user).post(
        QUOTAS, {"partner": partner.pk, "period": "2027-01", "amount": "5000"}, format="json"
    )
    assert response.status_code == 201 and response.json()["period"] == "2027-01"
