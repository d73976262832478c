"""``/portal/users/``: partner user management."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.UserListView.as_view(), name="user-list"),
    path("me/", views.MyAccountView.as_view(), name="user-me"),
    path("invite/", views.UserInviteView.as_view(), name="user-invite"),
    path("<int:pk>/", views.UserDetailView.as_view(), name="user-detail"),
    path("<int:pk>/deactivate/", views.UserActionView.as_view(action="deactivate"), name="user-deactivate"),
    path("<int:pk>/reactivate/", views.UserActionView.as_view(action="reactivate"), name="user-reactivate"),
    path("<int:pk>/role/", views.UserActionView.as_view(action="role"), name="user-role"),
    path("<int:pk>/resend-invitation/", views.UserActionView.as_view(action="resend"), name="user-resend-invitation"),
]
