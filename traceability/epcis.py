"""GS1 EPCIS 2.0 JSON(-LD) in and out (DESIGN.md §5.1).

In: a document is checked against `schemas/epcis-2.0.schema.json` (Levee's own schema,
written after the standard's), then each event becomes a Levee event: its type, action,
CBV bizStep and disposition (a non-CBV URI is kept as given), its locations, and one line
per identifier it names. Identifiers:

- LGTIN (`urn:epc:class:lgtin:`, Digital Link `/01/{gtin}/10/{lot}`) and
  `urn:levee:lot:{product_id}:{lot_code}` name a lot;
- SGTIN (`urn:epc:id:sgtin:`, Digital Link `/01/…/21/…`) is an item of its product, in
  its lot when the link names one; a GTIN-only class or an `idpat` is the product;
- SSCC is a logistic unit: an AggregationEvent puts its children in it, and an event that
  names the unit (shipping it) carries its contents as lines of their own;
- SGLN, PGLN and GLN (URN or Digital Link) and `urn:levee:party:{USCC}` name parties.

An identifier that matches nothing stored is kept as a line without a lot (an identifier
node): capture never refuses a valid document for an unknown identifier. Quantities are
converted to the lot's unit (UN/ECE Rec. 20). An event without eventID gets the CBV 2.0
canonical hash (GS1's reference implementation, `epcis-event-hash-generator`).

Out: stored events as an EPCISDocument, each as it was captured (plus its eventID and
recordTime); events recorded through `events/` are rendered from their columns.
"""

import copy
import json
import re
from collections import namedtuple
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote

import biip
import jsonschema_rs
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from epcpy import epc_pure_identity_to_gs1_element_string, get_gs1_key
from stdnum import ean

from .choices import EpcisType, EventKind, LotRole
from .models import Event, Lot, Party, Product

CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "epcis-2.0.schema.json").read_text())
_VALIDATOR = jsonschema_rs.Draft7Validator(SCHEMA)
MAX_REPORTED_ERRORS = 100
MAX_URI = 255  # the columns that keep identifiers and vocabulary values

# CBV 2.0 vocabularies (bare-word form).
BIZ_STEPS = frozenset(SCHEMA["definitions"]["bizStep"]["anyOf"][1]["enum"])
DISPOSITIONS = frozenset(SCHEMA["definitions"]["disposition"]["anyOf"][1]["enum"])
_CBV_FORMS = {
    "BizStep": ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-", "cbv:BizStep-"),
    "Disp": ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-", "cbv:Disp-"),
}
# CBV bizStep -> the Levee kind it records; every other step observes.
STEP_KINDS = {
    "commissioning": EventKind.COMMISSION,
    "creating_class_instance": EventKind.COMMISSION,
    "shipping": EventKind.SHIP,
    "departing": EventKind.SHIP,
    "receiving": EventKind.RECEIVE,
    "arriving": EventKind.RECEIVE,
    "accepting": EventKind.RECEIVE,
    "retail_selling": EventKind.SELL,
    "dispensing": EventKind.SELL,
    "destroying": EventKind.DESTROY,
    "decommissioning": EventKind.DESTROY,
}
KIND_BIZ_STEP = {
    EventKind.COMMISSION: "commissioning",
    EventKind.SHIP: "shipping",
    EventKind.RECEIVE: "receiving",
    EventKind.SELL: "retail_selling",
    EventKind.DESTROY: "destroying",
}

