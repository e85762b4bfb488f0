from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.api.fields import BuiltFieldsMixin, ScopedPrimaryKeyRelatedField
from core.models import Lab
from core.regions import validate_region_code
from core.validators import validate_category
from notices.api.serializers import NoticeBoardSerializer
from traceability.models import Lot, Party

from ..choices import Conclusion, LocationKind, Measure, Verdict
from ..models import Disposition, Objection, Sample, Task, TestItem
from ..selectors import disposition_notice_board
from ..states import sample_machine, task_machine

# What each request field is, for the OpenAPI schema (English, like the whole schema):
# core.api.schema reads FIELD_HELP for fields without help_text, "Serializer.field" first.
FIELD_HELP = {
    "AllocationSerializer.region": "The region the quota goes to: a 6-digit GB/T 2260 code "
    "inside the task's region.",
    "quota": "How many samples that region takes, 1-1,000,000.",
    "AllocationSerializer.lab": "The code of the lab for that region's samples (default: the "
    "task's lab).",
    "handling_region": "The region that takes over the case: a 6-digit GB/T 2260 code (where "
    "the producer is).",
    "HandlingRegionSerializer.reason": "Why the case is handed over (kept in its history).",
    "TaskSerializer.code": (
        "The task's code, unique (letters, digits, - and _); it prefixes its samples' numbers."
    ),
    "title": "A title for people.",
    "level": (
        "Who set the task: national, provincial, municipal or county (the no-repeat rule compares "
        "levels)."
    ),
    "TaskSerializer.region": (
        "The region the task covers: a 6-digit GB/T 2260 code within yours (e.g. 110105)."
    ),
    "TaskSerializer.category": "The product category sampled, a slug (e.g. electric_kettle).",
    "mode": (
        "standard (the lab tests), rapid (tested on site, 24-hour deadlines) or online (bought "
        "online)."
    ),
    "TaskSerializer.lab": (
        "The code of the testing lab that receives the samples (e.g. lab-bj-01)."
    ),
    "starts_on": "First day of sampling (YYYY-MM-DD).",
    "ends_on": "Last day of sampling (YYYY-MM-DD), not before starts_on.",
    "TaskSerializer.standard": (
        "The product standard the samples are tested against (e.g. GB 4706.19-2008)."
    ),
    "emergency": "An emergency task is exempt from the six-month no-repeat rule.",
    "report_working_days": (
        "Working days the lab has for the report, 1-120 (default: the rules' 20)."
    ),
    "task": "The id of the spot-check task (one of your region's) the sample is taken under.",
    "sampled_party": (
        "The sampled party (被抽样单位), where the sample was taken: its id (an integer) or its "
        "18-character unified social credit code (USCC)."
    ),
    "producer": (
        "The producer named on the package: its party id (an integer) or its 18-character USCC."
    ),
    "SampleCreateSerializer.lot": (
        "The id of a known lot of that producer; leave out to give product_name and lot_code as "
        "printed on the package instead."
    ),
    "product_name": (
        "The product's name as printed on the package (with lot_code, when lot is not given)."
    ),
    "brand": "The brand as printed on the package.",
    "model": "The model (型号) as printed on the package.",
    "lot_code": "The lot or batch code as printed on the package.",
    "produced_on": "The production date printed on the package (YYYY-MM-DD), if any.",
    "location_kind": (
        "Where the sample was taken: production, wholesale, retail, online, rural market or other."
    ),
    "quantity": "How much was taken for testing, in unit; greater than 0.",
    "backup_quantity": (
        "How much was sealed as the backup sample (备样), in unit; greater than 0."
    ),
    "unit": "The unit of the quantities (e.g. pcs, kg); default pcs.",
    "price_paid": (
        "What was paid for the sample, in yuan, at least 0; required for online purchases."
    ),
    "sampled_at": (
        "When the sample was taken: ISO 8601 with offset (e.g. 2026-11-30T10:00:00+08:00); within "
        "the task's dates, not in the future."
    ),
    "inspectors": (
        "The names of the inspectors who took the sample: at least two different people."
    ),
    "seal_intact": "Whether the seal was intact (on receipt: as the lab found it).",
    "note": "A free-text note, kept with the record.",
    "follow_up_of": (
        "For a follow-up check (复查): the id of the earlier, disposed sample of the same producer."
    ),
    "order_no": "Online purchase: the order number.",
    "platform": "Online purchase: the e-commerce platform.",
    "shop_url": "Online purchase: the shop's web address.",
    "tracking_no": "Online purchase: the parcel's tracking number.",
    "delivered_at": "Online purchase: when the parcel was delivered (ISO 8601 with offset).",
    "received_at": (
        "When the lab received the sample (ISO 8601 with offset); default now; not before it was "
        "taken."
    ),
    "ResultsSerializer.items": "The tested items, one entry each, at least one.",
    "ReinspectionSerializer.items": "The re-inspected items: only those the objection named.",
    "item": "The name of the test item (e.g. 泄漏电流).",
    "TestItemInputSerializer.standard": "The standard clause the item is tested against.",
    "requirement": "What the standard requires (e.g. ≤ 0.75 mA).",
    "measured_value": "What was measured, as reported.",
    "TestItemInputSerializer.unit": "The unit of the measured value.",
    "verdict": "pass or fail.",
    "conclusion": "conforming or nonconforming: nonconforming exactly when an item fails.",
    "tested_at": "When testing finished (ISO 8601 with offset); default now.",
    "report_no": "The inspection report's number (检验报告编号).",
    "issued_on": ("The day the report was issued (YYYY-MM-DD); default today; not before testing."),
    "file": "The report as a file (multipart upload), optional.",
    "ObjectSerializer.reason": "The grounds of the objection (异议).",
    "ObjectSerializer.items": "The names of the tested items objected to; empty: all of them.",
    "measures": (
        "The measures decided (at least one, each once): rectify, take_down, recall (opens a "
        "draft recall), case_filed, public_notice, second_follow_up or none (alone)."
    ),
    "measure": "The measure (see measures).",
    "due_on": "By when the measure must be done (YYYY-MM-DD), not in the past.",
    "VoidSerializer.reason": "Why the sample is voided (kept in its history).",
}


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A district's kettle spot check",
            request_only=True,
            value={
                "code": "BJ-CY-2026-KT",
                "title": "2026 年朝阳区电热水壶监督抽查",
                "level": "county",
                "region": "110105",
                "category": "electric_kettle",
                "mode": "standard",
                "lab": "lab-bj-01",
                "starts_on": "2026-11-01",
                "ends_on": "2026-12-31",
                "standard": "GB 4706.19-2008",
            },
        ),
        OpenApiExample(
            "A city's toy spot check, to allocate to its districts",
            request_only=True,
            value={
                "code": "BJ-2026-TOY",
                "title": "2026 年北京市玩具产品质量监督抽查",
                "level": "provincial",
                "region": "110000",
                "category": "toy",
                "mode": "standard",
                "lab": "lab-bj-01",
                "starts_on": "2026-11-01",
                "ends_on": "2026-12-31",
                "standard": "GB 6675.2-2014",
                "report_working_days": 15,
            },
        ),
    ]
)
class TaskSerializer(serializers.ModelSerializer):
    lab = serializers.SlugRelatedField(slug_field="code", queryset=Lab.objects.all())
    category = serializers.CharField(max_length=64, validators=[validate_category])
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    samples_taken = serializers.IntegerField(
        read_only=True, default=None, help_text="Samples taken under this task (not voided)."
    )
    samples_taken_total = serializers.IntegerField(
        read_only=True,
        default=None,
        help_text="Samples taken under this task and every task allocated from it.",
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "code",
            "title",
            "level",
            "region",
            "parent",
            "quota",
            "samples_taken",
            "samples_taken_total",
            "state",
            "published_at",
            "category",
            "mode",
            "lab",
            "starts_on",
            "ends_on",
            "standard",
            "emergency",
            "report_working_days",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "parent", "state", "published_at", "created_by", "created_at"]
        # Uniqueness is the service's to report (as a 400 on `code`).
        extra_kwargs = {
            "code": {"validators": []},
            "report_working_days": {"min_value": 1, "max_value": 120},
            "quota": {"min_value": 1},
        }


