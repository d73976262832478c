from django.urls import path

from . import coverage_views, target_views, views

urlpatterns = [
    path("workspace/", views.WorkspaceHomeView.as_view(), name="workspace-home"),
    # The coverage workspace stays under accounts' addresses; its figures come from the snapshot (here).
    path("accounts/coverage/", coverage_views.CoverageView.as_view(), name="coverage"),
    path("dashboard/", views.ManagerHomeView.as_view(), name="manager-home"),
    path("dashboard/share/", views.ShareDashboardView.as_view(), name="insights-share"),
    path("dashboard/share/<str:region>/", views.RegionDrillView.as_view(), name="insights-region"),
    path("dashboard/coverage/", views.CoverageDashboardView.as_view(), name="insights-coverage"),
    path("dashboard/commission/", views.CommissionDashboardView.as_view(), name="insights-commission"),
    path("dashboard/levers/", views.LeversDashboardView.as_view(), name="insights-levers"),
    path("dashboard/snapshot/", views.SnapshotNowView.as_view(), name="insights-snapshot"),
    path("bookings/import/", views.BookingImportView.as_view(), name="bookings-import"),
    path("targets/", target_views.TargetListView.as_view(), name="target-list"),
    path("targets/new/", target_views.TargetCreateView.as_view(), name="target-create"),
    path("targets/<int:pk>/", target_views.TargetDetailView.as_view(), name="target-detail"),
    path("targets/<int:pk>/edit/", target_views.TargetEditView.as_view(), name="target-edit"),
]
