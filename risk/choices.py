from django.db import models
from django.utils.translation import pgettext_lazy

from recalls.choices import RiskLevel  # one set of levels for recalls and assessments

__all__ = [
    "AssessmentState",
    "ComplaintChannel",
    "ComplaintProblem",
    "Measure",
    "RiskLevel",
    "SubjectKind",
]


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


class ComplaintChannel(models.TextChoices):
    HOTLINE_12315 = "hotline_12315", pgettext_lazy("ComplaintChannel", "12315 hotline")
    WEB = "web", pgettext_lazy("ComplaintChannel", "Web")
    PLATFORM = "platform", pgettext_lazy("ComplaintChannel", "Platform")
    REGULATOR = "regulator", pgettext_lazy("ComplaintChannel", "Regulator")


class ComplaintProblem(models.TextChoices):
    INJURY = "injury", pgettext_lazy("ComplaintProblem", "Injury")
    FIRE = "fire", pgettext_lazy("ComplaintProblem", "Fire")
    ELECTRIC_SHOCK = "electric_shock", pgettext_lazy("ComplaintProblem", "Electric shock")
    CHEMICAL = "chemical", pgettext_lazy("ComplaintProblem", "Chemical")
    CHOKING = "choking", pgettext_lazy("ComplaintProblem", "Choking")
    QUALITY_DEFECT = "quality_defect", pgettext_lazy("ComplaintProblem", "Quality defect")
    LABELLING = "labelling", pgettext_lazy("ComplaintProblem", "Labelling")
    OTHER = "other", pgettext_lazy("ComplaintProblem", "Other")
