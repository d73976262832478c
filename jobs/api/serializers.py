from rest_framework import serializers

from ..models import Job


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "state",
            "progress",
            "total",
            "percent",
            "message",
            "params",
            "result",
            "error",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "attempts",
        ]
        read_only_fields = fields
