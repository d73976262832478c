from django.urls import path

from . import roadshow_views, secondment_views, views

urlpatterns = [
    path("", views.PartnerListView.as_view(), name="partner-list"),
    path("new/", views.PartnerCreateView.as_view(), name="partner-create"),
    path("<int:pk>/", views.PartnerDetailView.as_view(), name="partner-detail"),
    path("<int:pk>/edit/", views.PartnerEditView.as_view(), name="partner-edit"),
    path("<int:pk>/suspend/", views.PartnerSuspendView.as_view(), name="partner-suspend"),
    path("<int:pk>/activate/", views.PartnerActivateView.as_view(), name="partner-activate"),
    path("secondments/", secondment_views.SecondmentListView.as_view(), name="secondment-list"),
    path("secondments/new/", secondment_views.SecondmentCreateView.as_view(), name="secondment-create"),
    path("secondments/<int:pk>/", secondment_views.SecondmentDetailView.as_view(), name="secondment-detail"),
    path("secondments/<int:pk>/edit/", secondment_views.SecondmentEditView.as_view(), name="secondment-edit"),
    path("secondments/<int:pk>/end/", secondment_views.SecondmentEndView.as_view(), name="secondment-end"),
    path("roadshows/", roadshow_views.RoadshowListView.as_view(), name="roadshow-list"),
    path("roadshows/new/", roadshow_views.RoadshowCreateView.as_view(), name="roadshow-create"),
    path("roadshows/<int:pk>/", roadshow_views.RoadshowDetailView.as_view(), name="roadshow-detail"),
    path("roadshows/<int:pk>/edit/", roadshow_views.RoadshowEditView.as_view(), name="roadshow-edit"),
    path(
        "roadshows/<int:pk>/attendees/add/",
        roadshow_views.RoadshowAttendeeAddView.as_view(),
        name="roadshow-attendee-add",
    ),
    path(
        "roadshows/<int:pk>/attendees/remove/",
        roadshow_views.RoadshowAttendeeRemoveView.as_view(),
        name="roadshow-attendee-remove",
    ),
]
