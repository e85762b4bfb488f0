import structlog
from celery import shared_task

from . import jobs

log = structlog.get_logger(__name__)


@shared_task(name="core.run_job", ignore_result=True)
def run_job(name):
    if name not in jobs.registered():
        log.warning("job.unknown", job=name)
        return None
    try:
        return jobs.run(name)
    except jobs.JobLocked:
        return None


@shared_task(name="core.deliver_alert", ignore_result=True)
def deliver_alert(delivery_id):
    from .delivery import delivery_send

    return delivery_send(delivery_id=delivery_id)


@shared_task(name="core.deliver_batch", ignore_result=True)
def deliver_batch(delivery_ids):
    from .delivery import delivery_send_batch

    return delivery_send_batch(delivery_ids=delivery_ids)
