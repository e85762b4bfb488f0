"""The notices' check for the `sweep_deadlines` job (DESIGN.md §7)."""

from core.jobs import deadline_sweeper

from .services import notice_sweep_overdue


@deadline_sweeper
def sweep_notice_deadlines():
    return notice_sweep_overdue()
