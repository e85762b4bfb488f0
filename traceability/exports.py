"""The trace as a sortable spreadsheet, one row per movement, with the key data elements
of FDA FSMA 204 (traceability lot code and its source, product, quantity and unit of
measure, locations of source and destination, date). Written by core.spreadsheets."""

from django.utils.dateparse import parse_datetime

from core import spreadsheets

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
TITLES = [title for _, title in COLUMNS]


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
            "event_date": parse_datetime(edge["date"]) if edge["date"] else None,
            "event_type": edge["kind"],
            "event_id": edge["event_id"],
            "traceability_lot_code": edge["lot_code"] or edge.get("identifier") or "",
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
            "input_lot_code": edge.get("input_lot_code") or edge.get("input_identifier") or "",
            "input_quantity": edge.get("input_quantity", ""),
            "depth": edge["depth"],
            "confirmed": "yes" if edge["confirmed"] else "no",
        }


def csv_response(name, trace):
    return spreadsheets.csv_response(name, TITLES, _values(trace))


def xlsx_response(name, trace):
    return spreadsheets.xlsx_response(name, TITLES, _values(trace), sheet_name="Trace")


def _values(trace):
    return ([row[key] for key, _ in COLUMNS] for row in trace_rows(trace))