class TaskNodeSerializer(serializers.Serializer):
    """A task of the tree below a task, with its own children."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    level = serializers.CharField()
    region = serializers.CharField()
    lab = serializers.CharField(source="lab.code")
    quota = serializers.IntegerField(allow_null=True)
    samples_taken = serializers.IntegerField()
    samples_taken_total = serializers.IntegerField()
    state = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField(), source="tree_children")


class TaskDetailSerializer(TaskSerializer):
    children = serializers.SerializerMethodField(
        help_text="The tasks allocated from this one (those you may see), as a tree."
    )
    allowed_actions = serializers.SerializerMethodField()

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "children", "allowed_actions"]
        read_only_fields = fields

    @extend_schema_field(TaskNodeSerializer(many=True))
    def get_children(self, task):
        return [_node(child) for child in getattr(task, "tree_children", [])]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, task):
        request = self.context.get("request")
        return task_machine.allowed_actions(task, request.user if request else None)


def _node(task):
    return {
        "id": task.pk,
        "code": task.code,
        "level": task.level,
        "region": task.region,
        "lab": task.lab.code,
        "quota": task.quota,
        "samples_taken": task.samples_taken,
        "samples_taken_total": task.samples_taken_total,
        "state": task.state,
        "children": [_node(child) for child in task.tree_children],
    }


class AllocationSerializer(serializers.Serializer):
    region = serializers.CharField(max_length=6, validators=[validate_region_code])
    quota = serializers.IntegerField(min_value=1, max_value=1_000_000)
    lab = serializers.SlugRelatedField(
        slug_field="code", queryset=Lab.objects.all(), required=False, allow_null=True
    )


# many=False: the examples of `allocate` (on its row) are whole bodies, lists already, not
# items for drf-spectacular to wrap in a list.
@extend_schema_serializer(many=False)
class AllocationsSerializer(serializers.ListSerializer):
    """The body of `allocate`: a list of allocations."""

    child = AllocationSerializer()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 500)
        super().__init__(*args, **kwargs)


class HandlingRegionSerializer(serializers.Serializer):
    handling_region = serializers.CharField(max_length=6, validators=[validate_region_code])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "minimum": 1, "description": "the party's id"},
            {"type": "string", "minLength": 18, "maxLength": 18, "description": "its USCC"},
        ]
    }
)
class PartyRefField(serializers.Field):
    """A party by id, or by its USCC (DESIGN.md §4)."""

    default_error_messages = {
        "missing": _("No party {value}."),
        "invalid": _("Give a party id or USCC."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("invalid")
        text = str(data).strip()
        if text.isdigit() and len(text) < 18:
            party = Party.objects.filter(pk=int(text)).first()
        elif len(text) == 18:
            party = Party.objects.filter(uscc=text.upper()).first()
        else:
            self.fail("invalid")
        if party is None:
            self.fail("missing", value=text)
        return party

    def to_representation(self, value):
        return value.pk


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A kettle taken at a shop, product and lot as printed on the package",
            request_only=True,
            value={
                "task": 1,
                "sampled_party": "91110105MA01RTLK3D",
                "producer": "91110105MA01KTPR8M",
                "product_name": "电热水壶",
                "brand": "Levee",
                "model": "KT-1",
                "lot_code": "20261101A",
                "produced_on": "2026-11-01",
                "location_kind": "retail",
                "quantity": "2",
                "backup_quantity": "2",
                "unit": "pcs",
                "price_paid": "129.00",
                "sampled_at": "2026-11-30T10:00:00+08:00",
                "inspectors": ["张三", "李四"],
            },
        )
    ]
)
class SampleCreateSerializer(serializers.Serializer):
    task = ScopedPrimaryKeyRelatedField(queryset=Task.objects.select_related("lab"))
    sampled_party = PartyRefField()
    producer = PartyRefField()
    lot = serializers.PrimaryKeyRelatedField(
        queryset=Lot.objects.select_related("product"), required=False, allow_null=True
    )
    product_name = serializers.CharField(max_length=200, required=False, default="")
    brand = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    model = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    lot_code = serializers.CharField(max_length=64, required=False, default="")
    produced_on = serializers.DateField(required=False, allow_null=True, default=None)
    location_kind = serializers.ChoiceField(choices=LocationKind.choices)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"))
    backup_quantity = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001")
    )
    unit = serializers.CharField(max_length=16, required=False, default="pcs")
    price_paid = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        allow_null=True,
        default=None,
    )
    sampled_at = serializers.DateTimeField()
    inspectors = serializers.ListField(child=serializers.CharField(max_length=100), max_length=20)
    seal_intact = serializers.BooleanField(required=False, default=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    follow_up_of = ScopedPrimaryKeyRelatedField(
        queryset=Sample.objects.all(), required=False, allow_null=True, default=None
    )
    order_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    platform = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    shop_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    tracking_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    delivered_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class PartyBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uscc = serializers.CharField()
    name = serializers.CharField()


class ProductBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    brand = serializers.CharField()
    model = serializers.CharField()
    category = serializers.CharField()


class LotBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lot_code = serializers.CharField()


class SampleSerializer(BuiltFieldsMixin, serializers.ModelSerializer):
    task_code = serializers.CharField(source="task.code", read_only=True)
    mode = serializers.CharField(source="task.mode", read_only=True)
    task_region = serializers.CharField(source="task.region", read_only=True)
    category = serializers.CharField(source="task.category", read_only=True)
    lab = serializers.CharField(source="task.lab.code", read_only=True)
    sampled_party = PartyBriefSerializer(read_only=True)
    producer = PartyBriefSerializer(read_only=True)
    product = ProductBriefSerializer(read_only=True)
    lot = LotBriefSerializer(read_only=True)
    filed_by = serializers.CharField(source="filed_by.username", read_only=True, default=None)
    overdue = serializers.BooleanField(read_only=True)
    # Blank when the sample was not an online purchase, so not always a URI.
    shop_url = serializers.CharField(read_only=True)

    class Meta:
        model = Sample
        fields = [
            "id",
            "sample_no",
            "task",
            "task_code",
            "mode",
            "region",
            "task_region",
            "handling_region",
            "handed_over_at",
            "category",
            "lab",
            "state",
            "sampled_party",
            "producer",
            "product",
            "lot",
            "location_kind",
            "quantity",
            "backup_quantity",
            "unit",
            "price_paid",
            "sampled_at",
            "inspectors",
            "filed_by",
            "seal_intact",
            "note",
            "follow_up_of",
            "order_no",
            "platform",
            "shop_url",
            "tracking_no",
            "delivered_at",
            "received_at",
            "tested_at",
            "conclusion",
            "report_no",
            "report_issued_on",
            "notified_at",
            "reinspected_at",
            "closed_at",
            "void_reason",
            "due_stage",
            "due_at",
            "overdue",
            "created_at",
        ]
        read_only_fields = fields


class TestItemSerializer(serializers.ModelSerializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)

    class Meta:
        model = TestItem
        fields = ["item", "standard", "requirement", "measured_value", "unit", "verdict", "round"]
        read_only_fields = ["round"]


class ObjectionSerializer(serializers.ModelSerializer):
    party = serializers.IntegerField(source="party_id", read_only=True, allow_null=True)
    filed_by = serializers.CharField(source="filed_by.username", read_only=True, default=None)

    class Meta:
        model = Objection
        fields = ["party", "filed_by", "reason", "items", "filed_at"]
        read_only_fields = fields


class DispositionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)
    recall_no = serializers.CharField(source="recall.recall_no", read_only=True, default=None)
    notices = serializers.SerializerMethodField()

    class Meta:
        model = Disposition
        fields = [
            "measures",
            "note",
            "decided_by",
            "decided_at",
            "follow_up_due_at",
            "recall",
            "recall_no",
            "trace",
            "notices",
        ]
        read_only_fields = fields

    @extend_schema_field(NoticeBoardSerializer)
    def get_notices(self, disposition):
        """The board of the lot's notices; the list is at samples/{id}/notices/."""
        return disposition_notice_board(disposition.sample, with_list=False)


