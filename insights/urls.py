from django.urls import path

from . import views

urlpatterns = [
    path("workspace/", views.WorkspaceHomeView.as_view(), name="workspace-home"),
    path("dashboard/", views.ManagerHomeView.as_view(), name="manager-home"),
]
