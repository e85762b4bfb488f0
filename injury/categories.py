"""Key accident categories and their deadlines, from LEVEE_RULES["accidents"] (§8)."""

from core.rules import rule


def default_categories():
    """{code: AccidentCategory fields} for every key category in the rules."""
    deadlines = rule("accidents.deadlines")

    def period(name):
        value = deadlines.get(name)
        return tuple(value) if value else (None, "")

    default_amount, default_unit = period("default")
    categories = {}
    for code in rule("accidents.key_categories"):
        amount, unit = period(code)
        casualty_amount, casualty_unit = period(f"{code}_casualty")
        full_amount, full_unit = period(f"{code}_full")
        categories[code] = {
            "deadline_amount": amount or default_amount or 2,
            "deadline_unit": unit or default_unit or "working_days",
            "casualty_deadline_amount": casualty_amount,
            "casualty_deadline_unit": casualty_unit,
            "full_report_amount": full_amount,
            "full_report_unit": full_unit,
        }
    return categories
