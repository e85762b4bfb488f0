import pytest

from traceability.selectors import lot_trace

from .factories import transform

pytestmark = pytest.mark.django_db


def _parties(result):
    return {p["name"]: p["quantity"] for p in result["parties"]}


def test_forward_trace_follows_a_transformation_and_a_return(chain):
    result = lot_trace(lot_ids=[chain["flour"].id], direction="forward")
    lot_codes = {n["lot_code"] for n in result["nodes"] if n["type"] == "lot"}
    assert lot_codes == {"F1", "C1"}
    # the mill received 300 flour and 100 returned cakes; the shop 600 cakes
    assert _parties(result) == {"Mill": 400, "Shop": 600}
    kinds = sorted(e["kind"] for e in result["edges"])
    assert kinds == ["commission", "ship", "ship", "ship", "transform"]
    transform_edge = next(e for e in result["edges"] if e["kind"] == "transform")
    assert (transform_edge["from"], transform_edge["to"]) == (
        f"lot:{chain['flour'].id}",
        f"lot:{chain['cake'].id}",
    )
    assert transform_edge["input_quantity"] == 300 and transform_edge["quantity"] == 1000


def test_backward_trace_lists_inputs_and_their_suppliers(chain):
    result = lot_trace(lot_ids=[chain["cake"].id], direction="backward")
    lot_codes = {n["lot_code"] for n in result["nodes"] if n["type"] == "lot"}
    assert lot_codes == {"C1", "F1", "S1"}
    parties = _parties(result)
    assert parties["Sugar"] == 50
    assert parties[chain["producer"].name] == 300
    # the mill shipped 600 cakes; the shop supplied the 100 it returned
    assert parties["Mill"] == 600 and parties["Shop"] == 100
    party_node = next(n for n in result["nodes"] if n["type"] == "party")
    assert set(party_node) >= {"id", "uscc", "name", "kind", "region"}


def test_max_depth_bounds_the_transformations_followed(chain):
    assert {
        n["lot_code"]
        for n in lot_trace(lot_ids=[chain["flour"].id], max_depth=0)["nodes"]
        if n["type"] == "lot"
    } == {"F1"}


def test_a_transformation_cycle_terminates(chain):
    # the cake is reworked into flour again: F -> C -> F
    transform(chain["mill"], inputs=[(chain["cake"], 10)], outputs=[(chain["flour"], 5)])
    result = lot_trace(lot_ids=[chain["flour"].id], max_depth=50)
    assert {n["lot_code"] for n in result["nodes"] if n["type"] == "lot"} == {"F1", "C1"}
    assert result["max_depth"] == 50


def test_no_lots_is_an_empty_trace():
    assert lot_trace(lot_ids=[])["nodes"] == []
