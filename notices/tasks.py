from celery import shared_task

# Retried with backoff (a database hiccup, a deadlock); what is still pending after the
# last retry is carried out by the deliver_pending_alerts sweep.
RETRY = {"max_retries": 5, "retry_backoff": 2, "retry_backoff_max": 60, "retry_jitter": False}


@shared_task(name="notices.issue", ignore_result=True, autoretry_for=(Exception,), **RETRY)
def issue_notices(order_id):
    from .services import notice_issue_run

    return notice_issue_run(order_id=order_id)
