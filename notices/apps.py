from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices to holders")

    def ready(self):
        from core.choices import DeliveryTopic
        from core.delivery import register_pending_writer, register_renderer

        from .services import notice_bodies, notices_issue_pending

        register_renderer(DeliveryTopic.NOTICE, notice_bodies)
        register_pending_writer(notices_issue_pending)
