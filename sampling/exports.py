"""A published results notice as a spreadsheet (core.spreadsheets)."""

import datetime as dt

from django.utils import timezone

from core.spreadsheets import csv_response, xlsx_response

from .selectors import PUBLIC_COLUMNS

HEADERS = (*PUBLIC_COLUMNS, "correction")
_DATES = {"produced_on", "sampled_on"}


def _failing(items):
    return "; ".join(
        f"{i['item']} (requirement {i['requirement'] or '-'}, measured "
        f"{' '.join(filter(None, (i['measured_value'], i['unit']))) or '-'})"
        for i in items
    )


def _corrections_by_sample(notice):
    found = {}
    for c in notice["corrections"]:
        day = timezone.localtime(c["at"]).date().isoformat()
        text = f"{day}: {c['conclusion']}" + (f" ({c['note']})" if c["note"] else "")
        found.setdefault(c["sample_no"], []).append(text)
    return {no: "; ".join(texts) for no, texts in found.items()}


def _cells(notice):
    corrections = _corrections_by_sample(notice)
    for row in notice["rows"]:
        cells = []
        for name in PUBLIC_COLUMNS:
            value = row[name]
            if name == "failing_items":
                value = _failing(value)
            elif name in _DATES and value:
                value = dt.date.fromisoformat(value)
            cells.append("" if value is None else value)
        cells.append(corrections.get(row["sample_no"], ""))
        yield cells


def spot_check_csv(notice):
    return csv_response(f"{notice['task'].code}-results", HEADERS, _cells(notice))


def spot_check_xlsx(notice):
    return xlsx_response(
        f"{notice['task'].code}-results", HEADERS, _cells(notice), sheet_name="results"
    )
