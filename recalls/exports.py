"""Affected parties as a spreadsheet (core.spreadsheets)."""

from core.spreadsheets import csv_response, xlsx_response

from .selectors import AFFECTED_PARTY_COLUMNS

HEADERS = ("party_id", "uscc", "name", "kind", "region", "quantity_received")


def _rows(rows):
    return ([row[name] for name in AFFECTED_PARTY_COLUMNS] for row in rows)


def affected_parties_csv(recall, rows):
    return csv_response(f"{recall.recall_no}-affected-parties", HEADERS, _rows(rows))


def affected_parties_xlsx(recall, rows):
    return xlsx_response(
        f"{recall.recall_no}-affected-parties", HEADERS, _rows(rows), sheet_name="affected parties"
    )
