from rest_framework.routers import DefaultRouter

from .views import EpcisViewSet, EventViewSet, LotViewSet, PartyViewSet, ProductViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("parties", PartyViewSet, basename="party")
router.register("products", ProductViewSet, basename="product")
router.register("lots", LotViewSet, basename="lot")
router.register("events", EventViewSet, basename="event")
router.register("epcis", EpcisViewSet, basename="epcis")

urlpatterns = router.urls
