"""The channel team's and the managers' main menu in headed groups (ecosystem/menus.py): every link inside
``.main-nav``, each answering for the role, the Admin link for staff only, the current page's group marked."""

import re

import pytest
from django.utils import translation

from ecosystem.menus import MENUS, MenuGroup

from .factories import UserFactory


def nav(html: str) -> str:
    return html.split('<ul class="main-nav">', 1)[1].split("</ul>", 1)[0]


def groups(html: str) -> dict[str, list[str]]:
    found = re.findall(r"<summary[^>]*>([^<]+)</summary>\s*<div class=\"menu-links\">(.*?)</div>", nav(html), re.S)
    return {label: re.findall(r'href="([^"]+)"', links) for label, links in found}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["channel", "manager"])
def test_the_menu_is_grouped_and_every_link_answers(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    html = client.get("/accounts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = groups(html)
    assert {"Accounts", "Deals", "Commissions", "Payments", "Insights", "Administration"} <= set(shown)
    assert "/admin/" not in nav(html)  # staff only
    links = re.findall(r'href="([^"]+)"', nav(html))
    assert len(links) == sum(len(g.links) - sum(link.staff_only for link in g.links) if isinstance(g, MenuGroup) else 1
                             for g in MENUS[role])  # fmt: skip
    for link in links:
        assert client.get(link).status_code == 200, link


@pytest.mark.django_db
def test_the_current_pages_group_is_marked(client):
    client.force_login(UserFactory(role="channel"))
    html = client.get("/commissions/settlements/").content.decode()
    marked = re.findall(r'<li class="menu-group current"><details [^>]*><summary aria-current="true">([^<]+)<', html)
    assert marked == ["Commissions"]
    assert '<a href="/commissions/settlements/" aria-current="page">' in nav(html)
    # A page below a link (the longest address that starts the path wins): coverage, not accounts.
    html = client.get("/accounts/coverage/").content.decode()
    assert '<a href="/accounts/coverage/" aria-current="page">' in nav(html)
    assert '<a href="/accounts/" aria-current="page">' not in nav(html)


@pytest.mark.django_db
def test_the_admin_link_is_for_staff_only_and_the_headings_speak_french(client):
    staff = UserFactory(role="channel", is_staff=True)
    client.force_login(staff)
    with translation.override("fr"):
        html = client.get("/accounts/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "/admin/" in groups(html)["Administration"]
    assert {"Comptes", "Commissions", "Paiements"} <= set(groups(html))


@pytest.mark.django_db
def test_partner_users_keep_their_short_menu(client, rep_a):
    client.force_login(rep_a)
    html = client.get("/accounts/").content.decode()
    assert "<details" not in nav(html) and "/commissions/statements/" in nav(html)
