from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import (
    AccidentCategoryViewSet,
    AccidentViewSet,
    EstimatesView,
    InjuryReportViewSet,
    SiteViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("sites", SiteViewSet, basename="injury-site")
router.register("reports", InjuryReportViewSet, basename="injury-report")
router.register("accident-categories", AccidentCategoryViewSet, basename="accident-category")
router.register("accidents", AccidentViewSet, basename="accident")

urlpatterns = [
    path("estimates/", EstimatesView.as_view(), name="injury-estimates"),
    *router.urls,
]