# UN/ECE Rec. 20 codes: (dimension, factor to the dimension's base unit). Levee's lot units
# (free text) are read through LOT_UNITS.
UNITS = {
    "KGM": ("mass", Decimal(1)),
    "GRM": ("mass", Decimal("0.001")),
    "MGM": ("mass", Decimal("0.000001")),
    "TNE": ("mass", Decimal(1000)),
    "LBR": ("mass", Decimal("0.45359237")),
    "ONZ": ("mass", Decimal("0.028349523125")),
    "LTR": ("volume", Decimal(1)),
    "MLT": ("volume", Decimal("0.001")),
    "CLT": ("volume", Decimal("0.01")),
    "DLT": ("volume", Decimal("0.1")),
    "MTQ": ("volume", Decimal(1000)),
    "MTR": ("length", Decimal(1)),
    "CMT": ("length", Decimal("0.01")),
    "MMT": ("length", Decimal("0.001")),
    "KMT": ("length", Decimal(1000)),
    "MTK": ("area", Decimal(1)),
    "H87": ("pieces", Decimal(1)),
    "EA": ("pieces", Decimal(1)),
    "C62": ("pieces", Decimal(1)),
    "PR": ("pieces", Decimal(2)),
    "DZN": ("pieces", Decimal(12)),
}
PIECES = ""  # no uom: a count of instances
LOT_UNITS = {
    "kg": "KGM",
    "g": "GRM",
    "mg": "MGM",
    "t": "TNE",
    "l": "LTR",
    "ml": "MLT",
    "m": "MTR",
    "m2": "MTK",
    "m3": "MTQ",
    "pcs": "H87",
    "pc": "H87",
    "piece": "H87",
    "pieces": "H87",
    "ea": "H87",
    "unit": "H87",
    "units": "H87",
    "件": "H87",
    "个": "H87",
}
_MAX_QUANTITY = Decimal("99999999999.999")
_THOUSANDTH = Decimal("0.001")

EPC_LISTS = {
    # list name -> (role, is a quantity list)
    "epcList": (LotRole.LOT, False),
    "quantityList": (LotRole.LOT, True),
    "childEPCs": (LotRole.LOT, False),
    "childQuantityList": (LotRole.LOT, True),
    "inputEPCList": (LotRole.INPUT, False),
    "inputQuantityList": (LotRole.INPUT, True),
    "outputEPCList": (LotRole.OUTPUT, False),
    "outputQuantityList": (LotRole.OUTPUT, True),
}
CONTENTS = "contents"  # lines an event carries because it names a logistic unit

Line = namedtuple(
    "Line", "lot quantity role epc epc_list uom product node", defaults=("", "", "", None, None)
)
# kind: lot (gtin, code) | levee_lot (product_id, code) | item (gtin, serial) | class (gtin)
# | sscc | other
Ident = namedtuple(
    "Ident", "kind gtin code product_id sscc serial", defaults=(None, None, None, None, None)
)


class CaptureErrors(dict):
    def add(self, index, field, message):
        self.setdefault(f"eventList.{index}.{field}", []).append(message)


# --- the schema ------------------------------------------------------------------------


def schema_errors(document):
    """{attr: [messages]} for a document the EPCIS 2.0 schema refuses (attr names the
    event index and field: `eventList.0.type`); empty when it is valid."""
    errors = {}
    for n, error in enumerate(_VALIDATOR.iter_errors(document)):
        if n >= MAX_REPORTED_ERRORS:
            break
        path = [str(p) for p in error.instance_path]
        if path[:2] == ["epcisBody", "eventList"]:
            path = path[1:]
        message = error.message
        if match := re.match(r'^"([^"]+)" is a required property', message):
            path.append(match.group(1))
        errors.setdefault(".".join(path) or "non_field_errors", []).append(message)
    return errors


# --- vocabularies and identifiers ------------------------------------------------------


def cbv_term(value, vocabulary):
    """The CBV term `value` names ('shipping' for 'urn:epcglobal:cbv:bizstep:shipping',
    'https://ref.gs1.org/cbv/BizStep-shipping' or 'shipping'), or None for a value that is
    not one (a URI of another vocabulary is never read as CBV)."""
    if not isinstance(value, str):
        return None
    terms = BIZ_STEPS if vocabulary == "BizStep" else DISPOSITIONS
    if value in terms:
        return value
    for prefix in _CBV_FORMS[vocabulary]:
        if value.startswith(prefix) and value[len(prefix) :] in terms:
            return value[len(prefix) :]
    return None


def stored_term(value, vocabulary):
    """What a column keeps: the CBV term, or the value as given."""
    if not value:
        return ""
    return cbv_term(value, vocabulary) or value


def _with_check_digit(body):
    return body + ean.calc_check_digit(body)


@lru_cache(maxsize=65536)
def parse_epc(value):
    """What an EPC/EPC class URI or a Digital Link names, as an Ident."""
    if value.startswith("urn:levee:lot:"):
        product_id, _, code = value[len("urn:levee:lot:") :].partition(":")
        if product_id.isdigit() and code:
            return Ident("levee_lot", code=unquote(code), product_id=int(product_id))
        return Ident("other")
    if value.startswith("urn:epc:"):
        return _parse_epc_urn(value)
    if value.startswith(("http://", "https://")):
        return _parse_digital_link(value)
    return Ident("other")


