"""Query parameters of the dashboards and the API, checked once: errors name the parameter."""

from datetime import date

from ecosystem.choices import ProductLine, Region, Sector
from ecosystem.periods import parse_period, quarter_of
from partners.models import PartnerTier

from .figures import Query, default_range
from .share import GROUP_BYS

CHOICES = {
    "region": tuple(Region.values),
    "sector": tuple(Sector.values),
    "tier": tuple(PartnerTier.values),
    "product_line": tuple(ProductLine.values),
}
MAX_QUARTERS = 40


class ParamError(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def parse_query(params, today: date, *, group_by_default: str = "quarter") -> Query:
    errors: dict[str, list[str]] = {}
    first, last = default_range(today)
    periods = {}
    for name, default in (("from", first), ("to", last)):
        raw = (params.get(name) or "").strip()
        if not raw:
            periods[name] = default
            continue
        try:
            periods[name] = quarter_of(parse_period(raw).start) if name == "from" else quarter_of(parse_period(raw).end)
        except ValueError as error:
            errors[name] = [str(error)]
    if "from" in periods and "to" in periods:
        if periods["from"] > periods["to"]:
            errors["from"] = [f"'{periods['from']}' comes after 'to' ({periods['to']})."]
        elif len(_quarters(periods["from"], periods["to"])) > MAX_QUARTERS:
            errors["to"] = [f"The range is limited to {MAX_QUARTERS} quarters."]
    group_by = (params.get("group_by") or group_by_default).strip()
    if group_by not in GROUP_BYS:
        errors["group_by"] = [f"'{group_by}' is not one of: {', '.join(GROUP_BYS)}."]
    filters = {}
    for name, allowed in CHOICES.items():
        value = (params.get(name) or "").strip()
        if value and value not in allowed:
            errors[name] = [f"'{value}' is not one of: {', '.join(allowed)}."]
        elif value:
            filters[name] = value
    live = (params.get("live") or "").strip().lower() in ("1", "true", "yes")
    if errors:
        raise ParamError(errors)
    return Query(first=periods["from"], last=periods["to"], group_by=group_by, filters=filters, live=live)


def _quarters(first, last):
    from ecosystem.periods import quarters_between

    return quarters_between(first, last)
