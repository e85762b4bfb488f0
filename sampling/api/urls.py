from rest_framework.routers import DefaultRouter

from .views import SampleViewSet, TaskViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("tasks", TaskViewSet, basename="sampling-task")
router.register("samples", SampleViewSet, basename="sampling-sample")

urlpatterns = router.urls
