"""EPCIS 2.0 documents written for these tests after the example documents of the GS1
EPCIS 2.0 repository (its `JSON/` folder): one per example or family of examples, with
the same event types, identifiers, vocabularies and optional fields (the "all possible
fields" examples' extensions, sensors, ilmd and persistent dispositions included). Company
prefixes, serials and lot codes are our own."""

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
NS = {"example": "http://ns.example.com/epcis/"}
EXT = [{"ext1": "http://example.com/ext1/"}, {"ext2": "http://example.com/ext2/"}]


def document(*events, context=None, **extra):
    return {
        "@context": context or [CONTEXT, NS],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-03-01T08:00:00.000+08:00",
        **extra,
        "epcisBody": {"eventList": list(events)},
    }


def _extensions():
    """Nested user extensions, as the 'all possible fields' examples carry them."""
    return {
        "ext1:float": "20",
        "ext1:time": "2023-06-08T14:58:56.591Z",
        "ext1:array": ["12", "22", "true", {"ext1:object": {"ext2:int": "13"}}],
        "ext1:object": {"ext2:array": ["11", "21"], "ext2:object": {"ext2:string": "deep"}},
        "ext1:string": "string",
    }


SENSOR = {
    "sensorMetadata": {
        "time": "2024-02-01T13:05:00.000Z",
        "deviceID": "urn:epc:id:giai:6901234.111",
        "deviceMetadata": "https://id.gs1.org/8004/69012341111",
        "rawData": "https://example.org/raw/69012341111",
        "startTime": "2024-02-01T12:55:01.000Z",
        "endTime": "2024-02-01T13:55:00.000Z",
        "dataProcessingMethod": "https://example.com/gdti/6901234000054987",
        "bizRules": "https://example.com/gdti/6901234000054988",
        "ext1:someFurtherMetadata": "someText",
    },
    "sensorReport": [
        {
            "type": "Temperature",
            "deviceID": "urn:epc:id:giai:6901234.111",
            "time": "2024-02-01T13:00:00.000Z",
            "value": 26,
            "minValue": 25.5,
            "maxValue": 26.2,
            "meanValue": 25.9,
            "sDev": 0.1,
            "percRank": 50,
            "percValue": 25.8,
            "uom": "CEL",
            "component": "x",
            "stringValue": "ok",
            "booleanValue": True,
            "hexBinaryValue": "f0f0f0",
            "uriValue": "https://id.gs1.org/8004/69012341111",
            "microorganism": "https://www.ncbi.nlm.nih.gov/taxonomy/1126011",
            "chemicalSubstance": "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N",
            "coordinateReferenceSystem": "http://www.opengis.net/def/crs/EPSG/0/4979",
            "ext1:someFurtherReportData": "someText",
        },
        {"type": "RelativeHumidity", "value": 40, "uom": "P1", "exception": "ALARM_CONDITION"},
    ],
    "ext1:float": "20",
}

SOURCES = [
    {"type": "location", "source": "urn:epc:id:sgln:6901234.00225.0"},
    {"type": "possessing_party", "source": "urn:epc:id:pgln:6901234.00225"},
    {"type": "owning_party", "source": "urn:epc:id:pgln:6901234.00225"},
]
DESTINATIONS = [
    {"type": "location", "destination": "urn:epc:id:sgln:6909876.00777.0"},
    {"type": "possessing_party", "destination": "urn:epc:id:pgln:6909876.00777"},
    {"type": "owning_party", "destination": "urn:epc:id:pgln:6909876.00777"},
]
TRANSACTIONS = [
    {"type": "po", "bizTransaction": "urn:epc:id:gdti:6901234.00001.1618034"},
    {"type": "pedigree", "bizTransaction": "urn:epc:id:gsrn:6901234.0000010253"},
]


def object_shipping():
    """After Example_9.6.1-ObjectEvent: SGTINs shipped, in transit, SGLN read point."""
    return document(
        {
            "type": "ObjectEvent",
            "eventTime": "2023-04-03T20:33:31.116-06:00",
            "eventTimeZoneOffset": "-06:00",
            "epcList": [
                "urn:epc:id:sgtin:6901234.107346.2017",
                "urn:epc:id:sgtin:6901234.107346.2018",
            ],
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "readPoint": {"id": "urn:epc:id:sgln:6901234.07346.1234"},
            "bizTransactionList": [
                {"type": "po", "bizTransaction": "http://transaction.example.com/po/12345678"}
            ],
        }
    )


