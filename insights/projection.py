"""Progress toward a share target: pure functions, no database.

The quarterly series runs from the baseline quarter to the latest quarter. A straight line
is fitted on it by least squares (x = quarter index, y = share) and extended to the quarter
holding the deadline. The target is on track when the projected share at the deadline
reaches it. The gain still needed is the share to add each remaining quarter, from the
latest quarter's share, to reach the target at the deadline; in euros it is that gain
applied to the latest quarter's total won business.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

SHARE = Decimal("0.0001")
EUROS = Decimal("0.01")


@dataclass(frozen=True)
class Trend:
    slope: float  # share points (0..1) per quarter
    intercept: float  # share at index 0

    def at(self, index: float) -> float:
        return self.intercept + self.slope * index


@dataclass
class Projection:
    labels: list[str]  # baseline … deadline quarter
    actual: list[Decimal | None]  # observed share per label (None after the latest quarter or without business)
    trend: list[Decimal | None]  # the fitted line at every label (None without enough points)
    target: Decimal
    latest_label: str | None
    latest_share: Decimal | None
    latest_total: Decimal
    projected: Decimal | None  # the trend's share at the deadline quarter
    on_track: bool | None  # None when there is not enough data to say
    quarters_left: int
    gain_needed_per_quarter: Decimal  # share to add per remaining quarter (0 when already there)
    euros_per_quarter: Decimal  # that gain × the latest quarter's total
    gap: Decimal  # target − latest share (0 when already there)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        def text(value):
            return None if value is None else str(value)

        return {
            "labels": self.labels,
            "actual": [text(v) for v in self.actual],
            "trend": [text(v) for v in self.trend],
            "target": text(self.target),
            "latest_period": self.latest_label,
            "latest_share": text(self.latest_share),
            "latest_total": text(self.latest_total),
            "projected": text(self.projected),
            "on_track": self.on_track,
            "quarters_left": self.quarters_left,
            "gain_needed_per_quarter": text(self.gain_needed_per_quarter),
            "euros_per_quarter": text(self.euros_per_quarter),
            "gap": text(self.gap),
        }


def fit(points: list[tuple[float, float]]) -> Trend | None:
    """Least-squares line through ``(x, y)`` points; None with fewer than two distinct x."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx
    return Trend(slope=slope, intercept=mean_y - slope * mean_x)


def _share(value: float) -> Decimal:
    return Decimal(str(value)).quantize(SHARE, rounding=ROUND_HALF_UP)


def project(
    observed: list[tuple[str, Decimal | None, Decimal]],
    horizon: list[str],
    target: Decimal,
) -> Projection:
    """``observed``: ``(label, share or None, total won)`` from the baseline to the latest quarter;
    ``horizon``: the labels after the latest quarter up to the deadline quarter (may be empty)."""
    target = Decimal(target)
    labels = [label for label, _, _ in observed] + list(horizon)
    points = [(float(i), float(share)) for i, (_, share, _) in enumerate(observed) if share is not None]
    trend = fit(points)
    notes = []
    if trend is None:
        notes.append("not enough quarters with business to fit a trend")
    latest = next(
        (
            (i, label, share, total)
            for i, (label, share, total) in reversed(list(enumerate(observed)))
            if share is not None
        ),
        None,
    )
    deadline_index = len(labels) - 1
    projected = _share(min(max(trend.at(deadline_index), 0.0), 1.0)) if trend else None
    if latest is None:
        latest_index, latest_label, latest_share, latest_total = len(observed) - 1, None, None, Decimal("0")
    else:
        latest_index, latest_label, latest_share, latest_total = latest
    quarters_left = max(deadline_index - latest_index, 0)
    gap = max(target - latest_share, Decimal("0")) if latest_share is not None else target
    if quarters_left:
        gain = (gap / quarters_left).quantize(SHARE, rounding=ROUND_HALF_UP)
    else:
        gain = gap.quantize(SHARE, rounding=ROUND_HALF_UP)
    euros = (gain * Decimal(latest_total)).quantize(EUROS, rounding=ROUND_HALF_UP)
    on_track = None if projected is None else projected >= target
    if latest_share is not None and latest_share >= target and (projected is None or projected >= target):
        on_track = True
    return Projection(
        labels=labels,
        actual=[share for _, share, _ in observed] + [None] * len(horizon),
        trend=[_share(min(max(trend.at(i), 0.0), 1.0)) for i in range(len(labels))] if trend else [None] * len(labels),
        target=target.quantize(SHARE),
        latest_label=latest_label,
        latest_share=latest_share,
        latest_total=Decimal(latest_total).quantize(EUROS),
        projected=projected,
        on_track=on_track,
        quarters_left=quarters_left,
        gain_needed_per_quarter=gain,
        euros_per_quarter=euros,
        gap=gap.quantize(SHARE),
        notes=notes,
    )
