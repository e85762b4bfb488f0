from django.db import models
from django.utils.translation import pgettext_lazy


class TaskLevel(models.TextChoices):
    NATIONAL = "national", pgettext_lazy("TaskLevel", "National")
    PROVINCIAL = "provincial", pgettext_lazy("TaskLevel", "Provincial")
    MUNICIPAL = "municipal", pgettext_lazy("TaskLevel", "Municipal")
    COUNTY = "county", pgettext_lazy("TaskLevel", "County")


class TaskState(models.TextChoices):
    OPEN = "open", pgettext_lazy("TaskState", "Open")
    PUBLISHED = "published", pgettext_lazy("TaskState", "Published")


# Higher rank: a higher level of task (the no-repeat rule of DESIGN.md §8 compares them).
LEVEL_RANK = {
    TaskLevel.NATIONAL: 4,
    TaskLevel.PROVINCIAL: 3,
    TaskLevel.MUNICIPAL: 2,
    TaskLevel.COUNTY: 1,
}


class TaskMode(models.TextChoices):
    STANDARD = "standard", pgettext_lazy("TaskMode", "Standard")
    RAPID = "rapid", pgettext_lazy("TaskMode", "Rapid")
    ONLINE = "online", pgettext_lazy("TaskMode", "Online")


class LocationKind(models.TextChoices):
    PRODUCTION = "production", pgettext_lazy("LocationKind", "Production")
    WHOLESALE = "wholesale", pgettext_lazy("LocationKind", "Wholesale")
    RETAIL = "retail", pgettext_lazy("LocationKind", "Retail")
    ONLINE = "online", pgettext_lazy("LocationKind", "Online")
    RURAL_MARKET = "rural_market", pgettext_lazy("LocationKind", "Rural market")
    OTHER = "other", pgettext_lazy("LocationKind", "Other")


class SampleState(models.TextChoices):
    SAMPLED = "sampled", pgettext_lazy("SampleState", "Sampled")
    RECEIVED = "received", pgettext_lazy("SampleState", "Received")
    TESTED = "tested", pgettext_lazy("SampleState", "Tested")
    REPORTED = "reported", pgettext_lazy("SampleState", "Reported")
    OBJECTED = "objected", pgettext_lazy("SampleState", "Objected")
    REINSPECTED = "reinspected", pgettext_lazy("SampleState", "Reinspected")
    DISPOSED = "disposed", pgettext_lazy("SampleState", "Disposed")
    CLOSED = "closed", pgettext_lazy("SampleState", "Closed")
    VOIDED = "voided", pgettext_lazy("SampleState", "Voided")


OPEN_STATES = frozenset(SampleState.values) - {SampleState.CLOSED, SampleState.VOIDED}


class Conclusion(models.TextChoices):
    CONFORMING = "conforming", pgettext_lazy("Conclusion", "Conforming")
    NONCONFORMING = "nonconforming", pgettext_lazy("Conclusion", "Nonconforming")


class Verdict(models.TextChoices):
    PASS = "pass", pgettext_lazy("Verdict", "Pass")
    FAIL = "fail", pgettext_lazy("Verdict", "Fail")


class TestRound(models.TextChoices):
    TEST = "test", pgettext_lazy("TestRound", "Test")
    REINSPECTION = "reinspection", pgettext_lazy("TestRound", "Reinspection")


class Measure(models.TextChoices):
    RECTIFY = "rectify", pgettext_lazy("Measure", "Rectify")
    TAKE_DOWN = "take_down", pgettext_lazy("Measure", "Take down")
    RECALL = "recall", pgettext_lazy("Measure", "Recall")
    CASE_FILED = "case_filed", pgettext_lazy("Measure", "Case filed")
    NONE = "none", pgettext_lazy("Measure", "None")
    # The steps after a failed follow-up check (DESIGN.md §8).
    PUBLIC_NOTICE = "public_notice", pgettext_lazy("Measure", "Public notice")
    SECOND_FOLLOW_UP = "second_follow_up", pgettext_lazy("Measure", "Second follow-up")


class Stage(models.TextChoices):
    """The stage whose deadline a sample is currently running against (DESIGN.md §8)."""

    RECEIVE = "receive", pgettext_lazy("Stage", "Receive")
    TEST = "test", pgettext_lazy("Stage", "On-site test")
    REPORT = "report", pgettext_lazy("Stage", "Report")
    NOTIFY = "notify", pgettext_lazy("Stage", "Notify")
    REINSPECTION = "reinspection", pgettext_lazy("Stage", "Reinspection")
    DISPOSE = "dispose", pgettext_lazy("Stage", "Dispose")
    FOLLOW_UP = "follow_up", pgettext_lazy("Stage", "Follow-up")
