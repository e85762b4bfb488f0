from rest_framework.routers import DefaultRouter

from .views import RiskAssessmentViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("assessments", RiskAssessmentViewSet, basename="risk-assessment")

urlpatterns = router.urls
