from django.urls import path

from .views import EnterpriseOverviewView

urlpatterns = [path("overview/", EnterpriseOverviewView.as_view(), name="enterprise-overview")]
