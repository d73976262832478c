from ecosystem.api.viewsets import ScopedReadOnlyViewSet

from ..models import Job
from .serializers import JobSerializer


class JobViewSet(ScopedReadOnlyViewSet):
    """State and progress of background jobs: internal users see all, others their own."""

    queryset = Job.objects.select_related("created_by")
    serializer_class = JobSerializer
    filterset_fields = ["kind", "state"]
    ordering_fields = ["created_at"]
