from django.db import models


class TaskLevel(models.TextChoices):
    NATIONAL = "national", "国家 national"
    PROVINCIAL = "provincial", "省级 provincial"
    MUNICIPAL = "municipal", "市级 municipal"
    COUNTY = "county", "县级 county"


class TaskState(models.TextChoices):
    OPEN = "open", "进行中 open"
    PUBLISHED = "published", "已公布 published"


# Higher rank: a higher level of task (the no-repeat rule of DESIGN.md §8 compares them).
LEVEL_RANK = {
    TaskLevel.NATIONAL: 4,
    TaskLevel.PROVINCIAL: 3,
    TaskLevel.MUNICIPAL: 2,
    TaskLevel.COUNTY: 1,
}


class TaskMode(models.TextChoices):
    STANDARD = "standard", "常规 standard"
    RAPID = "rapid", "快检 rapid"
    ONLINE = "online", "网购 online"


class LocationKind(models.TextChoices):
    PRODUCTION = "production", "生产 production"
    WHOLESALE = "wholesale", "批发 wholesale"
    RETAIL = "retail", "零售 retail"
    ONLINE = "online", "网络 online"
    RURAL_MARKET = "rural_market", "农村集市 rural market"
    OTHER = "other", "其他 other"


class SampleState(models.TextChoices):
    SAMPLED = "sampled", "已抽样 sampled"
    RECEIVED = "received", "已收样 received"
    TESTED = "tested", "已检验 tested"
    REPORTED = "reported", "已告知 reported"
    OBJECTED = "objected", "异议中 objected"
    REINSPECTED = "reinspected", "已复检 reinspected"
    DISPOSED = "disposed", "已处置 disposed"
    CLOSED = "closed", "已结案 closed"
    VOIDED = "voided", "已作废 voided"


OPEN_STATES = frozenset(SampleState.values) - {SampleState.CLOSED, SampleState.VOIDED}


class Conclusion(models.TextChoices):
    CONFORMING = "conforming", "合格 conforming"
    NONCONFORMING = "nonconforming", "不合格 nonconforming"


class Verdict(models.TextChoices):
    PASS = "pass", "合格 pass"
    FAIL = "fail", "不合格 fail"


class TestRound(models.TextChoices):
    TEST = "test", "检验 test"
    REINSPECTION = "reinspection", "复检 reinspection"


class Measure(models.TextChoices):
    RECTIFY = "rectify", "责令整改 rectify"
    TAKE_DOWN = "take_down", "下架 take down"
    RECALL = "recall", "召回 recall"
    CASE_FILED = "case_filed", "立案 case filed"
    NONE = "none", "无 none"
    # The steps after a failed follow-up check (DESIGN.md §8).
    PUBLIC_NOTICE = "public_notice", "公告 public notice"
    SECOND_FOLLOW_UP = "second_follow_up", "再次复查 second follow-up"


class Stage(models.TextChoices):
    """The stage whose deadline a sample is currently running against (DESIGN.md §8)."""

    RECEIVE = "receive", "收样 receive"
    TEST = "test", "现场检验 on-site test"
    REPORT = "report", "检验报告 report"
    NOTIFY = "notify", "告知 notify"
    REINSPECTION = "reinspection", "复检 reinspection"
    DISPOSE = "dispose", "处置 dispose"
    FOLLOW_UP = "follow_up", "复查 follow-up"
