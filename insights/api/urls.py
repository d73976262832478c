from django.urls import path

from . import insights

urlpatterns = [
    path("insights/ecosystem-share/", insights.EcosystemShareView.as_view(), name="insights-share"),
    path("insights/target-progress/", insights.TargetProgressView.as_view(), name="insights-target-progress"),
    path("insights/coverage/", insights.CoverageView.as_view(), name="insights-coverage"),
    path("insights/commission-cost/", insights.CommissionCostView.as_view(), name="insights-commission-cost"),
    path("insights/levers/", insights.LeversView.as_view(), name="insights-levers"),
    path("insights/snapshots/", insights.SnapshotView.as_view(), name="insights-snapshot"),
    path("bookings/import/", insights.BookingImportView.as_view(), name="bookings-import"),
]
