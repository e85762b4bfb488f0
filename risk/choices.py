from django.db import models

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


class ComplaintChannel(models.TextChoices):
    HOTLINE_12315 = "hotline_12315", "12315热线 12315 hotline"
    WEB = "web", "网站 web"
    PLATFORM = "platform", "平台 platform"
    REGULATOR = "regulator", "监管部门 regulator"


class ComplaintProblem(models.TextChoices):
    INJURY = "injury", "伤害 injury"
    FIRE = "fire", "起火 fire"
    ELECTRIC_SHOCK = "electric_shock", "触电 electric shock"
    CHEMICAL = "chemical", "化学危害 chemical"
    CHOKING = "choking", "窒息 choking"
    QUALITY_DEFECT = "quality_defect", "质量缺陷 quality defect"
    LABELLING = "labelling", "标识 labelling"
    OTHER = "other", "其他 other"
