from django.urls import path

from . import proposal_views, views

urlpatterns = [
    path("", views.AccountListView.as_view(), name="account-list"),
    path("<int:pk>/", views.AccountDetailView.as_view(), name="account-detail"),
    path("import/", views.AccountImportView.as_view(), name="account-import"),
    path("assign/", views.AssignSelectionView.as_view(), name="account-assign-selection"),
    path("<int:pk>/assign/", views.AccountAssignView.as_view(), name="account-assign"),
    path("assignments/<int:pk>/end/", views.AssignmentEndView.as_view(), name="assignment-end"),
    path("assignments/import/", views.AssignmentImportView.as_view(), name="assignment-import"),
    path("export.csv", views.AccountExportView.as_view(), name="account-export"),
    path("assignments/export.csv", views.AssignmentExportView.as_view(), name="assignment-export"),
    path("export.xlsx", views.AccountExportView.as_view(spreadsheet=True), name="account-export-xlsx"),
    path(
        "assignments/export.xlsx", views.AssignmentExportView.as_view(spreadsheet=True), name="assignment-export-xlsx"
    ),
    path("proposals/", proposal_views.ProposalListView.as_view(), name="proposal-list"),
    path("proposals/<int:pk>/", proposal_views.ProposalDetailView.as_view(), name="proposal-detail"),
    path("proposals/<int:pk>/decide/", proposal_views.ProposalDecideView.as_view(), name="proposal-decide"),
]
