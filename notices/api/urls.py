from rest_framework.routers import DefaultRouter

from .views import NoticeViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("", NoticeViewSet, basename="notice")

urlpatterns = router.urls