class SampleDetailSerializer(SampleSerializer):
    items = TestItemSerializer(many=True, read_only=True)
    objection = serializers.SerializerMethodField()
    disposition = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(SampleSerializer.Meta):
        fields = [
            *SampleSerializer.Meta.fields,
            "initial_conclusion",
            "report_file",
            "items",
            "objection",
            "disposition",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(ObjectionSerializer(allow_null=True))
    def get_objection(self, sample):
        objection = getattr(sample, "objection", None)
        return ObjectionSerializer(objection).data if objection else None

    @extend_schema_field(DispositionSerializer(allow_null=True))
    def get_disposition(self, sample):
        disposition = getattr(sample, "disposition", None)
        return DispositionSerializer(disposition).data if disposition else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, sample):
        request = self.context.get("request")
        return sample_machine.allowed_actions(sample, request.user if request else None)


# --- Transition payloads -----------------------------------------------------------------


class SampleNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ReceiveSerializer(SampleNoteSerializer):
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    seal_intact = serializers.BooleanField(required=False, allow_null=True, default=None)


class TestItemInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=200)
    standard = serializers.CharField(max_length=200, required=False, allow_blank=True)
    requirement = serializers.CharField(max_length=500, required=False, allow_blank=True)
    measured_value = serializers.CharField(max_length=200, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=32, required=False, allow_blank=True)
    verdict = serializers.ChoiceField(choices=Verdict.choices)