def _parse_epc_urn(value):
    try:
        if value.startswith("urn:epc:class:lgtin:"):
            element_string = epc_pure_identity_to_gs1_element_string(value)
            elements = dict(re.findall(r"\((\d+)\)([^(]*)", element_string))
            return Ident("lot", gtin=elements["01"], code=elements["10"])
        if value.startswith("urn:epc:id:sgtin:"):
            return Ident("item", gtin=get_gs1_key(value), serial=unquote(value.split(".", 2)[2]))
        if value.startswith("urn:epc:idpat:sgtin:"):
            return Ident("class", gtin=get_gs1_key(value.replace(".*", ".0")))
        if value.startswith("urn:epc:id:sscc:"):
            return Ident("sscc", sscc=get_gs1_key(value))
    except Exception:  # epcpy raises assorted errors for malformed URIs: an identifier node
        return Ident("other")
    return Ident("other")


def _parse_digital_link(value):
    if not re.search(r"/(01|00)/\d", value):
        return Ident("other")
    result = biip.parse(value)
    link = result.gs1_digital_link_uri
    if link is None:
        return Ident("other")
    elements = {e.ai.ai: e.value for e in link.element_strings}
    if "00" in elements:
        return Ident("sscc", sscc=elements["00"]) if result.sscc_error is None else Ident("other")
    if "01" not in elements or result.gtin_error is not None:
        return Ident("other")
    gtin = elements["01"].zfill(14)
    if "10" in elements:
        return Ident("lot", gtin=gtin, code=elements["10"])
    if "21" in elements:
        return Ident("item", gtin=gtin, serial=elements["21"])
    return Ident("class", gtin=gtin)


_DIGITAL_LINK = "https://id.gs1.org"


def identifier_node(uri, ident):
    """The trace node of an identifier that names no stored lot: the one thing it names,
    written canonically (GS1 Digital Link for GS1 keys, so the URN and link forms of one
    item meet), or None for a class or pattern: an idpat or a GTIN names every item of a
    product, and following it would join chains that share nothing but the product."""
    if ident.kind == "lot":
        return f"{_DIGITAL_LINK}/01/{ident.gtin}/10/{quote(ident.code, safe='')}"
    if ident.kind == "item":
        return f"{_DIGITAL_LINK}/01/{ident.gtin}/21/{quote(ident.serial, safe='')}"
    if ident.kind == "sscc":
        return f"{_DIGITAL_LINK}/00/{ident.sscc}"
    if ident.kind == "levee_lot":
        return f"urn:levee:lot:{ident.product_id}:{quote(ident.code, safe='')}"
    if ident.kind == "class" or uri.startswith(("urn:epc:idpat:", "urn:epc:class:")):
        return None
    return uri


_LEVEE_PARTY = re.compile(r"^urn:levee:party:([0-9A-Z]{18})$")
_GLN_URN = re.compile(r"^urn:epc:id:(?:sgln|pgln):(\d+)\.(\d*)(?:\.(.*))?$")
_GLN_LINK = re.compile(r"^https?://[^/]+(?:/.*)?/(?:414|417)/(\d{13})")


@lru_cache(maxsize=16384)
def parse_party_identifier(value):
    """('uscc', code) or ('gln', gln13), or None for an identifier of no party."""
    if match := _LEVEE_PARTY.match(value):
        return "uscc", match.group(1)
    if match := _GLN_URN.match(value):
        body = match.group(1) + match.group(2)
        return ("gln", _with_check_digit(body)) if len(body) == 12 else None
    if match := _GLN_LINK.match(value):
        return "gln", match.group(1)
    return None


_URI = re.compile(SCHEMA["definitions"]["uri"]["pattern"])
_EVENT_URN = "urn:levee:event:"


def event_uri(event_id):
    """An eventID for the way out: the id itself when it is a URI, else a Levee URN."""
    return event_id if _URI.match(event_id) else _EVENT_URN + quote(event_id, safe="")


def event_id_from_uri(value):
    """The stored event_id an eventID names (the inverse of `event_uri`)."""
    return unquote(value[len(_EVENT_URN) :]) if value.startswith(_EVENT_URN) else value


