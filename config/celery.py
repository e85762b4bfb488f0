import logging.config
import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("levee")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_the_projects_logging(**kwargs):
    """A worker logs as the web process does (JSON lines, +08:00), instead of Celery
    replacing the root logger's handlers with its own."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
