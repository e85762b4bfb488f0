from django.db import models


class RecallKind(models.TextChoices):
    VOLUNTARY = "voluntary", "主动召回 voluntary"
    ORDERED = "ordered", "责令召回 ordered"


class RecallState(models.TextChoices):
    DRAFT = "draft", "草稿 draft"
    PLAN_SUBMITTED = "plan_submitted", "计划已提交 plan submitted"
    APPROVED = "approved", "已批准 approved"
    ANNOUNCED = "announced", "已公告 announced"
    IN_PROGRESS = "in_progress", "实施中 in progress"
    COMPLETED = "completed", "已完成 completed"
    CLOSED = "closed", "已结束 closed"
    TERMINATED = "terminated", "已终止 terminated"


class Remedy(models.TextChoices):
    REPAIR = "repair", "修理 repair"
    REPLACE = "replace", "更换 replace"
    REFUND = "refund", "退货 refund"


class RiskLevel(models.TextChoices):
    SERIOUS = "serious", "严重 serious"
    HIGH = "high", "高 high"
    MEDIUM = "medium", "中 medium"
    LOW = "low", "低 low"


class ObjectionOutcome(models.TextChoices):
    PENDING = "pending", "待复核 pending"
    UPHELD = "upheld", "异议成立 upheld"
    REJECTED = "rejected", "异议不成立 rejected"
