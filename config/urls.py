from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.api.auth import TokenBlacklistDocumentedView, TokenObtainView, TokenRefreshDocumentedView
from core.views import healthz, readyz

api_v1 = [
    path("auth/token/", TokenObtainView.as_view(), name="token_obtain_pair"),
    path("auth/token/refresh/", TokenRefreshDocumentedView.as_view(), name="token_refresh"),
    path("auth/token/blacklist/", TokenBlacklistDocumentedView.as_view(), name="token_blacklist"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("alerts/", include("core.api.urls")),
    path("traceability/", include("traceability.api.urls")),
    path("notices/", include("notices.api.urls")),
    path("recalls/", include("recalls.api.urls")),
    path("public/", include("recalls.api.public_urls")),
    path("public/", include("sampling.api.public_urls")),
    path("sampling/", include("sampling.api.urls")),
    path("injury/", include("injury.api.urls")),
    path("risk/", include("risk.api.urls")),
    path("complaints/", include("risk.api.complaint_urls")),
    path("public/", include("risk.api.public_urls")),
    path("public/", include("portal.api.public_urls")),
    path("enterprise/", include("portal.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]

handler400 = "core.views.bad_request"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
