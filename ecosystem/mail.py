"""E-mails in each recipient's language.

Every e-mail the product sends is rendered once per language among its recipients, inside
``translation.override(language)``, so its words, dates and amounts are the reader's: a user's
``language`` when chosen, else the site's (``settings.LANGUAGE_CODE``).
"""

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings


def language_of(user, fallback: str = "") -> str:
    """The language ``user`` reads e-mails in: the one chosen, else ``fallback``, else the site's."""
    chosen = getattr(user, "language", "") or ""
    offered = {code for code, _name in settings.LANGUAGES}
    for language in (chosen, fallback):
        if language and language.split("-")[0] in offered:
            return language.split("-")[0]
    return settings.LANGUAGE_CODE


def addresses_by_language(users: Iterable) -> list[tuple[str, list[str]]]:
    """``[(language, [address, …]), …]``: the users' e-mail addresses grouped by language, both sorted."""
    groups: dict[str, set[str]] = defaultdict(set)
    for user in users:
        if user.email:
            groups[language_of(user)].add(user.email)
    return [(language, sorted(addresses)) for language, addresses in sorted(groups.items())]
