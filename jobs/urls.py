from django.urls import path

from . import views

urlpatterns = [path("<int:pk>/", views.JobDetailView.as_view(), name="job-detail")]
