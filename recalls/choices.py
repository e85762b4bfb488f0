from django.db import models
from django.utils.translation import pgettext_lazy


class RecallKind(models.TextChoices):
    VOLUNTARY = "voluntary", pgettext_lazy("RecallKind", "Voluntary")
    ORDERED = "ordered", pgettext_lazy("RecallKind", "Ordered")


class RecallState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("RecallState", "Draft")
    PLAN_SUBMITTED = "plan_submitted", pgettext_lazy("RecallState", "Plan submitted")
    APPROVED = "approved", pgettext_lazy("RecallState", "Approved")
    ANNOUNCED = "announced", pgettext_lazy("RecallState", "Announced")
    IN_PROGRESS = "in_progress", pgettext_lazy("RecallState", "In progress")
    COMPLETED = "completed", pgettext_lazy("RecallState", "Completed")
    CLOSED = "closed", pgettext_lazy("RecallState", "Closed")
    TERMINATED = "terminated", pgettext_lazy("RecallState", "Terminated")


class Remedy(models.TextChoices):
    REPAIR = "repair", pgettext_lazy("Remedy", "Repair")
    REPLACE = "replace", pgettext_lazy("Remedy", "Replace")
    REFUND = "refund", pgettext_lazy("Remedy", "Refund")


class RiskLevel(models.TextChoices):
    SERIOUS = "serious", pgettext_lazy("RiskLevel", "Serious")
    HIGH = "high", pgettext_lazy("RiskLevel", "High")
    MEDIUM = "medium", pgettext_lazy("RiskLevel", "Medium")
    LOW = "low", pgettext_lazy("RiskLevel", "Low")


class ObjectionOutcome(models.TextChoices):
    PENDING = "pending", pgettext_lazy("ObjectionOutcome", "Pending")
    UPHELD = "upheld", pgettext_lazy("ObjectionOutcome", "Upheld")
    REJECTED = "rejected", pgettext_lazy("ObjectionOutcome", "Rejected")