def object_with_comment():
    """After Example_9.6.1-with-comment: a comment and an rdfs-style annotation survive."""
    doc = object_shipping()
    event = doc["epcisBody"]["eventList"][0]
    event["epcList"] = ["urn:epc:id:sgtin:6901234.107346.3001"]
    event["example:comment"] = "Only the first SGTIN was read."
    return doc


def object_receiving_quantities():
    """After Example_9.6.2-ObjectEvent: a receipt by quantity (LGTIN, uom) at SGLNs."""
    return document(
        {
            "type": "ObjectEvent",
            "eventTime": "2023-04-04T20:33:31.116-06:00",
            "eventTimeZoneOffset": "-06:00",
            "action": "OBSERVE",
            "bizStep": "receiving",
            "disposition": "in_progress",
            "readPoint": {"id": "urn:epc:id:sgln:6909876.00777.0"},
            "bizLocation": {"id": "urn:epc:id:sgln:6909876.00777.0"},
            "epcList": [],
            "quantityList": [
                {
                    "epcClass": "urn:epc:class:lgtin:6901234.012345.998877",
                    "quantity": 200,
                    "uom": "KGM",
                },
                {"epcClass": "urn:epc:idpat:sgtin:6901234.098765.*", "quantity": 10},
            ],
        }
    )


def aggregation_packing():
    """After Example_9.6.3-AggregationEvent: SGTINs and a quantity packed onto an SSCC."""
    return document(
        {
            "type": "AggregationEvent",
            "eventTime": "2023-06-08T14:58:56.591+02:00",
            "eventTimeZoneOffset": "+02:00",
            "parentID": "urn:epc:id:sscc:6901234.1234567890",
            "childEPCs": [
                "urn:epc:id:sgtin:6901234.107346.2017",
                "urn:epc:id:sgtin:6901234.107346.2018",
            ],
            "childQuantityList": [
                {"epcClass": "urn:epc:idpat:sgtin:6901234.098765.*", "quantity": 10},
                {
                    "epcClass": "urn:epc:class:lgtin:6901234.012345.998877",
                    "quantity": 200.5,
                    "uom": "KGM",
                },
            ],
            "action": "ADD",
            "bizStep": "packing",
            "disposition": "in_progress",
            "readPoint": {"id": "urn:epc:id:sgln:6901234.00777.0"},
        }
    )


def transformation():
    """After Example_9.6.4-TransformationEvent: inputs by EPC and quantity into outputs,
    with ilmd."""
    return document(
        {
            "type": "TransformationEvent",
            "eventTime": "2023-10-31T10:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "inputEPCList": ["urn:epc:id:sgtin:6901234.011111.987"],
            "inputQuantityList": [
                {
                    "epcClass": "urn:epc:class:lgtin:6901234.022222.87545GHGH",
                    "quantity": 500,
                    "uom": "KGM",
                },
                {"epcClass": "urn:epc:class:lgtin:6901234.044444.LOT-A", "quantity": 2},
            ],
            "outputEPCList": ["urn:epc:id:sgtin:6901234.033333.AGHFG"],
            "outputQuantityList": [
                {
                    "epcClass": "urn:epc:class:lgtin:6901234.055555.ZZ9",
                    "quantity": 480.5,
                    "uom": "KGM",
                }
            ],
            "bizStep": "commissioning",
            "disposition": "active",
            "readPoint": {"id": "urn:epc:id:sgln:6901234.07346.0"},
            "ilmd": {"example:bestBeforeDate": "2024-10-31", "example:batch": "XYZ"},
        }
    )


def transactions():
    """After Example-TransactionEvents: a purchase order ADDed to and DELETEd from goods."""
    base = {
        "type": "TransactionEvent",
        "eventTimeZoneOffset": "+01:00",
        "bizTransactionList": [
            {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:6901234000016:PO-1"},
            {"type": "inv", "bizTransaction": "urn:epcglobal:cbv:bt:6901234000016:INV-1"},
        ],
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
        "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:6901234.00001"}],
        "destinationList": [
            {"type": "owning_party", "destination": "urn:epc:id:pgln:6909876.00002"}
        ],
    }
    return document(
        {
            **base,
            "eventTime": "2023-07-03T10:00:00+01:00",
            "action": "ADD",
            "parentID": "urn:epc:id:sscc:6901234.0000000001",
            "epcList": ["urn:epc:id:sgtin:6901234.107346.4001"],
        },
        {**base, "eventTime": "2023-07-04T10:00:00+01:00", "action": "DELETE", "epcList": []},
    )


