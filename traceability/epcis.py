"""GS1 EPCIS 2.0 JSON(-LD) in and out.

In: an EPCISDocument's `epcisBody.eventList` (ObjectEvent, AggregationEvent,
TransactionEvent, TransformationEvent) becomes Levee events; CBV bizSteps map onto event
kinds. Lots are named by GS1 Digital Link (`https://id.gs1.org/01/{GTIN}/10/{lot}`), LGTIN
URN (`urn:epc:class:lgtin:{company prefix}.{indicator+item ref}.{lot}`) or
`urn:levee:lot:{product_id}:{lot_code}`; parties by `urn:levee:party:{USCC}` or an SGLN /
PGLN whose GLN a party stores. Identifiers are resolved with set-based queries.

Out: stored events as an EPCISDocument, lots named by Digital Link when their product has
a GTIN.
"""

import hashlib
import json
import re
from urllib.parse import quote, unquote

from django.db.models import Q
from django.utils import timezone
from stdnum import ean

from .choices import EventKind, LotRole
from .models import Lot, Party

CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent")

# CBV 2.0 bizStep -> Levee kind.
BIZ_STEPS = {
    "commissioning": EventKind.COMMISSION,
    "creating_class_instance": EventKind.COMMISSION,
    "packing": EventKind.COMMISSION,
    "shipping": EventKind.SHIP,
    "departing": EventKind.SHIP,
    "receiving": EventKind.RECEIVE,
    "arriving": EventKind.RECEIVE,
    "accepting": EventKind.RECEIVE,
    "transforming": EventKind.TRANSFORM,
    "retail_selling": EventKind.SELL,
    "dispensing": EventKind.SELL,
    "destroying": EventKind.DESTROY,
    "decommissioning": EventKind.DESTROY,
    "disposing": EventKind.DESTROY,
}
KIND_BIZ_STEP = {
    EventKind.COMMISSION: "commissioning",
    EventKind.SHIP: "shipping",
    EventKind.RECEIVE: "receiving",
    EventKind.TRANSFORM: "transforming",
    EventKind.SELL: "retail_selling",
    EventKind.DESTROY: "destroying",
}
# Units of measure: UN/CEFACT Rec. 20 codes <-> Levee's free-text units.
UOM = {"kg": "KGM", "g": "GRM", "t": "TNE", "l": "LTR", "ml": "MLT", "m": "MTR"}

_DIGITAL_LINK = re.compile(r"^https?://[^/]+(?:/.*)?/01/(\d{8,14})/10/([^/?#]+)")
_LGTIN = re.compile(r"^urn:epc:class:lgtin:(\d+)\.(\d+)\.(.+)$")
_LEVEE_LOT = re.compile(r"^urn:levee:lot:(\d+):(.+)$")
_LEVEE_PARTY = re.compile(r"^urn:levee:party:([0-9A-Z]{18})$")
_SGLN = re.compile(r"^urn:epc:id:(?:sgln|pgln):(\d+)\.(\d*)(?:\.(.*))?$")
_GLN_LINK = re.compile(r"^https?://[^/]+(?:/.*)?/(?:414|417)/(\d{13})")


class CaptureErrors(dict):
    def add(self, index, field, message):
        self.setdefault(f"eventList.{index}.{field}", []).append(message)


def biz_step_name(value):
    """'urn:epcglobal:cbv:bizstep:shipping', 'https://ref.gs1.org/cbv/BizStep-shipping',
    'cbv:BizStep-shipping' and 'shipping' all name 'shipping'."""
    if not isinstance(value, str):
        return ""
    return re.split(r"[:/]|BizStep-", value)[-1].strip().lower()


def parse_lot_identifier(value):
    """('gtin', gtin14, lot_code) or ('product', product_id, lot_code), or None."""
    if not isinstance(value, str):
        return None
    if match := _DIGITAL_LINK.match(value):
        return "gtin", match.group(1).zfill(14), unquote(match.group(2))
    if match := _LGTIN.match(value):
        prefix, item_ref, lot = match.groups()
        body = item_ref[:1] + prefix + item_ref[1:]
        if len(body) != 13:
            return None
        return "gtin", body + ean.calc_check_digit(body), unquote(lot)
    if match := _LEVEE_LOT.match(value):
        return "product", int(match.group(1)), unquote(match.group(2))
    return None


def parse_party_identifier(value):
    """('uscc', code) or ('gln', gln13), or None."""
    if not isinstance(value, str):
        return None
    if match := _LEVEE_PARTY.match(value):
        return "uscc", match.group(1)
    if match := _SGLN.match(value):
        body = match.group(1) + match.group(2)
        if len(body) != 12:
            return None
        return "gln", body + ean.calc_check_digit(body)
    if match := _GLN_LINK.match(value):
        return "gln", match.group(1)
    return None


def lot_uri(lot):
    gtin = lot.product.gtin
    if gtin:
        return f"https://id.gs1.org/01/{gtin.zfill(14)}/10/{quote(lot.lot_code, safe='')}"
    return f"urn:levee:lot:{lot.product_id}:{quote(lot.lot_code, safe='')}"


