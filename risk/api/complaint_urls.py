from rest_framework.routers import DefaultRouter

from .views import ComplaintViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("", ComplaintViewSet, basename="complaint")

urlpatterns = router.urls
