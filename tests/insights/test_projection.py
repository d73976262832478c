from decimal import Decimal as D

from insights.projection import fit, project


def test_fit_exact_line():
    trend = fit([(0, 0.2), (1, 0.25), (2, 0.3)])
    assert round(trend.slope, 6) == 0.05 and round(trend.intercept, 6) == 0.2
    assert fit([(0, 0.3)]) is None


def test_on_track_when_trend_reaches_the_target():
    observed = [("2025-Q1", D("0.20"), D("1000")), ("2025-Q2", D("0.25"), D("1000")), ("2025-Q3", D("0.30"), D("1000"))]
    result = project(observed, ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"], D("0.50"))
    # Trend 0.20 + 0.05 × 7 = 0.55 at 2026-Q4 ≥ 0.50.
    assert result.projected == D("0.5500")
    assert result.on_track is True
    assert result.quarters_left == 5
    # From 0.30, 0.20 to gain in 5 quarters: 0.04 a quarter, 40 € a quarter at a total of 1000 €.
    assert result.gain_needed_per_quarter == D("0.0400")
    assert result.euros_per_quarter == D("40.00")
    assert len(result.trend) == len(result.labels) == 8


def test_not_on_track_with_a_flat_series():
    observed = [("2025-Q1", D("0.30"), D("2000")), ("2025-Q2", D("0.30"), D("2000"))]
    result = project(observed, ["2025-Q3", "2025-Q4"], D("0.50"))
    assert result.projected == D("0.3000")
    assert result.on_track is False
    assert result.gain_needed_per_quarter == D("0.1000")
    assert result.euros_per_quarter == D("200.00")


def test_already_there_needs_no_gain():
    observed = [("2025-Q1", D("0.55"), D("100")), ("2025-Q2", D("0.60"), D("100"))]
    result = project(observed, ["2025-Q3"], D("0.50"))
    assert result.on_track is True
    assert result.gain_needed_per_quarter == D("0") and result.euros_per_quarter == D("0")


def test_not_enough_data():
    result = project([("2025-Q1", None, D("0"))], ["2025-Q2"], D("0.5"))
    assert result.on_track is None and result.projected is None
    assert result.as_dict()["target"] == "0.5000"


def test_deadline_passed_gain_is_the_whole_gap():
    observed = [("2025-Q1", D("0.30"), D("1000")), ("2025-Q2", D("0.40"), D("1000"))]
    result = project(observed, [], D("0.50"))
    assert result.quarters_left == 0
    assert result.gain_needed_per_quarter == D("0.1000")