def source_destination_types():
    """After Example-Type-sourceOrDestination,measurement,bizTransaction: CBV and custom
    source/destination and bizTransaction types, and a sensor measurement."""
    return document(
        {
            "type": "ObjectEvent",
            "eventTime": "2023-03-15T10:00:00+01:00",
            "eventTimeZoneOffset": "+01:00",
            "action": "OBSERVE",
            "bizStep": "https://ref.gs1.org/cbv/BizStep-departing",
            "epcList": ["urn:epc:id:sscc:6901234.0000000002"],
            "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
            "bizTransactionList": [
                {
                    "type": "https://ref.gs1.org/cbv/BTT-desadv",
                    "bizTransaction": "urn:epc:id:gdti:6901234.00001.11",
                },
                {"type": "example:myType", "bizTransaction": "urn:epc:id:gdti:6901234.00001.12"},
            ],
            "sourceList": [
                {
                    "type": "https://ref.gs1.org/cbv/SDT-owning_party",
                    "source": "urn:epc:id:pgln:6901234.00001",
                }
            ],
            "destinationList": [
                {"type": "example:carrier", "destination": "urn:epc:id:pgln:6909876.00003"}
            ],
            "sensorElementList": [
                {"sensorReport": [{"type": "gs1:Temperature", "value": 4, "uom": "CEL"}]}
            ],
        }
    )


def persistent_disposition():
    """After PersistentDisposition-example: persistent dispositions set and unset."""
    return document(
        {
            "type": "ObjectEvent",
            "eventTime": "2023-01-10T10:00:00+01:00",
            "eventTimeZoneOffset": "+01:00",
            "action": "OBSERVE",
            "bizStep": "inspecting",
            "disposition": "conformant",
            "persistentDisposition": {
                "set": ["completeness_verified"],
                "unset": ["completeness_inferred"],
            },
            "epcList": ["urn:epc:id:sgtin:6901234.107346.5001"],
            "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
        }
    )


def with_header():
    """After Example_9.6.1-ObjectEvent-with-pseudo-SBDH-headers: an epcisHeader and the
    document's own id, sender and receiver."""
    return document(
        {
            "type": "ObjectEvent",
            "eventID": "urn:uuid:6f0b3b0c-0a1f-4b1e-9a53-6ad0a5e6f001",
            "eventTime": "2023-04-03T20:33:31.116-06:00",
            "eventTimeZoneOffset": "-06:00",
            "action": "OBSERVE",
            "bizStep": "sampling",
            "epcList": ["urn:epc:id:sgtin:6901234.107346.6001"],
            "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
        },
        id="https://id.example.org/document1",
        sender="urn:epc:id:pgln:6901234.00001",
        receiver="urn:epc:id:pgln:6909876.00002",
        instanceIdentifier="1234567890",
        epcisHeader={"epcisMasterData": {"vocabularyList": []}},
    )


def association(letter):
    """After AssociationEvent-a … -h: sensors (GIAI) associated with assets (GRAI),
    added, observed and deleted, by EPC and by quantity."""
    action = {"a": "ADD", "b": "ADD", "c": "OBSERVE", "d": "DELETE"}.get(letter, "ADD")
    event = {
        "type": "AssociationEvent",
        "eventID": f"urn:uuid:7a1c0000-0000-4000-8000-00000000000{ord(letter) - 96}",
        "eventTime": "2023-11-01T14:00:00.000+01:00",
        "eventTimeZoneOffset": "+01:00",
        "parentID": f"urn:epc:id:grai:6901234.55555.98{ord(letter) - 96}",
        "action": action,
        "bizStep": "assembling" if action == "ADD" else "disassembling",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00002.0"},
    }
    if letter in "abcef":
        event["childEPCs"] = ["urn:epc:id:giai:4000001.12345"]
    if letter in "gh":
        event["childQuantityList"] = [
            {"epcClass": "urn:epc:class:lgtin:6901234.012345.ABC", "quantity": 10}
        ]
    if letter == "e":
        event["bizLocation"] = {"id": "urn:epc:id:sgln:6901234.00002.0"}
    if letter == "f":
        event["sensorElementList"] = [SENSOR]
    return document(event, context=[CONTEXT, NS, *EXT])


