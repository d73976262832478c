"""The internal roles' main menu, in a few headed groups (Accounts, Deals, Commissions, Payments, Insights,
Administration) rather than one long row of links.

Data, not template logic: each role's groups and links are listed here once, by URL name; the template
(``ecosystem/_main_menu.html``) renders each group as a ``<details>`` whose summary is its heading, so it
works without JavaScript and folds at 390 px. The group holding the page being read is marked (and its
link carries ``aria-current="page"``): the link whose address is the longest prefix of the page's path.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuLink:
    url_name: str
    label: str
    staff_only: bool = False


@dataclass(frozen=True)
class MenuGroup:
    label: str
    links: tuple[MenuLink, ...]


CHANNEL_MENU = (
    MenuLink("workspace-home", _("Workspace")),
    MenuGroup(
        _("Accounts"),
        (
            MenuLink("partner-list", _("Partners")),
            MenuLink("account-list", _("Accounts")),
            MenuLink("proposal-list", _("Proposals")),
            MenuLink("coverage", _("Coverage")),
            MenuLink("roadshow-list", _("Roadshows")),
            MenuLink("secondment-list", _("Secondments")),
        ),
    ),
    MenuGroup(
        _("Deals"),
        (
            MenuLink("opportunity-list", _("Opportunities")),
            MenuLink("registration-queue", _("Registrations")),
            MenuLink("claim-list", _("Claims")),
            MenuLink("bookings-import", _("Import bookings")),
        ),
    ),
    MenuGroup(
        _("Commissions"),
        (
            MenuLink("commissions:program-list", _("Programs")),
            MenuLink("commissions:settlement-list", _("Settlements")),
            MenuLink("commissions:exception-list", _("Exceptions")),
            MenuLink("commissions:dispute-list", _("Disputes")),
            MenuLink("commissions:quota-list", _("Quotas")),
        ),
    ),
    MenuGroup(
        _("Payments"),
        (MenuLink("payments:invoice-list", _("Invoices")), MenuLink("payments:billing-list", _("Billing"))),
    ),
    MenuGroup(
        _("Insights"),
        (MenuLink("manager-home", _("Dashboards")), MenuLink("target-list", _("Targets"))),
    ),
    MenuGroup(
        _("Administration"),
        (
            MenuLink("user-list", _("Users")),
            MenuLink("audit-list", _("Audit")),
            MenuLink("admin:index", _("Admin"), staff_only=True),
        ),
    ),
)

MANAGER_MENU = (
    MenuLink("manager-home", _("Dashboard")),
    MenuGroup(
        _("Accounts"),
        (
            MenuLink("partner-list", _("Partners")),
            MenuLink("account-list", _("Accounts")),
            MenuLink("proposal-list", _("Proposals")),
        ),
    ),
    MenuGroup(_("Deals"), (MenuLink("opportunity-list", _("Opportunities")),)),
    MenuGroup(_("Commissions"), (MenuLink("commissions:settlement-list", _("Settlements")),)),
    MenuGroup(_("Payments"), (MenuLink("payments:invoice-list", _("Invoices")),)),
    MenuGroup(_("Insights"), (MenuLink("target-list", _("Targets")),)),
    MenuGroup(
        _("Administration"),
        (MenuLink("audit-list", _("Audit")), MenuLink("admin:index", _("Admin"), staff_only=True)),
    ),
)

MENUS = {"channel": CHANNEL_MENU, "manager": MANAGER_MENU}


@dataclass
class ShownLink:
    url: str
    label: str
    current: bool = False


@dataclass
class ShownGroup:
    label: str
    links: list[ShownLink]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def _shown(link: MenuLink, user) -> ShownLink | None:
    if link.staff_only and not user.is_staff:
        return None
    return ShownLink(reverse(link.url_name), str(link.label))


def main_menu(user, path: str) -> list[ShownLink | ShownGroup]:
    """``user``'s menu (empty for a role without a grouped menu), the page at ``path`` marked."""
    entries: list[ShownLink | ShownGroup] = []
    for entry in MENUS.get(getattr(user, "role", ""), ()):
        if isinstance(entry, MenuLink):
            if shown := _shown(entry, user):
                entries.append(shown)
            continue
        links = [shown for link in entry.links if (shown := _shown(link, user))]
        if links:
            entries.append(ShownGroup(str(entry.label), links))
    every = [e for e in entries if isinstance(e, ShownLink)]
    every += [link for e in entries if isinstance(e, ShownGroup) for link in e.links]
    matching = [link for link in every if path.startswith(link.url)]
    if matching:
        max(matching, key=lambda link: len(link.url)).current = True
    return entries
