"""Code lists of the injury app (DESIGN.md §7).

The case fields follow the national injury surveillance report card (全国伤害监测报告卡,
China CDC) and, where the card is silent or coarser, the US CPSC's National Electronic
Injury Surveillance System (NEISS) coding manual. Values are lower-case slugs; labels give
the card's Chinese term and its English gloss. An app may add values, never rename them.
"""

from django.db import models
from django.utils.translation import pgettext_lazy


class Sex(models.TextChoices):
    """Card item 性别; NEISS "sex" (0 not recorded -> unknown)."""

    MALE = "male", pgettext_lazy("Sex", "Male")
    FEMALE = "female", pgettext_lazy("Sex", "Female")
    UNKNOWN = "unknown", pgettext_lazy("Sex", "Unknown")


class Place(models.TextChoices):
    """Card item 伤害发生地点 (home, public residential, school, road, trade and service
    area, industrial/construction site, farm, sports venue, other, unknown); NEISS
    "location"."""

    HOME = "home", pgettext_lazy("Place", "Home")
    SCHOOL = "school", pgettext_lazy("Place", "School")
    PUBLIC_PLACE = "public_place", pgettext_lazy("Place", "Public place")
    ROAD = "road", pgettext_lazy("Place", "Road")
    WORKPLACE = "workplace", pgettext_lazy("Place", "Workplace")
    SPORTS_VENUE = "sports_venue", pgettext_lazy("Place", "Sports venue")
    COMMERCIAL = "commercial", pgettext_lazy("Place", "Trade and service area")
    FARM = "farm", pgettext_lazy("Place", "Farm")
    OTHER = "other", pgettext_lazy("Place", "Other")
    UNKNOWN = "unknown", pgettext_lazy("Place", "Unknown")


class Activity(models.TextChoices):
    """Card item 伤害发生时活动 (leisure, sports, paid work, household chores, driving or
    riding, study, other, unknown)."""

    LEISURE = "leisure", pgettext_lazy("Activity", "Leisure")
    SPORTS = "sports", pgettext_lazy("Activity", "Sports")
    WORK = "work", pgettext_lazy("Activity", "Paid work")
    HOUSEHOLD = "household", pgettext_lazy("Activity", "Household chores")
    TRAVEL = "travel", pgettext_lazy("Activity", "Travel")
    STUDY = "study", pgettext_lazy("Activity", "Study")
    OTHER = "other", pgettext_lazy("Activity", "Other")
    UNKNOWN = "unknown", pgettext_lazy("Activity", "Unknown")


class Mechanism(models.TextChoices):
    """Card item 伤害发生原因 (the external cause), ICD-10 chapter XX groups as the card
    lists them."""

    MOTOR_VEHICLE = "motor_vehicle", pgettext_lazy("Mechanism", "Motor vehicle")
    NON_MOTOR_VEHICLE = "non_motor_vehicle", pgettext_lazy("Mechanism", "Non-motor vehicle")
    FALL = "fall", pgettext_lazy("Mechanism", "Fall")
    BLUNT = "blunt", pgettext_lazy("Mechanism", "Blunt force")
    SHARP = "sharp", pgettext_lazy("Mechanism", "Cut or pierce")
    BURN = "burn", pgettext_lazy("Mechanism", "Burn or scald")
    ELECTRIC_SHOCK = "electric_shock", pgettext_lazy("Mechanism", "Electric shock")
    SUFFOCATION = "suffocation", pgettext_lazy("Mechanism", "Suffocation")
    DROWNING = "drowning", pgettext_lazy("Mechanism", "Drowning")
    POISONING = "poisoning", pgettext_lazy("Mechanism", "Poisoning")
    ANIMAL = "animal", pgettext_lazy("Mechanism", "Animal bite or sting")
    FIREARM = "firearm", pgettext_lazy("Mechanism", "Firearm")
    OTHER = "other", pgettext_lazy("Mechanism", "Other")
    UNKNOWN = "unknown", pgettext_lazy("Mechanism", "Unknown")


class Intent(models.TextChoices):
    """Card item 伤害意图; NEISS "intent"."""

    UNINTENTIONAL = "unintentional", pgettext_lazy("Intent", "Unintentional")
    SELF_HARM = "self_harm", pgettext_lazy("Intent", "Self-harm")
    ASSAULT = "assault", pgettext_lazy("Intent", "Assault")
    OTHER = "other", pgettext_lazy("Intent", "Other")
    UNKNOWN = "unknown", pgettext_lazy("Intent", "Unknown")


class Nature(models.TextChoices):
    """Card item 伤害性质 (the nature of the main injury); NEISS "diagnosis" codes
    grouped."""

    FRACTURE = "fracture", pgettext_lazy("Nature", "Fracture")
    SPRAIN = "sprain", pgettext_lazy("Nature", "Sprain or strain")
    LACERATION = "laceration", pgettext_lazy("Nature", "Laceration")
    CONTUSION = "contusion", pgettext_lazy("Nature", "Contusion or abrasion")
    BURN = "burn", pgettext_lazy("Nature", "Burn")
    CONCUSSION = "concussion", pgettext_lazy("Nature", "Concussion")
    INTERNAL = "internal", pgettext_lazy("Nature", "Internal organ injury")
    POISONING = "poisoning", pgettext_lazy("Nature", "Poisoning")
    AMPUTATION = "amputation", pgettext_lazy("Nature", "Amputation")
    OTHER = "other", pgettext_lazy("Nature", "Other")


