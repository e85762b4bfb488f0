from rest_framework.routers import DefaultRouter

from .views_alerts import AlertDeliveryViewSet, AlertSubscriptionViewSet, AlertViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# subscriptions/ and deliveries/ first: the alert detail route would otherwise take it for an id.
router.register("subscriptions", AlertSubscriptionViewSet, basename="alert-subscription")
router.register("deliveries", AlertDeliveryViewSet, basename="alert-delivery")
router.register("", AlertViewSet, basename="alert")

urlpatterns = router.urls