def party_uri(party):
    return f"urn:levee:party:{party.uscc}"


# --- capture ---------------------------------------------------------------------------


def document_events(document):
    """The events of an EPCISDocument as Levee event dicts (lots and parties as ids),
    with every identifier problem reported by event index and field."""
    errors = CaptureErrors()
    body = document.get("epcisBody") if isinstance(document, dict) else None
    events = body.get("eventList") if isinstance(body, dict) else None
    if not isinstance(events, list):
        errors["epcisBody.eventList"] = ["An EPCISDocument with epcisBody.eventList is required."]
        return [], errors
    drafts = [_draft(index, event, errors) for index, event in enumerate(events)]
    _resolve(drafts, errors)
    return [d["event"] for d in drafts if d is not None], errors


def _draft(index, event, errors):
    if not isinstance(event, dict):
        errors.add(index, "type", "Expected an EPCIS event object.")
        return None
    event_type = event.get("type")
    if event_type not in EVENT_TYPES:
        errors.add(index, "type", f"One of {', '.join(EVENT_TYPES)}.")
        return None
    step = biz_step_name(event.get("bizStep"))
    if event_type == "TransformationEvent":
        kind = EventKind.TRANSFORM
    elif step in BIZ_STEPS and BIZ_STEPS[step] != EventKind.TRANSFORM:
        kind = BIZ_STEPS[step]
    elif event_type == "ObjectEvent" and event.get("action") == "ADD":
        kind = EventKind.COMMISSION
    elif event_type == "ObjectEvent" and event.get("action") == "DELETE":
        kind = EventKind.DESTROY
    else:
        errors.add(index, "bizStep", f"Unsupported bizStep '{event.get('bizStep')}'.")
        return None

    lines = []
    if kind == EventKind.TRANSFORM:
        lines += _lines(index, event, "inputQuantityList", "inputEPCList", LotRole.INPUT, errors)
        lines += _lines(index, event, "outputQuantityList", "outputEPCList", "output", errors)
    else:
        quantities = "childQuantityList" if event_type == "AggregationEvent" else "quantityList"
        epcs = "childEPCs" if event_type == "AggregationEvent" else "epcList"
        lines += _lines(index, event, quantities, epcs, LotRole.LOT, errors)

    parties = {}
    for field in ("bizLocation", "readPoint"):
        value = event.get(field)
        ref = value.get("id") if isinstance(value, dict) else None
        if ref is not None:
            parties[field] = _party_ref(index, field, ref, errors)
    for field, key in (("sourceList", "source"), ("destinationList", "destination")):
        entries = event.get(field) or []
        if not isinstance(entries, list):
            errors.add(index, field, "A list of {type, source|destination}.")
            continue
        for n, entry in enumerate(entries):
            ref = entry.get(key) if isinstance(entry, dict) else None
            if ref is None:
                errors.add(index, f"{field}.{n}", f"Each entry needs '{key}'.")
                continue
            # The owning party names the trading partner; a location only when no owner.
            if str(entry.get("type", "")).endswith("owning_party") or key not in parties:
                parties[key] = _party_ref(index, f"{field}.{n}.{key}", ref, errors)

    return {
        "index": index,
        "lines": lines,
        "parties": parties,
        "event": {
            "event_id": event.get("eventID") or _hash_id(event),
            "kind": kind,
            "occurred_at": event.get("eventTime"),
            "biz_step": step[:64],
        },
    }


def _hash_id(event):
    """A stable id for an event sent without eventID (after EPCIS 2.0's hash ids)."""
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"ni:///sha-256;{hashlib.sha256(canonical.encode()).hexdigest()}?ver=CBV2.0"


def _lines(index, event, quantity_field, epc_field, role, errors):
    lines = []
    entries = event.get(quantity_field) or []
    if not isinstance(entries, list):
        errors.add(index, quantity_field, "A list of {epcClass, quantity}.")
        entries = []
    for n, entry in enumerate(entries):
        attr = f"{quantity_field}.{n}.epcClass"
        ident = parse_lot_identifier(entry.get("epcClass") if isinstance(entry, dict) else None)
        if ident is None:
            errors.add(index, attr, f"Unknown lot identifier '{_get(entry, 'epcClass')}'.")
            continue
        lines.append({"ident": ident, "quantity": entry.get("quantity"), "role": role, "at": attr})
    epcs = event.get(epc_field) or []
    for n, epc in enumerate(epcs if isinstance(epcs, list) else [epcs]):
        attr = f"{epc_field}.{n}"
        ident = parse_lot_identifier(epc)
        if ident is None:
            errors.add(index, attr, f"Unknown lot identifier '{epc}'.")
            continue
        lines.append({"ident": ident, "quantity": 1, "role": role, "at": attr})
    return lines


def _get(entry, key):
    return entry.get(key) if isinstance(entry, dict) else entry


def _party_ref(index, field, value, errors):
    ident = parse_party_identifier(value)
    if ident is None:
        errors.add(index, field, f"Unknown party identifier '{value}'.")
    return {"ident": ident, "at": field, "raw": value}


