"""A published results notice as a spreadsheet: csv streamed, xlsx in constant memory."""

import csv
import datetime as dt
import io

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from .selectors import PUBLIC_COLUMNS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = (*PUBLIC_COLUMNS, "correction")
_DATES = {"produced_on", "sampled_on"}


class _Echo:
    def write(self, value):
        return value


def _inert(value):
    """A text cell a spreadsheet would run as a formula is kept as text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


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


def _cells(notice, *, typed_dates):
    corrections = _corrections_by_sample(notice)
    for row in notice["rows"]:
        cells = []
        for name in PUBLIC_COLUMNS:
            value = row[name]
            if name == "failing_items":
                value = _failing(value)
            elif name in _DATES and value and typed_dates:
                value = dt.date.fromisoformat(value)
            cells.append("" if value is None else value)
        cells.append(corrections.get(row["sample_no"], ""))
        yield cells


def _disposition(notice, ext):
    return f'attachment; filename="{notice["task"].code}-results.{ext}"'


def spot_check_csv(notice):
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # BOM: spreadsheet programs then read the Chinese names right
        yield writer.writerow(HEADERS)
        for cells in _cells(notice, typed_dates=False):
            yield writer.writerow([_inert(cell) for cell in cells])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(notice, "csv")
    return response


def spot_check_xlsx(notice):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = workbook.add_worksheet("results")
    bold = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADERS, bold)
    count = 0
    for count, cells in enumerate(_cells(notice, typed_dates=True), start=1):
        for col, value in enumerate(cells):
            if isinstance(value, dt.date):
                sheet.write_datetime(count, col, dt.datetime.combine(value, dt.time()), date)
            else:
                sheet.write_string(count, col, str(value))
    sheet.autofilter(0, 0, max(count, 1), len(HEADERS) - 1)
    workbook.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = _disposition(notice, "xlsx")
    return response
