from rest_framework import serializers


class LookupProductSerializer(serializers.Serializer):
    name = serializers.CharField()
    brand = serializers.CharField()
    model = serializers.CharField()
    category = serializers.CharField()
    producer = serializers.CharField()


class LookupItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["recall", "spot_check", "warning"])
    reference = serializers.CharField(help_text="Recall number, sample number or assessment")
    title = serializers.CharField()
    date = serializers.DateTimeField(allow_null=True)
    lots = serializers.ListField(
        child=serializers.CharField(), help_text="The lots it names; empty: every lot"
    )
    hazard = serializers.CharField(allow_blank=True)
    what_to_do = serializers.CharField()
    details = serializers.DictField()


class LookupSerializer(serializers.Serializer):
    gtin = serializers.CharField(help_text="The GTIN asked about, as GTIN-14")
    lot = serializers.CharField(allow_null=True)
    product = LookupProductSerializer(allow_null=True, help_text="Null: no such product known")
    results = LookupItemSerializer(many=True)


# --- The enterprise overview


class OverviewPartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uscc = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField()


class OverviewSampleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sample_no = serializers.CharField()
    task = serializers.CharField()
    role = serializers.ChoiceField(choices=["producer", "sampled_party"], source="as")
    product = serializers.CharField()
    lot_code = serializers.CharField()
    sampled_at = serializers.DateTimeField()
    state = serializers.CharField()
    conclusion = serializers.CharField(allow_null=True)
    due_stage = serializers.CharField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()


class OverviewSamplesSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_state = serializers.DictField(child=serializers.IntegerField())
    nonconforming = serializers.IntegerField()
    recent = OverviewSampleSerializer(many=True, help_text="The latest 20")


class OverviewNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    measure = serializers.CharField()
    lot_code = serializers.CharField()
    product = serializers.CharField()
    source = serializers.CharField()
    source_number = serializers.CharField(allow_blank=True)
    state = serializers.CharField()
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()


class OverviewNoticesSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_state = serializers.DictField(child=serializers.IntegerField())
    overdue = serializers.IntegerField()
    open = OverviewNoticeSerializer(many=True, help_text="Not completed, soonest due first")


class OverviewProductComplaintsSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    name = serializers.CharField()
    model = serializers.CharField()
    complaints = serializers.IntegerField()


class OverviewComplaintSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField()
    channel = serializers.CharField()
    region = serializers.CharField()
    category = serializers.CharField()
    product = serializers.IntegerField()
    lot_code = serializers.CharField(allow_null=True)
    problem = serializers.ListField(child=serializers.CharField())


class OverviewComplaintsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    last_90_days = OverviewProductComplaintsSerializer(many=True)
    recent = OverviewComplaintSerializer(many=True, help_text="The latest 20")


class OverviewRecallSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    recall_no = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    units_affected = serializers.DecimalField(max_digits=14, decimal_places=3)
    recovered = serializers.DecimalField(max_digits=14, decimal_places=3)
    completion_rate = serializers.FloatField(allow_null=True)
    last_progress_at = serializers.DateTimeField(allow_null=True)
    next_step = serializers.ChoiceField(
        choices=["submit_plan", "announce", "progress_report", "summary"], allow_null=True
    )
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    missed_progress_periods = serializers.ListField(child=serializers.IntegerField())


class OverviewSerializer(serializers.Serializer):
    party = OverviewPartySerializer()
    samples = OverviewSamplesSerializer()
    notices = OverviewNoticesSerializer()
    complaints = OverviewComplaintsSerializer()
    recalls = OverviewRecallSerializer(many=True)
