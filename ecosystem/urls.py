from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from insights.portal_views import PortalHomeView
from users import auth_views as user_auth_views
from users import views as user_views
from users.views import InvitationAcceptView

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # The password reset pages of django.contrib.auth.urls, with the audit trail added.
    path("auth/password_reset/", user_auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "auth/reset/<uidb64>/<token>/",
        user_auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("auth/", include("django.contrib.auth.urls")),
    path("invitation/<str:token>/", InvitationAcceptView.as_view(), name="invitation-accept"),
    # The language switch, which also saves a logged-in user's choice (their e-mails, their next logins).
    path("i18n/setlang/", user_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("ecosystem.api.urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("portal/", PortalHomeView.as_view(), name="portal-home"),
    path("portal/users/", include("users.urls")),
    path("audit/", include("audit.urls")),
    path("partners/", include("partners.urls")),
    path("accounts/", include("accounts.urls")),
    path("opportunities/", include("opportunities.urls")),
    path("jobs/", include("jobs.urls")),
    path("commissions/", include("commissions.urls")),
    path("payments/", include("payments.urls")),
    path("", include("insights.urls")),
]

admin.site.site_header = "Ecosystem"
admin.site.site_title = "Ecosystem admin"

# MEDIA_ROOT is never served, not even in DEBUG: it holds the CSV files uploaded for imports
# (jobs/uploads.py), which only the import jobs read, by path.
