"""Scheduled recall checks (DESIGN.md §7, §8); thin wrappers around services."""

from core.jobs import deadline_sweeper, job

from . import services


@deadline_sweeper
def sweep_recall_deadlines():
    return services.recall_sweep_deadlines()


@job("check_recall_progress")
def check_recall_progress():
    return services.recall_check_progress()
