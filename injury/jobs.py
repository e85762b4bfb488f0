"""Deadline checks for the `sweep_deadlines` job (DESIGN.md §8)."""

from core.jobs import deadline_sweeper

from . import services


@deadline_sweeper
def sweep_accident_full_reports():
    return services.accident_sweep_full_reports()
