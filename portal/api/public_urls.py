from django.urls import path

from .views import ProductLookupView

urlpatterns = [path("lookup/", ProductLookupView.as_view(), name="public-lookup")]
