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