def lot_uri(lot):
    gtin = lot.product.gtin
    if gtin:
        return f"https://id.gs1.org/01/{gtin.zfill(14)}/10/{quote(lot.lot_code, safe='')}"
    return f"urn:levee:lot:{lot.product_id}:{quote(lot.lot_code, safe='')}"


def party_uri(party):
    return f"urn:levee:party:{party.uscc}"


# --- units -----------------------------------------------------------------------------


def convert(quantity, uom, lot_unit):
    """`quantity` in `uom` (Rec. 20; '' for a count) expressed in the lot's unit, or None
    when it cannot be (mass into pieces, an unknown code)."""
    target = LOT_UNITS.get(lot_unit.strip().lower(), lot_unit.strip().upper())
    if uom == target or (uom == PIECES and UNITS.get(target, ("",))[0] == "pieces"):
        return quantity
    source = UNITS.get(uom) if uom else ("pieces", Decimal(1))
    goal = UNITS.get(target)
    if source is None or goal is None or source[0] != goal[0]:
        return None
    return quantity * source[1] / goal[1]


def lot_uom(lot_unit):
    """The Rec. 20 code of a lot's unit ('' for pieces or a unit Rec. 20 does not name)."""
    code = LOT_UNITS.get(lot_unit.strip().lower(), lot_unit.strip().upper())
    return "" if code not in UNITS or UNITS[code][0] == "pieces" else code


# --- canonical hash --------------------------------------------------------------------

_CACHED_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def canonical_event_ids(document, events):
    """The CBV 2.0 canonical hash (`ni:///sha-256;…?ver=CBV2.0`) of each event, computed by
    GS1's reference implementation. The EPCIS context is the copy the library ships: a
    capture never fetches anything."""
    from epcis_event_hash_generator import hash_generator, json_to_py

    context = document.get("@context")
    context = context if isinstance(context, list) else [context]
    local = [_CACHED_CONTEXT] + [c for c in context if isinstance(c, dict)]
    stripped = [{k: v for k, v in e.items() if k != "errorDeclaration"} for e in events]
    doc = {"@context": local, "type": "EPCISDocument", "epcisBody": {"eventList": stripped}}
    parsed = json_to_py.event_list_from_epcis_document_json(copy.deepcopy(doc))
    return hash_generator.epcis_hashes_from_events(parsed)


# --- capture ---------------------------------------------------------------------------


def document_events(document):
    """The events of a schema-valid EPCISDocument as Levee events (lots, products and
    parties resolved), the parties they name ({id: (id, uscc, region)}) and the errors
    (units that do not convert), keyed `eventList.{index}.{field}`."""
    errors = CaptureErrors()
    events = document["epcisBody"]["eventList"]
    missing = [e for e in events if not e.get("eventID")]
    hashes = iter(canonical_event_ids(document, missing) if missing else [])
    namespaces = [c for c in _as_list(document.get("@context")) if isinstance(c, dict)]
    drafts = []
    for index, event in enumerate(events):
        event_id = event_id_from_uri(event["eventID"]) if event.get("eventID") else next(hashes)
        drafts.append(_draft(index, event, event_id, namespaces, errors))
    parties = _resolve(drafts, errors)
    _expand_logistic_units(drafts)
    return {d["index"]: d for d in drafts}, parties, errors


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _draft(index, event, event_id, namespaces, errors):
    epcis_type = event["type"]
    step = cbv_term(event.get("bizStep"), "BizStep")
    action = event.get("action", "")
    if epcis_type == EpcisType.TRANSFORMATION:
        kind = EventKind.TRANSFORM
    elif step in STEP_KINDS:
        kind = STEP_KINDS[step]
    elif step is None and epcis_type == EpcisType.OBJECT and action in ("ADD", "DELETE"):
        kind = EventKind.COMMISSION if action == "ADD" else EventKind.DESTROY
    else:
        kind = EventKind.OBSERVE
    stored = dict(event)
    if namespaces and "@context" not in stored:
        stored["@context"] = namespaces  # its extension prefixes, for the way out
    try:
        occurred_at = parse_datetime(event["eventTime"].replace("z", "Z"))
    except ValueError:  # well-formed but impossible (month 13)
        occurred_at = None
    if occurred_at is None:
        errors.add(index, "eventTime", _("An ISO 8601 timestamp with offset."))
    for field, value in (
        ("eventID", event.get("eventID")),
        ("bizStep", event.get("bizStep")),
        ("disposition", event.get("disposition")),
        ("readPoint", (event.get("readPoint") or {}).get("id")),
        ("bizLocation", (event.get("bizLocation") or {}).get("id")),
        ("parentID", event.get("parentID")),
    ):
        if value is not None and len(value) > MAX_URI:
            errors.add(index, field, _("At most %(max)d characters.") % {"max": MAX_URI})
    declaration = event.get("errorDeclaration")
    return {
        "index": index,
        "event_id": event_id,
        "kind": kind,
        "occurred_at": occurred_at,
        "party": None,
        "source": None,
        "destination": None,
        "biz_step": stored_term(event.get("bizStep"), "BizStep"),
        "epcis_type": epcis_type,
        "action": action,
        "disposition": stored_term(event.get("disposition"), "Disp"),
        "read_point": (event.get("readPoint") or {}).get("id", ""),
        "biz_location": (event.get("bizLocation") or {}).get("id", ""),
        "parent_epc": event.get("parentID", ""),
        "document": stored,
        "erroneous": declaration is not None,
        "corrective_event_ids": (declaration or {}).get("correctiveEventIDs", []),
        "withdrawn_at": timezone.now() if declaration is not None else None,
        "withdrawal_reason": _declaration_reason(declaration),
        "declaration": declaration,
        "raw_lines": [(name, entry) for name in EPC_LISTS for entry in event.get(name) or []],
        "party_refs": _party_refs(event),
        "lines": [],
    }


