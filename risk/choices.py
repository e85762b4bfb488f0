from django.db import models
from django.utils.translation import pgettext_lazy

from recalls.choices import RiskLevel  # one set of levels for recalls and assessments

__all__ = ["AssessmentState", "Measure", "RiskLevel", "SubjectKind"]


class SubjectKind(models.TextChoices):
    PRODUCT = "product", pgettext_lazy("SubjectKind", "Product")
    LOT = "lot", pgettext_lazy("SubjectKind", "Lot")
    CATEGORY = "category", pgettext_lazy("SubjectKind", "Category")


class Measure(models.TextChoices):
    RECALL = "recall", pgettext_lazy("Measure", "Recall")
    TAKE_DOWN = "take_down", pgettext_lazy("Measure", "Take down")
    WARNING = "warning", pgettext_lazy("Measure", "Warning")
    MONITOR = "monitor", pgettext_lazy("Measure", "Monitor")


class AssessmentState(models.TextChoices):
    ASSESSED = "assessed", pgettext_lazy("AssessmentState", "Assessed")
    DECIDED = "decided", pgettext_lazy("AssessmentState", "Decided")
