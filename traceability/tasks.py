from celery import shared_task


@shared_task(name="traceability.run_capture_job", ignore_result=True)
def run_capture_job(job_id):
    from .services import capture_job_run

    return capture_job_run(job_id=job_id)
