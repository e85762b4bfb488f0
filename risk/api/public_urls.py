from django.urls import path

from .views import PublicComplaintStatsView, PublicComplaintView

urlpatterns = [
    path("complaints/", PublicComplaintView.as_view(), name="public-complaint"),
    path("complaints/stats/", PublicComplaintStatsView.as_view(), name="public-complaint-stats"),
]
