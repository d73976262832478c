from django.urls import path

from . import views

urlpatterns = [
    path("", views.AccountListView.as_view(), name="account-list"),
    path("<int:pk>/", views.AccountDetailView.as_view(), name="account-detail"),
    path("import/", views.AccountImportView.as_view(), name="account-import"),
    path("assign/", views.AssignSelectionView.as_view(), name="account-assign-selection"),
    path("<int:pk>/assign/", views.AccountAssignView.as_view(), name="account-assign"),
    path("assignments/<int:pk>/end/", views.AssignmentEndView.as_view(), name="assignment-end"),
    path("assignments/import/", views.AssignmentImportView.as_view(), name="assignment-import"),
]
