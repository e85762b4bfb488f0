"""Affected parties as a spreadsheet: csv streamed, xlsx built in constant memory."""

import csv
import io

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse

from .selectors import AFFECTED_PARTY_COLUMNS

HEADERS = ("party_id", "uscc", "name", "kind", "region", "quantity_received")


class _Echo:
    def write(self, value):
        return value


def _filename(recall, ext):
    return f'attachment; filename="{recall.recall_no}-affected-parties.{ext}"'


def affected_parties_csv(recall, rows):
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # BOM: spreadsheet programs then read the Chinese names right
        yield writer.writerow(HEADERS)
        for row in rows:
            yield writer.writerow([row[name] for name in AFFECTED_PARTY_COLUMNS])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _filename(recall, "csv")
    return response


def affected_parties_xlsx(recall, rows):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = workbook.add_worksheet("affected parties")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, HEADERS, bold)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, [row[name] for name in AFFECTED_PARTY_COLUMNS])
    sheet.autofilter(0, 0, max(len(rows), 1), len(HEADERS) - 1)
    workbook.close()
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = _filename(recall, "xlsx")
    return response
