"""The trace as a sortable spreadsheet, one row per movement, with the key data elements
of FDA FSMA 204 (traceability lot code and its source, product, quantity and unit of
measure, locations of source and destination, date). CSV is streamed; XLSX is written
with XlsxWriter in constant-memory mode."""

import csv
import io

import xlsxwriter

COLUMNS = [
    ("event_date", "Event date"),
    ("event_type", "Critical tracking event"),
    ("event_id", "Event id"),
    ("traceability_lot_code", "Traceability lot code"),
    ("tlc_source", "Traceability lot code source"),
    ("tlc_source_uscc", "TLC source USCC"),
    ("product", "Product description"),
    ("product_id", "Product id"),
    ("quantity", "Quantity"),
    ("unit", "Unit of measure"),
    ("location", "Location of the event"),
    ("location_uscc", "Location USCC"),
    ("source", "Shipped from"),
    ("source_uscc", "Shipped from USCC"),
    ("source_region", "Shipped from region"),
    ("destination", "Shipped to"),
    ("destination_uscc", "Shipped to USCC"),
    ("destination_region", "Shipped to region"),
    ("input_lot_code", "Input lot code (transformation)"),
    ("input_quantity", "Input quantity"),
    ("depth", "Transformation depth"),
    ("confirmed", "Custody confirmed"),
]


def trace_rows(trace):
    """One dict per movement (edge) of a lot_trace result, oldest first."""
    lots = {n["key"]: n for n in trace["nodes"] if n["type"] == "lot"}
    parties = {n["key"]: n for n in trace["nodes"] if n["type"] == "party"}
    for edge in trace["edges"]:
        lot = lots.get(f"lot:{edge['lot']}", {})
        where = parties.get(f"party:{edge['party']}", {})
        producer = parties.get(f"party:{lot.get('producer')}", {})
        is_transform = edge["kind"] == "transform"
        source = {} if is_transform else parties.get(edge["from"] or "", {})
        destination = {} if is_transform else parties.get(edge["to"] or "", {})
        yield {
            "event_date": edge["date"],
            "event_type": edge["kind"],
            "event_id": edge["event_id"],
            "traceability_lot_code": edge["lot_code"],
            "tlc_source": producer.get("name", ""),
            "tlc_source_uscc": producer.get("uscc", ""),
            "product": lot.get("product_name", ""),
            "product_id": lot.get("product", ""),
            "quantity": edge["quantity"],
            "unit": edge["unit"],
            "location": where.get("name", ""),
            "location_uscc": where.get("uscc", ""),
            "source": source.get("name", ""),
            "source_uscc": source.get("uscc", ""),
            "source_region": source.get("region", ""),
            "destination": destination.get("name", ""),
            "destination_uscc": destination.get("uscc", ""),
            "destination_region": destination.get("region", ""),
            "input_lot_code": edge.get("input_lot_code", ""),
            "input_quantity": edge.get("input_quantity", ""),
            "depth": edge["depth"],
            "confirmed": "yes" if edge["confirmed"] else "no",
        }


class _Echo:
    def write(self, value):
        return value


def csv_stream(trace):
    """CSV lines one at a time (for a StreamingHttpResponse); a BOM so that spreadsheet
    programs read the Chinese names as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([title for _, title in COLUMNS])
    for row in trace_rows(trace):
        yield writer.writerow([row[key] for key, _ in COLUMNS])


def xlsx_bytes(trace):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    sheet = workbook.add_worksheet("Trace")
    bold = workbook.add_format({"bold": True})
    for col, (_, title) in enumerate(COLUMNS):
        sheet.write_string(0, col, title, bold)
        sheet.set_column(col, col, 18)
    count = 0
    for count, row in enumerate(trace_rows(trace), start=1):
        for col, (key, _) in enumerate(COLUMNS):
            value = row[key]
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(count, col, value)
            else:
                sheet.write_string(count, col, "" if value is None else str(value))
    sheet.autofilter(0, 0, max(count, 1), len(COLUMNS) - 1)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
