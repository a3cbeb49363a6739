"""OpenAPI: every operation documents the error shape of its possible 4xx answers."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailOut(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable reason, e.g. `not_found`.")
    message = serializers.CharField(help_text="Translated sentence for people.")
    fields = serializers.DictField(
        child=serializers.CharField(),
        help_text='Per-field messages keyed by dotted path, e.g. "regions.r2.bbox".',
    )


class ErrorOut(serializers.Serializer):
    error = ErrorDetailOut()


_ERRORS = {
    "400": "The request is invalid; `fields` names each problem.",
    "401": "No valid session or API token.",
    "403": "Signed in, but this role may not do this.",
    "404": "No such object, or not visible to you.",
}


class GroundworkAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        method = self.method.upper()
        for status, text in _ERRORS.items():
            if status == "400" and method in {"GET", "DELETE", "HEAD"}:
                continue
            if status not in bodies:
                bodies[status] = self._get_response_for_code(
                    OpenApiResponse(ErrorOut, description=text), status
                )
        return bodies
