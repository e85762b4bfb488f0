from django.db import models

from recalls.choices import RiskLevel  # one set of levels for recalls and assessments

__all__ = ["AssessmentState", "Measure", "RiskLevel", "SubjectKind"]


class SubjectKind(models.TextChoices):
    PRODUCT = "product", "产品 product"
    LOT = "lot", "批次 lot"
    CATEGORY = "category", "品类 category"


class Measure(models.TextChoices):
    RECALL = "recall", "召回 recall"
    TAKE_DOWN = "take_down", "下架 take down"
    WARNING = "warning", "警示 warning"
    MONITOR = "monitor", "监测 monitor"


class AssessmentState(models.TextChoices):
    ASSESSED = "assessed", "已评估 assessed"
    DECIDED = "decided", "已决定 decided"