def _resolve(drafts, errors):
    drafts = [d for d in drafts if d is not None]
    lot_keys = {line["ident"] for d in drafts for line in d["lines"]}
    codes = {code for _, _, code in lot_keys}
    gtins = {ref for kind, ref, _ in lot_keys if kind == "gtin"}
    products = {ref for kind, ref, _ in lot_keys if kind == "product"}
    lots = {}
    if lot_keys:
        found = Lot.objects.filter(lot_code__in=codes).filter(
            Q(product__gtin__in=gtins) | Q(product_id__in=products)
        )
        for pk, product_id, gtin, code in found.values_list(
            "id", "product_id", "product__gtin", "lot_code"
        ):
            lots[("product", product_id, code)] = pk
            if gtin:
                lots[("gtin", gtin.zfill(14), code)] = pk

    party_keys = {
        p["ident"] for d in drafts for p in d["parties"].values() if p["ident"] is not None
    }
    usccs = {ref for kind, ref in party_keys if kind == "uscc"}
    glns = {ref for kind, ref in party_keys if kind == "gln"}
    parties = {}
    if party_keys:
        for pk, uscc, gln in Party.objects.filter(Q(uscc__in=usccs) | Q(gln__in=glns)).values_list(
            "id", "uscc", "gln"
        ):
            parties[("uscc", uscc)] = pk
            if gln:
                parties[("gln", gln)] = pk

    for draft in drafts:
        index, event = draft["index"], draft["event"]
        fields = {"lot": "lots", "input": "inputs", "output": "outputs"}
        for line in draft["lines"]:
            lot = lots.get(line["ident"])
            if lot is None:
                errors.add(index, line["at"], f"No lot {_describe(line['ident'])}.")
                continue
            event.setdefault(fields[line["role"]], []).append(
                {"lot": lot, "quantity": line["quantity"]}
            )
        resolved = {}
        for key, ref in draft["parties"].items():
            if ref["ident"] is None:
                continue
            party = parties.get(ref["ident"])
            if party is None:
                errors.add(index, ref["at"], f"No party '{ref['raw']}'.")
            resolved[key] = party
        kind = event["kind"]
        where = resolved.get("bizLocation") or resolved.get("readPoint")
        if kind == EventKind.SHIP:
            event["source"] = resolved.get("source") or where
            event["destination"] = resolved.get("destination")
            where = where or event["source"]
        elif kind == EventKind.RECEIVE:
            event["source"] = resolved.get("source")
            event["destination"] = resolved.get("destination") or where
            where = where or event["destination"]
        event["party"] = where
        if where is None and not any(k.startswith(f"eventList.{index}.") for k in errors):
            errors.add(index, "bizLocation", "Name the party: bizLocation or readPoint.")


def _describe(ident):
    kind, ref, code = ident
    return f"{code} of GTIN {ref}" if kind == "gtin" else f"{code} of product {ref}"


# --- export ----------------------------------------------------------------------------


def events_document(events):
    """Stored events (with lines, lots, products and parties loaded) as an EPCISDocument."""
    return {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": timezone.now().isoformat(),
        "epcisBody": {"eventList": [_epcis_event(e) for e in events]},
    }


def _quantity(line):
    entry = {"epcClass": lot_uri(line.lot), "quantity": float(line.quantity)}
    if line.lot.unit in UOM:
        entry["uom"] = UOM[line.lot.unit]
    return entry


def _epcis_event(event):
    occurred = timezone.localtime(event.occurred_at)
    offset = occurred.strftime("%z")
    doc = {
        "eventID": event.event_id,
        "eventTime": occurred.isoformat(),
        "eventTimeZoneOffset": f"{offset[:3]}:{offset[3:]}",
        "bizStep": event.biz_step
        if event.biz_step in BIZ_STEPS and BIZ_STEPS[event.biz_step] == event.kind
        else KIND_BIZ_STEP[event.kind],
        "bizLocation": {"id": party_uri(event.party)},
    }
    lines = list(event.lines.all())
    if event.kind == EventKind.TRANSFORM:
        doc["type"] = "TransformationEvent"
        doc["inputQuantityList"] = [_quantity(x) for x in lines if x.role == LotRole.INPUT]
        doc["outputQuantityList"] = [_quantity(x) for x in lines if x.role == LotRole.OUTPUT]
    else:
        doc["type"] = "ObjectEvent"
        doc["action"] = {EventKind.COMMISSION: "ADD", EventKind.DESTROY: "DELETE"}.get(
            event.kind, "OBSERVE"
        )
        doc["epcList"] = []
        doc["quantityList"] = [_quantity(x) for x in lines]
    if event.source_id:
        doc["sourceList"] = [
            {"type": "owning_party", "source": party_uri(event.source)},
        ]
    if event.destination_id:
        doc["destinationList"] = [
            {"type": "owning_party", "destination": party_uri(event.destination)},
        ]
    return {"type": doc.pop("type"), **doc}
