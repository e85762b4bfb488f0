from django.db import models


class NoticeState(models.TextChoices):
    SENT = "sent", "已发送 sent"
    ACKNOWLEDGED = "acknowledged", "已确认 acknowledged"
    COMPLETED = "completed", "已完成 completed"


class NoticeMeasure(models.TextChoices):
    """What the holder is told to do with the lot; `recall` outranks `take_down`."""

    TAKE_DOWN = "take_down", "下架 take down"
    RECALL = "recall", "召回 recall"


class NoticeSource(models.TextChoices):
    """What ordered the notice: a sample's disposition (sampling) or an announced recall."""

    DISPOSITION = "disposition", "处置决定 disposition"
    RECALL = "recall", "召回 recall"


MEASURE_RANK = {NoticeMeasure.TAKE_DOWN: 1, NoticeMeasure.RECALL: 2}