def digital_link(kind):
    """After the WithDigitalLinkID examples: the same events named by GS1 Digital Link."""
    if kind == "object":
        return document(
            {
                "type": "ObjectEvent",
                "eventTime": "2023-04-03T20:33:31.116-06:00",
                "eventTimeZoneOffset": "-06:00",
                "epcList": [
                    "https://id.gs1.org/01/06901234567892/21/2017",
                    "https://id.gs1.org/01/06901234567892/10/L1/21/2018",
                ],
                "action": "OBSERVE",
                "bizStep": "https://ref.gs1.org/cbv/BizStep-shipping",
                "disposition": "https://ref.gs1.org/cbv/Disp-in_transit",
                "readPoint": {"id": "https://id.gs1.org/414/6901234000016/254/1234"},
            }
        )
    if kind == "quantity":
        return document(
            {
                "type": "ObjectEvent",
                "eventTime": "2023-04-04T20:33:31.116-06:00",
                "eventTimeZoneOffset": "-06:00",
                "action": "OBSERVE",
                "bizStep": "receiving",
                "quantityList": [
                    {
                        "epcClass": "https://id.gs1.org/01/06901234567892/10/998877",
                        "quantity": 200,
                        "uom": "KGM",
                    },
                    {"epcClass": "https://id.gs1.org/01/06901234567892", "quantity": 5},
                ],
                "bizLocation": {"id": "https://id.gs1.org/414/6901234000016"},
            }
        )
    if kind == "aggregation":
        return document(
            {
                "type": "AggregationEvent",
                "eventTime": "2023-06-08T14:58:56.591+02:00",
                "eventTimeZoneOffset": "+02:00",
                "parentID": "https://id.gs1.org/00/069012341234567897",
                "childEPCs": ["https://id.gs1.org/01/06901234567892/21/2017"],
                "action": "ADD",
                "bizStep": "packing",
                "readPoint": {"id": "https://id.gs1.org/414/6901234000016"},
            }
        )
    return document(
        {
            "type": "TransformationEvent",
            "eventTime": "2023-10-31T10:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "inputQuantityList": [
                {
                    "epcClass": "https://id.gs1.org/01/06901234567892/10/IN1",
                    "quantity": 30,
                    "uom": "KGM",
                }
            ],
            "outputEPCList": ["https://id.gs1.org/01/06901234567892/21/OUT1"],
            "transformationID": "urn:epc:id:gdti:6901234.00001.77",
            "bizStep": "https://example.com/mysteps/blending",
            "readPoint": {"id": "https://id.gs1.org/414/6901234000016"},
        }
    )


def error_declaration():
    """After ErrorDeclarationAndCorrectiveEvent: a declared-erroneous event and the
    corrective event it names."""
    corrective = "urn:uuid:404d95fc-9457-4a51-bd6a-0bba13300002"
    event = {
        "type": "TransformationEvent",
        "eventTime": "2023-01-14T00:00:00+01:00",
        "eventTimeZoneOffset": "+01:00",
        "eventID": "urn:uuid:374d95fc-9457-4a51-bd6a-0bba13300001",
        "inputEPCList": ["urn:epc:id:sgtin:6901234.011111.987"],
        "outputQuantityList": [
            {"epcClass": "urn:epc:idpat:sgtin:6901234.044444.*", "quantity": 452, "uom": "KGM"}
        ],
        "bizStep": "commissioning",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.07346.1234"},
    }
    declared = {
        **event,
        "errorDeclaration": {
            "declarationTime": "2023-01-15T00:00:00+01:00",
            "reason": "incorrect_data",
            "example:vendorExtension": "Test1",
            "correctiveEventIDs": [corrective],
        },
    }
    fixed = {**event, "eventID": corrective, "eventTime": "2023-01-28T00:00:00+01:00"}
    return document(declared, fixed)


def sensor(step="sensor_reporting"):
    """After the WithSensorData examples: sensor reports at a read point, with no EPCs."""
    return document(
        {
            "type": "ObjectEvent",
            "eventTime": "2024-02-01T14:00:00+01:00",
            "eventTimeZoneOffset": "+01:00",
            "action": "OBSERVE",
            "bizStep": step,
            "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
            "sensorElementList": [SENSOR],
        },
        context=[CONTEXT, NS, *EXT],
    )


