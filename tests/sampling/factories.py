import datetime as dt

import factory
from django.utils import timezone

from sampling.choices import TaskLevel, TaskMode
from sampling.models import Task
from tests.factories import LabFactory


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    code = factory.Sequence(lambda n: f"t-{n:04d}")
    title = factory.Sequence(lambda n: f"Spot check {n}")
    level = TaskLevel.MUNICIPAL
    region = "110105"
    category = "electric_kettle"
    mode = TaskMode.STANDARD
    lab = factory.SubFactory(LabFactory, code="lab-bj")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