class ResultsSerializer(serializers.Serializer):
    items = TestItemInputSerializer(many=True, allow_empty=False, max_length=500)
    conclusion = serializers.ChoiceField(choices=Conclusion.choices)
    tested_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReinspectionSerializer(serializers.Serializer):
    items = TestItemInputSerializer(many=True, allow_empty=False, max_length=500)
    conclusion = serializers.ChoiceField(choices=Conclusion.choices)
    report_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class ReportSerializer(serializers.Serializer):
    report_no = serializers.CharField(max_length=64)
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    file = serializers.FileField(required=False, allow_null=True, default=None)


class ObjectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)
    items = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=500
    )


class MeasureSerializer(serializers.Serializer):
    measure = serializers.ChoiceField(choices=Measure.choices)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DisposeSerializer(SampleNoteSerializer):
    measures = MeasureSerializer(many=True, allow_empty=False, max_length=10)


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class StatsRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    uscc = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    samples = serializers.IntegerField()
    tested = serializers.IntegerField()
    conforming = serializers.IntegerField()
    nonconforming = serializers.IntegerField()
    nonconformance_rate = serializers.FloatField(allow_null=True)
    conformance_rate = serializers.FloatField(allow_null=True)


class StatsQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=["category", "region", "producer"])

    def get_fields(self):
        fields = super().get_fields()
        # `from` and `to` are the query names the contract gives; `from` is a keyword.
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields


