from rest_framework import serializers

from ..models import Job


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    # The kind, state and progress note in the request's language (the codes stay in kind, state, message).
    kind_label = serializers.CharField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    message_label = serializers.CharField(read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "kind_label",
            "state",
            "state_label",
            "progress",
            "total",
            "percent",
            "message",
            "message_label",
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