def _declaration_reason(declaration):
    if declaration is None:
        return ""
    return f"EPCIS errorDeclaration: {declaration.get('reason', 'no reason given')}"


def _party_refs(event):
    refs = {}
    for field in ("bizLocation", "readPoint"):
        if event.get(field):
            refs[field] = event[field]["id"]
    for field, key in (("sourceList", "source"), ("destinationList", "destination")):
        for entry in event.get(field) or []:
            # The owning party names the trading partner; else the possessing party, else
            # the location.
            rank = {"owning_party": 0, "possessing_party": 1}.get(_cbv_sdt(entry["type"]), 2)
            if key not in refs or rank < refs[key][0]:
                refs[key] = (rank, entry[key])
    return {k: (v[1] if isinstance(v, tuple) else v) for k, v in refs.items()}


def _cbv_sdt(value):
    for prefix in ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-", "cbv:SDT-"):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def _resolve(drafts, errors):
    idents = {}
    for draft in drafts:
        for name, entry in draft["raw_lines"]:
            uri = entry["epcClass"] if EPC_LISTS[name][1] else entry
            idents[uri] = parse_epc(uri)
    lots, products = _lookup_lots(idents.values())
    parties = _lookup_parties(drafts)
    for draft in drafts:
        _resolve_lines(draft, idents, lots, products, errors)
        _resolve_parties(draft, parties)
    return {p[0]: p for p in parties.values()}


def _lookup_lots(idents):
    gtins = {i.gtin for i in idents if i.gtin}
    codes = {i.code for i in idents if i.kind == "lot"}
    levee = {(i.product_id, i.code) for i in idents if i.kind == "levee_lot"}
    products, lots = {}, {}
    if gtins:
        for pk, gtin in Product.objects.filter(gtin__in=gtins).values_list("id", "gtin"):
            products[gtin.zfill(14)] = pk
    query = Q()
    if codes and gtins:
        query |= Q(lot_code__in=codes, product__gtin__in=gtins)
    if levee:
        query |= Q(lot_code__in={c for _, c in levee}, product_id__in={p for p, _ in levee})
    if query:
        for pk, product_id, gtin, code, unit in Lot.objects.filter(query).values_list(
            "id", "product_id", "product__gtin", "lot_code", "unit"
        ):
            lots[("levee_lot", product_id, code)] = (pk, unit, product_id)
            if gtin:
                lots[("lot", gtin.zfill(14), code)] = (pk, unit, product_id)
    return lots, products


