from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import RiskAssessmentViewSet, TaskSuggestionsView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("assessments", RiskAssessmentViewSet, basename="risk-assessment")

urlpatterns = [
    path("task-suggestions/", TaskSuggestionsView.as_view(), name="risk-task-suggestions"),
    *router.urls,
]
