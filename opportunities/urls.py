from django.urls import path

from . import claim_views, views

urlpatterns = [
    path("", views.OpportunityListView.as_view(), name="opportunity-list"),
    path("register/", views.OpportunityRegisterView.as_view(), name="opportunity-register"),
    path("registrations/", views.RegistrationQueueView.as_view(), name="registration-queue"),
    path("<int:pk>/", views.OpportunityDetailView.as_view(), name="opportunity-detail"),
    path("<int:pk>/stage/", views.OpportunityStageView.as_view(), name="opportunity-stage"),
    path("<int:pk>/decide/", views.RegistrationDecideView.as_view(), name="registration-decide"),
    path("<int:pk>/extension/", views.ExtensionRequestView.as_view(), name="extension-request"),
    path("<int:pk>/extension/decide/", views.ExtensionDecideView.as_view(), name="extension-decide"),
    path("<int:pk>/confirm/", claim_views.ClaimConfirmView.as_view(), name="claim-confirm"),
    path("claims/", claim_views.ClaimListView.as_view(), name="claim-list"),
    path("reconciliation/", claim_views.ReconciliationQueueView.as_view(), name="reconciliation-queue"),
    path("reconciliation/<int:pk>/", claim_views.ReconciliationDetailView.as_view(), name="reconciliation-detail"),
    path("reconciliation/<int:pk>/link/", claim_views.ReconciliationLinkView.as_view(), name="reconciliation-link"),
    path(
        "reconciliation/<int:pk>/create/", claim_views.ReconciliationCreateView.as_view(), name="reconciliation-create"
    ),
]