def _lookup_parties(drafts):
    keys = {parse_party_identifier(ref) for d in drafts for ref in d["party_refs"].values()} - {
        None
    }
    usccs = {ref for kind, ref in keys if kind == "uscc"}
    glns = {ref for kind, ref in keys if kind == "gln"}
    found = {}
    if keys:
        rows = Party.objects.filter(Q(uscc__in=usccs) | Q(gln__in=glns)).values_list(
            "id", "uscc", "gln", "region"
        )
        for pk, uscc, gln, region in rows:
            found[("uscc", uscc)] = (pk, uscc, region)
            if gln:
                found[("gln", gln)] = (pk, uscc, region)
    return found


def _resolve_lines(draft, idents, lots, products, errors):
    index = draft["index"]
    for name, n, entry in _numbered(draft["raw_lines"]):
        role, is_quantity = EPC_LISTS[name]
        uri = entry["epcClass"] if is_quantity else entry
        attr = f"{name}.{n}"
        if len(uri) > MAX_URI:
            errors.add(
                index,
                f"{attr}.epcClass" if is_quantity else attr,
                _("At most %(max)d characters.") % {"max": MAX_URI},
            )
            continue
        ident = idents[uri]
        quantity, uom = Decimal(1), PIECES
        if is_quantity:
            uom = entry.get("uom", PIECES)
            try:
                quantity = Decimal(str(entry["quantity"]))
            except InvalidOperation:
                quantity = Decimal(-1)
            attr += ".quantity"
        if not quantity.is_finite() or quantity < 0 or quantity > _MAX_QUANTITY:
            errors.add(index, attr, _("A quantity from 0 to 99999999999.999."))
            continue
        lot = None
        if ident.kind == "lot":
            lot = lots.get(("lot", ident.gtin, ident.code))
        elif ident.kind == "levee_lot":
            lot = lots.get(("levee_lot", ident.product_id, ident.code))
        if lot is None:
            product = products.get(ident.gtin) if ident.gtin else None
            product = product or (ident.product_id if ident.kind == "levee_lot" else None)
            node = identifier_node(uri, ident)
            draft["lines"].append(
                Line(None, _thousandths(quantity), role, uri, name, uom, product, node)
            )
            continue
        lot_id, unit, product = lot
        converted = convert(quantity, uom, unit)
        if converted is None:
            errors.add(
                index,
                f"{name}.{n}.uom" if is_quantity else attr,
                _("Cannot convert %(uom)s into the lot's unit “%(unit)s”.")
                % {"uom": uom or "pieces", "unit": unit},
            )
            continue
        converted = _thousandths(converted)
        if converted == 0 and quantity > 0:
            errors.add(
                index, attr, _("Too small to count in the lot's unit “%(unit)s”.") % {"unit": unit}
            )
            continue
        draft["lines"].append(Line(lot_id, converted, role, uri, name, uom, product))


def _numbered(raw_lines):
    """(list name, place in that list, entry)."""
    seen = {}
    for name, entry in raw_lines:
        n = seen.get(name, 0)
        seen[name] = n + 1
        yield name, n, entry


def _thousandths(value):
    return value.quantize(_THOUSANDTH, rounding=ROUND_HALF_EVEN)


def _resolve_parties(draft, parties):
    resolved = {}
    for field, ref in draft["party_refs"].items():
        party = parties.get(parse_party_identifier(ref))
        resolved[field] = party[0] if party else None
    where = resolved.get("bizLocation") or resolved.get("readPoint")
    kind = draft["kind"]
    if kind == EventKind.SHIP:
        draft["source"] = resolved.get("source") or where
        draft["destination"] = resolved.get("destination")
        where = where or draft["source"]
    elif kind == EventKind.RECEIVE:
        draft["source"] = resolved.get("source")
        draft["destination"] = resolved.get("destination") or where
        where = where or draft["destination"]
    if draft["source"] is not None and draft["source"] == draft["destination"]:
        draft["source"] = None
    draft["party"] = where


