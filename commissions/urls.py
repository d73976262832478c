from django.urls import path

from . import quota_views, review_views, views

app_name = "commissions"

urlpatterns = [
    path("", views.CommissionsHomeView.as_view(), name="home"),
    path("programs/", views.ProgramListView.as_view(), name="program-list"),
    path("programs/new/", views.ProgramCreateView.as_view(), name="program-create"),
    path("programs/<int:pk>/", views.ProgramDetailView.as_view(), name="program-detail"),
    path("programs/<int:pk>/edit/", views.ProgramEditView.as_view(), name="program-edit"),
    path("programs/<int:pk>/rules/new/", views.RuleCreateView.as_view(), name="rule-create"),
    path("rules/<int:pk>/", views.RuleDetailView.as_view(), name="rule-detail"),
    path("rules/<int:pk>/edit/", views.RuleEditView.as_view(), name="rule-edit"),
    path("rules/<int:pk>/revise/", views.RuleReviseView.as_view(), name="rule-revise"),
    path("settlements/", views.SettlementListView.as_view(), name="settlement-list"),
    path("settlements/run/", views.SettlementRunView.as_view(), name="settlement-run"),
    path("settlements/<int:pk>/", views.SettlementDetailView.as_view(), name="settlement-detail"),
    path("settlements/<int:pk>/approve/", review_views.SettlementApproveView.as_view(), name="settlement-approve"),
    path(
        "settlements/<int:pk>/adjustments/new/",
        review_views.ManualAdjustmentCreateView.as_view(),
        name="adjustment-create",
    ),
    path("settlements/<int:pk>/mark-paid/", views.SettlementMarkPaidView.as_view(), name="settlement-mark-paid"),
    path("settlements/<int:pk>/export.csv", views.SettlementExportView.as_view(), name="settlement-export"),
    path(
        "settlements/<int:pk>/export.xlsx",
        views.SettlementExportView.as_view(spreadsheet=True),
        name="settlement-export-xlsx",
    ),
    path("exceptions/", views.ExceptionListView.as_view(), name="exception-list"),
    path("statements/", views.StatementListView.as_view(), name="statement-list"),
    path("statements/<int:pk>/", views.StatementDetailView.as_view(), name="statement-detail"),
    path("statements/<int:pk>/export.csv", views.StatementExportView.as_view(), name="statement-export"),
    path(
        "statements/<int:pk>/export.xlsx",
        views.StatementExportView.as_view(spreadsheet=True),
        name="statement-export-xlsx",
    ),
    path("lines/<int:pk>/dispute/", views.LineDisputeView.as_view(), name="line-dispute"),
    path("disputes/", views.DisputeListView.as_view(), name="dispute-list"),
    path("disputes/<int:pk>/", views.DisputeDetailView.as_view(), name="dispute-detail"),
    path("disputes/<int:pk>/messages/", views.DisputeMessageView.as_view(), name="dispute-message"),
    path("disputes/<int:pk>/resolve/", views.DisputeResolveView.as_view(), name="dispute-resolve"),
    path("estimate/", views.EstimatorView.as_view(), name="estimator"),
    path("quotas/", quota_views.QuotaListView.as_view(), name="quota-list"),
    path("quotas/new/", quota_views.QuotaCreateView.as_view(), name="quota-create"),
    path("quotas/import/", quota_views.QuotaImportView.as_view(), name="quota-import"),
    path("quotas/<int:pk>/", quota_views.QuotaDetailView.as_view(), name="quota-detail"),
    path("quotas/<int:pk>/edit/", quota_views.QuotaEditView.as_view(), name="quota-edit"),
]
