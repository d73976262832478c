from django.urls import path

from . import views

urlpatterns = [
    path("", views.OpportunityListView.as_view(), name="opportunity-list"),
    path("register/", views.OpportunityRegisterView.as_view(), name="opportunity-register"),
    path("registrations/", views.RegistrationQueueView.as_view(), name="registration-queue"),
    path("<int:pk>/", views.OpportunityDetailView.as_view(), name="opportunity-detail"),
    path("<int:pk>/stage/", views.OpportunityStageView.as_view(), name="opportunity-stage"),
    path("<int:pk>/decide/", views.RegistrationDecideView.as_view(), name="registration-decide"),
    path("<int:pk>/extension/", views.ExtensionRequestView.as_view(), name="extension-request"),
    path("<int:pk>/extension/decide/", views.ExtensionDecideView.as_view(), name="extension-decide"),
]