def _expand_logistic_units(drafts):
    """An event that names a logistic unit (SSCC) in its epcList carries the unit's
    contents, as the AggregationEvents before it (stored ones and those of this document)
    packed it."""
    units = {
        line.epc
        for d in drafts
        if d["epcis_type"] in (EpcisType.OBJECT, EpcisType.TRANSACTION)
        for line in d["lines"]
        if line.lot is None and parse_epc(line.epc).kind == "sscc"
    }
    if not units:
        return
    packings = []
    stored = (
        Event.objects.filter(
            epcis_type=EpcisType.AGGREGATION, parent_epc__in=units, withdrawn_at__isnull=True
        )
        .prefetch_related("lines")
        .order_by("occurred_at", "id")
    )
    for event in stored:
        lines = [
            Line(x.lot_id, x.quantity, x.role, x.epc, x.epc_list, x.uom, x.product_id, x.node)
            for x in event.lines.all()
        ]
        packings.append((event.occurred_at, event.parent_epc, event.action, lines))
    for d in drafts:
        packed = d["epcis_type"] == EpcisType.AGGREGATION and d["parent_epc"] in units
        if packed and not d["erroneous"] and d["occurred_at"] is not None:
            packings.append((d["occurred_at"], d["parent_epc"], d["action"], d["lines"]))
    packings.sort(key=lambda p: p[0])
    for d in drafts:
        if d["epcis_type"] not in (EpcisType.OBJECT, EpcisType.TRANSACTION):
            continue
        named = {line.epc for line in d["lines"] if line.epc in units}
        for unit in named:
            d["lines"].extend(_contents(unit, d["occurred_at"], packings))


def _contents(unit, at, packings):
    contents = {}
    for occurred_at, parent, action, lines in packings:
        if parent != unit or at is None or occurred_at > at:
            continue
        if action == "ADD":
            for line in lines:
                contents[line.epc] = line
        elif action == "DELETE":
            removed = {line.epc for line in lines}
            contents = {k: v for k, v in contents.items() if removed and k not in removed}
    return [line._replace(role=LotRole.LOT, epc_list=CONTENTS) for line in contents.values()]


# --- query output ----------------------------------------------------------------------


def events_document(events):
    """Stored events (with lines, lots, products and parties loaded) as an EPCISDocument."""
    return {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": timezone.now().isoformat(),
        "epcisBody": {"eventList": [epcis_event(e) for e in events]},
    }


def _offset(value):
    offset = value.strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"


def epcis_event(event):
    if event.document is not None:
        doc = dict(event.document)
        doc["eventID"] = event_uri(event.event_id)
        doc["recordTime"] = event.recorded_at.isoformat()
        if event.withdrawn_at and "errorDeclaration" not in doc:
            doc["errorDeclaration"] = _declaration(event)
        return doc
    return _rendered(event)


def _quantity(line):
    entry = {"epcClass": lot_uri(line.lot), "quantity": float(line.quantity)}
    if uom := lot_uom(line.lot.unit):
        entry["uom"] = uom
    return entry


def _rendered(event):
    occurred = timezone.localtime(event.occurred_at)
    doc = {
        "type": event.epcis_type,
        "eventID": event_uri(event.event_id),
        "eventTime": occurred.isoformat(),
        "eventTimeZoneOffset": _offset(occurred),
        "recordTime": event.recorded_at.isoformat(),
    }
    lines = [line for line in event.lines.all() if line.lot_id is not None]
    if event.kind == EventKind.TRANSFORM:
        doc["inputQuantityList"] = [_quantity(x) for x in lines if x.role == LotRole.INPUT]
        doc["outputQuantityList"] = [_quantity(x) for x in lines if x.role == LotRole.OUTPUT]
    else:
        doc["action"] = event.action or "OBSERVE"
        doc["quantityList"] = [_quantity(x) for x in lines]
    step = event.biz_step if cbv_term(event.biz_step, "BizStep") else KIND_BIZ_STEP.get(event.kind)
    if step:
        doc["bizStep"] = step
    if event.party_id:
        doc["bizLocation"] = {"id": party_uri(event.party)}
    if event.source_id:
        doc["sourceList"] = [{"type": "owning_party", "source": party_uri(event.source)}]
    if event.destination_id:
        doc["destinationList"] = [
            {"type": "owning_party", "destination": party_uri(event.destination)}
        ]
    if event.withdrawn_at:
        doc["errorDeclaration"] = _declaration(event)
    return doc


def _declaration(event):
    """A withdrawn event (retracted, or declared erroneous) as EPCIS says it."""
    declaration = {"declarationTime": event.withdrawn_at.isoformat()}
    if event.corrective_event_ids:
        declaration["correctiveEventIDs"] = event.corrective_event_ids
    return declaration
