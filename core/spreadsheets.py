"""Exports as spreadsheets, the same way everywhere: CSV streamed with a BOM (spreadsheet
programs then read Chinese as UTF-8), XLSX written by XlsxWriter in constant memory with
numbers as numbers and dates and times as real Excel dates in Asia/Shanghai."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from rest_framework import renderers

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


class _FileRenderer(renderers.BaseRenderer):
    """Lets DRF accept ?format=csv|xlsx; the view answers with the file itself, so only an
    error body ever reaches this renderer (as JSON)."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data, ensure_ascii=False).encode()


class CSVRenderer(_FileRenderer):
    media_type, format = "text/csv", "csv"


class XLSXRenderer(_FileRenderer):
    media_type, format = XLSX, "xlsx"


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _inert(value):
    """A text cell a spreadsheet would run as a formula stays text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(filename, headers, rows):
    """`rows`: iterables of values, in the order of `headers`; streamed."""
    writer = csv.writer(_Echo())

    def text(value):
        value = _local(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return "" if value is None else _inert(value)

    def lines():
        yield "\ufeff" + writer.writerow(headers)
        for row in rows:
            yield writer.writerow([text(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename, headers, rows, *, sheet_name="Sheet1", width=18):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    formats = {
        dt.date: workbook.add_format({"num_format": DATE_FORMAT}),
        dt.datetime: workbook.add_format({"num_format": DATETIME_FORMAT}),
    }
    for col, title in enumerate(headers):
        sheet.write_string(0, col, title, bold)
        sheet.set_column(col, col, width)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            _write(sheet, count, col, _local(value), formats)
    sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
    sheet.freeze_panes(1, 0)
    workbook.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _write(sheet, row, col, value, formats):
    if value is None or value == "":
        sheet.write_blank(row, col, None)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, value)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), formats[dt.datetime])
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, formats[dt.date])
    else:  # text stays text, never a formula
        sheet.write_string(row, col, str(value))
