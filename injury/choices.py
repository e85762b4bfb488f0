"""Code lists of the injury app (DESIGN.md §7).

The case fields follow the national injury surveillance report card (全国伤害监测报告卡,
China CDC) and, where the card is silent or coarser, the US CPSC's National Electronic
Injury Surveillance System (NEISS) coding manual. Values are lower-case slugs; labels give
the card's Chinese term and its English gloss. An app may add values, never rename them.
"""

from django.db import models


class Sex(models.TextChoices):
    """Card item 性别; NEISS "sex" (0 not recorded -> unknown)."""

    MALE = "male", "男 male"
    FEMALE = "female", "女 female"
    UNKNOWN = "unknown", "不详 unknown"


class Place(models.TextChoices):
    """Card item 伤害发生地点 (home, public residential, school, road, trade and service
    area, industrial/construction site, farm, sports venue, other, unknown); NEISS
    "location"."""

    HOME = "home", "家中 home"
    SCHOOL = "school", "学校 school"
    PUBLIC_PLACE = "public_place", "公共居住场所 public place"
    ROAD = "road", "公路/街道 road"
    WORKPLACE = "workplace", "工业和建筑场所 workplace"
    SPORTS_VENUE = "sports_venue", "体育和运动场所 sports venue"
    COMMERCIAL = "commercial", "贸易和服务场所 trade and service area"
    FARM = "farm", "农场/农田 farm"
    OTHER = "other", "其他 other"
    UNKNOWN = "unknown", "不清楚 unknown"


class Activity(models.TextChoices):
    """Card item 伤害发生时活动 (leisure, sports, paid work, household chores, driving or
    riding, study, other, unknown)."""

    LEISURE = "leisure", "休闲活动 leisure"
    SPORTS = "sports", "体育活动 sports"
    WORK = "work", "有偿工作 paid work"
    HOUSEHOLD = "household", "家务 household chores"
    TRAVEL = "travel", "驾乘交通工具 travel"
    STUDY = "study", "学习 study"
    OTHER = "other", "其他 other"
    UNKNOWN = "unknown", "不清楚 unknown"


class Mechanism(models.TextChoices):
    """Card item 伤害发生原因 (the external cause), ICD-10 chapter XX groups as the card
    lists them."""

    MOTOR_VEHICLE = "motor_vehicle", "机动车车祸 motor vehicle"
    NON_MOTOR_VEHICLE = "non_motor_vehicle", "非机动车车祸 non-motor vehicle"
    FALL = "fall", "跌倒/坠落 fall"
    BLUNT = "blunt", "钝器伤 blunt force"
    SHARP = "sharp", "刀/锐器伤 cut or pierce"
    BURN = "burn", "烧烫伤 burn or scald"
    ELECTRIC_SHOCK = "electric_shock", "触电 electric shock"
    SUFFOCATION = "suffocation", "窒息/悬吊 suffocation"
    DROWNING = "drowning", "溺水 drowning"
    POISONING = "poisoning", "中毒 poisoning"
    ANIMAL = "animal", "动物伤 animal bite or sting"
    FIREARM = "firearm", "火器伤 firearm"
    OTHER = "other", "其他 other"
    UNKNOWN = "unknown", "不清楚 unknown"


class Intent(models.TextChoices):
    """Card item 伤害意图; NEISS "intent"."""

    UNINTENTIONAL = "unintentional", "非故意 unintentional"
    SELF_HARM = "self_harm", "自残/自杀 self-harm"
    ASSAULT = "assault", "故意(暴力/攻击) assault"
    OTHER = "other", "其他 other"
    UNKNOWN = "unknown", "不清楚 unknown"


class Nature(models.TextChoices):
    """Card item 伤害性质 (the nature of the main injury); NEISS "diagnosis" codes
    grouped."""

    FRACTURE = "fracture", "骨折 fracture"
    SPRAIN = "sprain", "扭伤/拉伤 sprain or strain"
    LACERATION = "laceration", "锐器伤/咬伤/开放伤 laceration"
    CONTUSION = "contusion", "挫伤/擦伤 contusion or abrasion"
    BURN = "burn", "烧烫伤 burn"
    CONCUSSION = "concussion", "脑震荡/脑挫裂伤 concussion"
    INTERNAL = "internal", "器官系统损伤 internal organ injury"
    POISONING = "poisoning", "中毒 poisoning"
    AMPUTATION = "amputation", "切断伤 amputation"
    OTHER = "other", "其他 other"