# --- Public results (DESIGN.md §6.1) -------------------------------------------------------


class FailingItemSerializer(serializers.Serializer):
    item = serializers.CharField()
    standard = serializers.CharField()
    requirement = serializers.CharField()
    measured_value = serializers.CharField()
    unit = serializers.CharField()


class PublicResultRowSerializer(serializers.Serializer):
    """One row of the results notice, as published (never changed)."""

    sample_no = serializers.CharField()
    task = serializers.CharField()
    product = serializers.CharField()
    brand = serializers.CharField()
    model = serializers.CharField()
    lot_code = serializers.CharField()
    produced_on = serializers.DateField(allow_null=True)
    producer = serializers.CharField()
    producer_region = serializers.CharField()
    sampled_party = serializers.CharField()
    sampled_party_region = serializers.CharField()
    sampled_on = serializers.DateField()
    conclusion = serializers.ChoiceField(choices=Conclusion.choices)
    failing_items = FailingItemSerializer(many=True)
    lab = serializers.CharField()


class PublicCorrectionSerializer(serializers.Serializer):
    sample_no = serializers.CharField()
    at = serializers.DateTimeField()
    conclusion = serializers.ChoiceField(choices=Conclusion.choices)
    failing_items = FailingItemSerializer(many=True)
    note = serializers.CharField()


class PublicSpotCheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    level = serializers.CharField()
    region = serializers.CharField()
    category = serializers.CharField()
    mode = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    lab = serializers.CharField(source="lab.name")
    published_at = serializers.DateTimeField()
    samples = serializers.IntegerField(source="sample_count", help_text="Published samples")
    conforming = serializers.IntegerField()
    nonconforming = serializers.IntegerField()
    conformance_rate = serializers.FloatField(allow_null=True)


class PublicSpotCheckDetailSerializer(PublicSpotCheckSerializer):
    results = PublicResultRowSerializer(many=True)
    corrections = PublicCorrectionSerializer(many=True)
