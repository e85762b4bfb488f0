from django.db import models
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    ADMIN = "admin", pgettext_lazy("Role", "Admin")
    REGULATOR = "regulator", pgettext_lazy("Role", "Regulator")
    INSPECTOR = "inspector", pgettext_lazy("Role", "Inspector")
    LAB = "lab", pgettext_lazy("Role", "Lab")
    ENTERPRISE = "enterprise", pgettext_lazy("Role", "Enterprise")
    SENTINEL = "sentinel", pgettext_lazy("Role", "Sentinel")


class SiteKind(models.TextChoices):
    HOSPITAL = "hospital", pgettext_lazy("SiteKind", "Hospital")
    SCHOOL = "school", pgettext_lazy("SiteKind", "School")
    COMMUNITY = "community", pgettext_lazy("SiteKind", "Community")


class AlertSeverity(models.TextChoices):
    LOW = "low", pgettext_lazy("AlertSeverity", "Low")
    MEDIUM = "medium", pgettext_lazy("AlertSeverity", "Medium")
    HIGH = "high", pgettext_lazy("AlertSeverity", "High")
    CRITICAL = "critical", pgettext_lazy("AlertSeverity", "Critical")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("AlertStatus", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("AlertStatus", "Acknowledged")
    RESOLVED = "resolved", pgettext_lazy("AlertStatus", "Resolved")


class AlertKind(models.TextChoices):
    DEADLINE_OVERDUE = "deadline_overdue", pgettext_lazy("AlertKind", "Deadline overdue")
    NONCONFORMING_RESULT = (
        "nonconforming_result",
        pgettext_lazy("AlertKind", "Non-conforming result"),
    )
    INJURY_SIGNAL = "injury_signal", pgettext_lazy("AlertKind", "Injury signal")
    ACCIDENT_REPORTED = "accident_reported", pgettext_lazy("AlertKind", "Accident reported")
    RECALL_PROGRESS_OVERDUE = (
        "recall_progress_overdue",
        pgettext_lazy("AlertKind", "Recall progress overdue"),
    )
    NONCONFORMANCE_CLUSTER = (
        "nonconformance_cluster",
        pgettext_lazy("AlertKind", "Non-conformance cluster"),
    )
    RISK_MEASURE = "risk_measure", pgettext_lazy("AlertKind", "Risk measure")
    CASE_HANDED_OVER = "case_handed_over", pgettext_lazy("AlertKind", "Case handed over")
    NOTICE_UNACKNOWLEDGED = (
        "notice_unacknowledged",
        pgettext_lazy("AlertKind", "Notice unacknowledged"),
    )
    COMPLAINT_CLUSTER = "complaint_cluster", pgettext_lazy("AlertKind", "Complaint cluster")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("DeliveryStatus", "Pending")
    DELIVERED = "delivered", pgettext_lazy("DeliveryStatus", "Delivered")
    DEAD = "dead", pgettext_lazy("DeliveryStatus", "Dead")


class DeliveryTopic(models.TextChoices):
    """What an outbox row carries: an alert, or a notice to a holder (notices app)."""

    ALERT = "alert", pgettext_lazy("DeliveryTopic", "Alert")
    NOTICE = "notice", pgettext_lazy("DeliveryTopic", "Notice")


# What a subscription may ask for in `kinds`: alert kinds, and "notice" (a party's notices).
SUBSCRIPTION_KINDS = [*AlertKind.choices, (DeliveryTopic.NOTICE.value, DeliveryTopic.NOTICE.label)]
