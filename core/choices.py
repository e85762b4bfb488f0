from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "管理员 admin"
    REGULATOR = "regulator", "监管人员 regulator"
    INSPECTOR = "inspector", "抽样人员 inspector"
    LAB = "lab", "检验机构 lab"
    ENTERPRISE = "enterprise", "企业 enterprise"
    SENTINEL = "sentinel", "哨点 sentinel"


class SiteKind(models.TextChoices):
    HOSPITAL = "hospital", "医院 hospital"
    SCHOOL = "school", "学校 school"
    COMMUNITY = "community", "社区 community"


class AlertSeverity(models.TextChoices):
    LOW = "low", "低 low"
    MEDIUM = "medium", "中 medium"
    HIGH = "high", "高 high"
    CRITICAL = "critical", "严重 critical"


class AlertStatus(models.TextChoices):
    OPEN = "open", "待处理 open"
    ACKNOWLEDGED = "acknowledged", "已确认 acknowledged"
    RESOLVED = "resolved", "已解决 resolved"


class AlertKind(models.TextChoices):
    DEADLINE_OVERDUE = "deadline_overdue", "期限超时 deadline overdue"
    NONCONFORMING_RESULT = "nonconforming_result", "不合格结果 non-conforming result"
    INJURY_SIGNAL = "injury_signal", "伤害信号 injury signal"
    ACCIDENT_REPORTED = "accident_reported", "事故报告 accident reported"
    RECALL_PROGRESS_OVERDUE = "recall_progress_overdue", "召回进度逾期 recall progress overdue"
    NONCONFORMANCE_CLUSTER = "nonconformance_cluster", "不合格聚集 non-conformance cluster"
    RISK_MEASURE = "risk_measure", "风险措施 risk measure"
    CASE_HANDED_OVER = "case_handed_over", "案件移送 case handed over"
    COMPLAINT_CLUSTER = "complaint_cluster", "投诉聚集 complaint cluster"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送 pending"
    DELIVERED = "delivered", "已送达 delivered"
    DEAD = "dead", "已放弃 dead"
