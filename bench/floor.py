"""The framework floor for sample creation (DESIGN.md §9): the least an authenticated DRF
write costs on this stack — JWT authentication, a one-field serializer, one INSERT — served
by the same gunicorn, middleware and database as Levee's own endpoints.

The bench server runs with LEVEE_ROOT_URLCONF=bench.floor, which adds `bench/floor/` to
Levee's URLs; production never mounts it.
"""

from django.db import connection
from django.urls import path
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config import urls as levee_urls

TABLE = "bench_floor_row"


def ensure_table():
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, "
            "label text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        )


class FloorSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100)


class FloorView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        body = FloorSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (label) VALUES (%s) RETURNING id",
                [body.validated_data["label"]],
            )
            row_id = cursor.fetchone()[0]
        return Response({"id": row_id, "label": body.validated_data["label"]}, status=201)


urlpatterns = [path("bench/floor/", FloorView.as_view()), *levee_urls.urlpatterns]
handler404 = levee_urls.handler404
handler500 = levee_urls.handler500