def all_fields(event_type):
    """After the WithFullCombinationOfFields examples: every field of each event type,
    extensions at every level, no eventID (the canonical hash names it)."""
    common = {
        "type": event_type,
        "eventTime": "2023-04-05T02:33:31.116Z",
        "eventTimeZoneOffset": "-06:00",
        "recordTime": "2023-04-05T02:34:00.000Z",
        "certificationInfo": "https://accreditation-council.example.org/certificate/ABC12345",
        "bizStep": "receiving",
        "disposition": "in_progress",
        "persistentDisposition": {
            "set": ["completeness_verified"],
            "unset": ["completeness_inferred"],
        },
        "readPoint": {"id": "urn:epc:id:sgln:6909876.00777.400"},
        "bizLocation": {"id": "urn:epc:id:sgln:6909876.00777.0"},
        "bizTransactionList": TRANSACTIONS,
        "sourceList": SOURCES,
        "destinationList": DESTINATIONS,
        "sensorElementList": [SENSOR],
        **_extensions(),
    }
    if event_type == "ObjectEvent":
        common |= {
            "action": "ADD",
            "epcList": ["urn:epc:id:sgtin:6901234.107346.2018"],
            "quantityList": [
                {
                    "epcClass": "urn:epc:class:lgtin:6901234.012345.998877",
                    "quantity": 200,
                    "uom": "KGM",
                }
            ],
            "ilmd": {"cbvmda:countryOfOrigin": "CN", "cbvmda:lotNumber": "998877", **_extensions()},
        }
    elif event_type in ("AggregationEvent", "AssociationEvent"):
        common |= {
            "action": "OBSERVE",
            "parentID": "urn:epc:id:sscc:6901234.1234567891"
            if event_type == "AggregationEvent"
            else "urn:epc:id:grai:6901234.55555.1",
            "childEPCs": ["urn:epc:id:sgtin:6901234.107346.2019"],
            "childQuantityList": [
                {"epcClass": "urn:epc:idpat:sgtin:6901234.098765.*", "quantity": 10}
            ],
        }
    elif event_type == "TransactionEvent":
        common |= {
            "action": "OBSERVE",
            "parentID": "urn:epc:id:sscc:6901234.1234567892",
            "epcList": ["urn:epc:id:sgtin:6901234.107346.2020"],
            "quantityList": [
                {
                    "epcClass": "urn:epc:class:lgtin:6901234.012345.998877",
                    "quantity": 20,
                    "uom": "KGM",
                }
            ],
        }
    else:
        common.pop("bizTransactionList")
        common |= {
            "bizTransactionList": TRANSACTIONS,
            "inputEPCList": ["urn:epc:id:sgtin:6901234.107346.2021"],
            "inputQuantityList": [
                {
                    "epcClass": "urn:epc:class:lgtin:6901234.012345.998877",
                    "quantity": 30,
                    "uom": "KGM",
                }
            ],
            "outputEPCList": ["urn:epc:id:sgtin:6901234.033333.OUT"],
            "outputQuantityList": [
                {"epcClass": "urn:epc:class:lgtin:6901234.055555.OUT", "quantity": 29, "uom": "KGM"}
            ],
            "transformationID": "urn:epc:id:gdti:6901234.00001.78",
            "ilmd": {"cbvmda:countryOfOrigin": "CN", **_extensions()},
        }
    return document(common, context=[CONTEXT, NS, *EXT, {"cbvmda": "urn:epcglobal:cbv:mda:"}])


def official_examples():
    """(name, document) for every example family of the GS1 repository."""
    docs = [
        ("object_shipping", object_shipping()),
        ("object_with_comment", object_with_comment()),
        ("object_receiving_quantities", object_receiving_quantities()),
        ("aggregation_packing", aggregation_packing()),
        ("transformation", transformation()),
        ("transactions", transactions()),
        ("source_destination_types", source_destination_types()),
        ("persistent_disposition", persistent_disposition()),
        ("with_header", with_header()),
        ("error_declaration", error_declaration()),
        ("sensor_reporting", sensor()),
        ("sensor_transporting", sensor("transporting")),
    ]
    docs += [(f"association_{x}", association(x)) for x in "abcdefgh"]
    docs += [
        (f"digital_link_{k}", digital_link(k))
        for k in ("object", "quantity", "aggregation", "transformation")
    ]
    docs += [
        (f"all_fields_{t}", all_fields(t))
        for t in (
            "ObjectEvent",
            "AggregationEvent",
            "AssociationEvent",
            "TransactionEvent",
            "TransformationEvent",
        )
    ]
    return docs
