from rest_framework.routers import DefaultRouter

from .views import PublicRecallViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("recalls", PublicRecallViewSet, basename="public-recall")

urlpatterns = router.urls
