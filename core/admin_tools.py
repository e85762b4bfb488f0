"""What the admin pages a regulator meets share: times in Asia/Shanghai with their offset,
region codes with their province's name, due dates highlighted when overdue, and the
province and overdue filters."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# GB/T 2260 provinces (the first two digits of a region code). Cities and districts show
# their code with their province's name: the project ships no table of every division.
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省",
    "64": "宁夏回族自治区", "65": "新疆维吾尔自治区", "71": "台湾省",
    "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip


def local_time(moment):
    """A time as people here read it: Asia/Shanghai, with its offset."""
    if moment is None:
        return "—"
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %z")


# Names of the product categories the rules and the demo use; other slugs show as they are.
CATEGORIES = {
    "bicycle": _("bicycle"),
    "biscuit": _("biscuit"),
    "children_product": _("children's and students' products"),
    "electric_bicycle": _("electric bicycle"),
    "electric_heater": _("electric heater"),
    "electric_kettle": _("electric kettle"),
    "electrical_appliance": _("electrical and electronic products"),
    "furniture": _("furniture"),
    "hair_dryer": _("hair dryer"),
    "kitchen_knife": _("kitchen knife"),
    "motor_vehicle": _("motor vehicle"),
    "power_cord": _("power cord"),
    "stroller": _("stroller"),
    "toy": _("toy"),
    "trampoline": _("trampoline"),
    "wheat_flour": _("wheat flour"),
}


def category_label(slug):
    """A category slug with its name beside it, where the project knows the name."""
    if not slug:
        return "—"
    name = CATEGORIES.get(slug)
    return f"{slug} {name}" if name else slug


def region_label(code):
    if not code:
        return "—"
    name = PROVINCES.get(code[:2])
    return f"{code} {name}" if name else code


def _follow(obj, path):
    for name in path.split("__"):
        obj = getattr(obj, name, None) if obj is not None else None
    return obj


def region_column(path="region"):
    """A list column: the region code in `path` with its province's name."""

    @admin.display(description=_("region"), ordering=path)
    def column(self, obj):
        return region_label(_follow(obj, path))

    return column


def category_column(path="category"):
    """A list column: the category slug in `path` with its name."""

    @admin.display(description=_("category"), ordering=path)
    def column(self, obj):
        return category_label(_follow(obj, path))

    return column


def due_label(due_at, *, now=None):
    """The due time, in red and marked overdue once it has passed."""
    if due_at is None:
        return "—"
    if due_at < (now or timezone.now()):
        return format_html(
            '<strong class="overdue" style="color:#ba2121">{} ({})</strong>',
            local_time(due_at),
            gettext("overdue"),
        )
    return local_time(due_at)


def province_filter(field, title=None):
    """A list filter by province over the region code in `field`."""

    class ProvinceFilter(admin.SimpleListFilter):
        parameter_name = f"{field.replace('__', '_')}_province"

        def lookups(self, request, model_admin):
            codes = model_admin.get_queryset(request).values_list(field, flat=True).distinct()
            prefixes = sorted({code[:2] for code in codes if code})
            return [(p, PROVINCES.get(p, p)) for p in prefixes]

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{f"{field}__startswith": self.value()})
            return queryset

    ProvinceFilter.title = title or _("province")
    return ProvinceFilter


def overdue_filter(overdue_q):
    """A yes/no list filter; `overdue_q(now)` is the Q of the overdue rows."""

    class OverdueFilter(admin.SimpleListFilter):
        title = _("overdue")
        parameter_name = "overdue"

        def lookups(self, request, model_admin):
            return [("yes", _("overdue")), ("no", _("not overdue"))]

        def queryset(self, request, queryset):
            if self.value() == "yes":
                return queryset.filter(overdue_q(timezone.now()))
            if self.value() == "no":
                return queryset.exclude(overdue_q(timezone.now()))
            return queryset

    return OverdueFilter