class BodyPart(models.TextChoices):
    """Card item 伤害部位; NEISS "body part" codes grouped."""

    HEAD = "head", "头部 head"
    FACE = "face", "面部 face"
    NECK = "neck", "颈部 neck"
    TRUNK = "trunk", "躯干 trunk"
    ARM = "arm", "上肢 arm"
    HAND = "hand", "手 hand"
    LEG = "leg", "下肢 leg"
    FOOT = "foot", "足 foot"
    MULTIPLE = "multiple", "多部位 multiple"
    OTHER = "other", "其他 other"


class Severity(models.TextChoices):
    """Card item 伤害严重程度."""

    MILD = "mild", "轻度 mild"
    MODERATE = "moderate", "中度 moderate"
    SEVERE = "severe", "重度 severe"


class Disposition(models.TextChoices):
    """Card item 伤害结局; NEISS "disposition"."""

    TREATED_RELEASED = "treated_released", "处理后离院 treated and released"
    OBSERVED = "observed", "留观 held for observation"
    ADMITTED = "admitted", "住院 admitted"
    TRANSFERRED = "transferred", "转院 transferred"
    DIED = "died", "死亡 died"
    OTHER = "other", "其他 other"


class ProductRelation(models.TextChoices):
    """How the product was involved (the card's product-injury supplement; NEISS records
    the product and leaves fault to the narrative)."""

    MISUSE = "misuse", "使用不当 misuse"
    PRODUCT_QUALITY = "product_quality", "产品质量问题 product quality"
    NORMAL_USE_ACCIDENT = "normal_use_accident", "正常使用中意外 accident in normal use"
    UNCERTAIN = "uncertain", "不确定 uncertain"
    OTHER = "other", "其他 other"


class AgeBand(models.TextChoices):
    """Age groups for estimates (NEISS publication bands)."""

    AGE_0_4 = "0-4", "0-4"
    AGE_5_14 = "5-14", "5-14"
    AGE_15_24 = "15-24", "15-24"
    AGE_25_44 = "25-44", "25-44"
    AGE_45_64 = "45-64", "45-64"
    AGE_65_PLUS = "65+", "65+"


class EstimateGroup(models.TextChoices):
    PRODUCT_CATEGORY = "product_category", "product category"
    BODY_PART = "body_part", "body part"
    MECHANISM = "mechanism", "mechanism"
    AGE_BAND = "age_band", "age band"
    SEX = "sex", "sex"
    REGION = "region", "region"


class Interval(models.TextChoices):
    WEEK = "week", "week"
    MONTH = "month", "month"


class AccidentState(models.TextChoices):
    REPORTED = "reported", "已报告 reported"
    INVESTIGATING = "investigating", "调查中 investigating"
    CONCLUDED = "concluded", "已结论 concluded"


class Reporter(models.TextChoices):
    """Who reported the accident (the producer and seller have the legal duty; hospitals,
    consumers and regulators also report)."""

    PRODUCER = "producer", "生产者 producer"
    SELLER = "seller", "销售者 seller"
    HOSPITAL = "hospital", "医疗机构 hospital"
    CONSUMER = "consumer", "消费者 consumer"
    REGULATOR = "regulator", "监管部门 regulator"


class RootCause(models.TextChoices):
    DESIGN = "design", "设计缺陷 design"
    MANUFACTURING = "manufacturing", "制造缺陷 manufacturing"
    WARNING = "warning", "警示说明缺陷 warning or instructions"
    MISUSE = "misuse", "使用不当 misuse"
    UNKNOWN = "unknown", "不明 unknown"


class Measure(models.TextChoices):
    """The measure an investigation recommends (the risk app's measures, plus a standard
    revision and none)."""

    RECALL = "recall", "召回 recall"
    TAKE_DOWN = "take_down", "下架 take down"
    WARNING = "warning", "消费警示 consumer warning"
    MONITOR = "monitor", "持续监测 monitor"
    STANDARD_REVISION = "standard_revision", "修订标准 revise the standard"
    NONE = "none", "无需措施 none"


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "工作日 working days"
    DAYS = "days", "日 days"
    HOURS = "hours", "小时 hours"
