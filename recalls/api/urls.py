from rest_framework.routers import DefaultRouter

from .views import RecallViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("", RecallViewSet, basename="recall")

urlpatterns = router.urls