class BodyPart(models.TextChoices):
    """Card item 伤害部位; NEISS "body part" codes grouped."""

    HEAD = "head", pgettext_lazy("BodyPart", "Head")
    FACE = "face", pgettext_lazy("BodyPart", "Face")
    NECK = "neck", pgettext_lazy("BodyPart", "Neck")
    TRUNK = "trunk", pgettext_lazy("BodyPart", "Trunk")
    ARM = "arm", pgettext_lazy("BodyPart", "Arm")
    HAND = "hand", pgettext_lazy("BodyPart", "Hand")
    LEG = "leg", pgettext_lazy("BodyPart", "Leg")
    FOOT = "foot", pgettext_lazy("BodyPart", "Foot")
    MULTIPLE = "multiple", pgettext_lazy("BodyPart", "Multiple")
    OTHER = "other", pgettext_lazy("BodyPart", "Other")


class Severity(models.TextChoices):
    """Card item 伤害严重程度."""

    MILD = "mild", pgettext_lazy("Severity", "Mild")
    MODERATE = "moderate", pgettext_lazy("Severity", "Moderate")
    SEVERE = "severe", pgettext_lazy("Severity", "Severe")


class Disposition(models.TextChoices):
    """Card item 伤害结局; NEISS "disposition"."""

    TREATED_RELEASED = "treated_released", pgettext_lazy("Disposition", "Treated and released")
    OBSERVED = "observed", pgettext_lazy("Disposition", "Held for observation")
    ADMITTED = "admitted", pgettext_lazy("Disposition", "Admitted")
    TRANSFERRED = "transferred", pgettext_lazy("Disposition", "Transferred")
    DIED = "died", pgettext_lazy("Disposition", "Died")
    OTHER = "other", pgettext_lazy("Disposition", "Other")


class ProductRelation(models.TextChoices):
    """How the product was involved (the card's product-injury supplement; NEISS records
    the product and leaves fault to the narrative)."""

    MISUSE = "misuse", pgettext_lazy("ProductRelation", "Misuse")
    PRODUCT_QUALITY = "product_quality", pgettext_lazy("ProductRelation", "Product quality")
    NORMAL_USE_ACCIDENT = (
        "normal_use_accident",
        pgettext_lazy("ProductRelation", "Accident in normal use"),
    )
    UNCERTAIN = "uncertain", pgettext_lazy("ProductRelation", "Uncertain")
    OTHER = "other", pgettext_lazy("ProductRelation", "Other")


class AgeBand(models.TextChoices):
    """Age groups for estimates (NEISS publication bands)."""

    AGE_0_4 = "0-4", pgettext_lazy("AgeBand", "0-4 years")
    AGE_5_14 = "5-14", pgettext_lazy("AgeBand", "5-14 years")
    AGE_15_24 = "15-24", pgettext_lazy("AgeBand", "15-24 years")
    AGE_25_44 = "25-44", pgettext_lazy("AgeBand", "25-44 years")
    AGE_45_64 = "45-64", pgettext_lazy("AgeBand", "45-64 years")
    AGE_65_PLUS = "65+", pgettext_lazy("AgeBand", "65+ years")


class EstimateGroup(models.TextChoices):
    PRODUCT_CATEGORY = "product_category", pgettext_lazy("EstimateGroup", "Product category")
    BODY_PART = "body_part", pgettext_lazy("EstimateGroup", "Body part")
    MECHANISM = "mechanism", pgettext_lazy("EstimateGroup", "Mechanism")
    AGE_BAND = "age_band", pgettext_lazy("EstimateGroup", "Age band")
    SEX = "sex", pgettext_lazy("EstimateGroup", "Sex")
    REGION = "region", pgettext_lazy("EstimateGroup", "Region")


class Interval(models.TextChoices):
    WEEK = "week", pgettext_lazy("Interval", "Week")
    MONTH = "month", pgettext_lazy("Interval", "Month")


class AccidentState(models.TextChoices):
    REPORTED = "reported", pgettext_lazy("AccidentState", "Reported")
    INVESTIGATING = "investigating", pgettext_lazy("AccidentState", "Investigating")
    CONCLUDED = "concluded", pgettext_lazy("AccidentState", "Concluded")


class Reporter(models.TextChoices):
    """Who reported the accident (the producer and seller have the legal duty; hospitals,
    consumers and regulators also report)."""

    PRODUCER = "producer", pgettext_lazy("Reporter", "Producer")
    SELLER = "seller", pgettext_lazy("Reporter", "Seller")
    HOSPITAL = "hospital", pgettext_lazy("Reporter", "Hospital")
    CONSUMER = "consumer", pgettext_lazy("Reporter", "Consumer")
    REGULATOR = "regulator", pgettext_lazy("Reporter", "Regulator")


class RootCause(models.TextChoices):
    DESIGN = "design", pgettext_lazy("RootCause", "Design")
    MANUFACTURING = "manufacturing", pgettext_lazy("RootCause", "Manufacturing")
    WARNING = "warning", pgettext_lazy("RootCause", "Warning or instructions")
    MISUSE = "misuse", pgettext_lazy("RootCause", "Misuse")
    UNKNOWN = "unknown", pgettext_lazy("RootCause", "Unknown")


class Measure(models.TextChoices):
    """The measure an investigation recommends (the risk app's measures, plus a standard
    revision and none)."""

    RECALL = "recall", pgettext_lazy("Measure", "Recall")
    TAKE_DOWN = "take_down", pgettext_lazy("Measure", "Take down")
    WARNING = "warning", pgettext_lazy("Measure", "Consumer warning")
    MONITOR = "monitor", pgettext_lazy("Measure", "Monitor")
    STANDARD_REVISION = "standard_revision", pgettext_lazy("Measure", "Revise the standard")
    NONE = "none", pgettext_lazy("Measure", "None")


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", pgettext_lazy("DeadlineUnit", "Working days")
    DAYS = "days", pgettext_lazy("DeadlineUnit", "Days")
    HOURS = "hours", pgettext_lazy("DeadlineUnit", "Hours")
