from rest_framework.routers import DefaultRouter

from .views import PublicSpotCheckViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("spot-checks", PublicSpotCheckViewSet, basename="public-spot-check")

urlpatterns = router.urls
