"""The 403, 404, CSRF-failure and 500 pages: styled like the product, with the menu where a user is known,
in the reader's language (they used to be Django's bare pages)."""

import pytest
from django.test import Client
from django.urls import path

from ecosystem.urls import urlpatterns as project_urls

from .factories import OpportunityFactory


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [*project_urls, path("boom/", _boom)]


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False  # Django shows its technical pages in DEBUG


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "menu"),
    [("fr", "Page introuvable", "Mes comptes"), ("en", "Page not found", "My accounts")],
)
def test_404_has_the_menu_in_the_readers_language(client, rep_a, language, title, menu):
    client.force_login(rep_a)
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 404
    assert f"<h1>{title}</h1>" in page and menu in page and 'href="/portal/"' in page
    assert "css/ecosystem.css" in page


@pytest.mark.django_db
def test_an_object_of_another_partner_is_the_same_404(client, rep_a, partner_b):
    theirs = OpportunityFactory(partner=partner_b, description="Bravo's secret deal")
    client.force_login(rep_a)
    response = client.get(f"/opportunities/{theirs.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404 and "<h1>Page not found</h1>" in response.content.decode()
    assert partner_b.name not in response.content.decode() and "secret" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title"), [("fr", "Action non autorisée"), ("en", "Not allowed")])
def test_403_has_the_menu_in_the_readers_language(client, rep_a, language, title):
    client.force_login(rep_a)
    response = client.get("/accounts/import/", HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 403
    assert f"<h1>{title}</h1>" in page and 'href="/portal/"' in page


@pytest.mark.django_db
def test_csrf_failure_page(rep_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep_a)
    response = client.post("/opportunities/register/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403 and "<h1>The form expired</h1>" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("language", "title"), [("fr", "Une erreur est survenue"), ("en", "Something went wrong")])
def test_500_page(rep_a, language, title):
    client = Client(raise_request_exception=False)
    client.force_login(rep_a)
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 500
    page = response.content.decode()
    assert f"<h1>{title}</h1>" in page and "css/ecosystem.css" in page and "a bug" not in page
