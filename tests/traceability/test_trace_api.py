import csv
import io

import openpyxl
import pytest

from tests.factories import LotFactory, PartyFactory, ProductFactory

from .factories import receive, ship

pytestmark = pytest.mark.django_db


def _url(lot, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/traceability/lots/{lot.id}/trace/?{query}"


def test_forward_trace_shows_the_whole_chain_across_regions(api, regulator, chain):
    response = api.as_(regulator).get(_url(chain["flour"], direction="forward"))
    assert response.status_code == 200
    body = response.json()
    assert {p["name"]: p["quantity"] for p in body["parties"]} == {"Mill": 400, "Shop": 600}
    shop = next(p for p in body["parties"] if p["name"] == "Shop")
    assert set(shop) == {"id", "uscc", "name", "kind", "region", "quantity", "confirmed"}
    assert shop["region"] == "310000"


def test_backward_trace_and_max_depth_over_the_api(api, admin_user, chain):
    client = api.as_(admin_user)
    body = client.get(_url(chain["cake"], direction="backward", max_depth=0)).json()
    assert {n["lot_code"] for n in body["nodes"] if n["type"] == "lot"} == {"C1"}
    body = client.get(_url(chain["cake"], direction="backward")).json()
    assert {n["lot_code"] for n in body["nodes"] if n["type"] == "lot"} == {"C1", "F1", "S1"}


def test_regulator_may_trace_a_lot_held_in_their_region(api, regulator, regulator_other, chain):
    # the cake's producer (the mill) is in Shanghai; nothing of it was held in Beijing
    assert api.as_(regulator).get(_url(chain["cake"])).status_code == 404
    assert api.as_(regulator_other).get(_url(chain["cake"])).status_code == 200
    beijing_shop = PartyFactory(region="110105", kind="retailer")
    ship(chain["cake"], 5, chain["retailer"], beijing_shop)
    # custody is confirmed only once the shop says it received what the retailer shipped
    assert api.as_(regulator).get(_url(chain["cake"])).status_code == 404
    receive(chain["cake"], 5, chain["retailer"], beijing_shop)
    assert api.as_(regulator).get(_url(chain["cake"])).status_code == 200


def test_only_regulators_admins_and_the_producer_trace(api, enterprise, inspector, lab_user, chain):
    for user in (inspector, lab_user):
        assert api.as_(user).get(_url(chain["flour"])).status_code == 403
    # An enterprise traces only the lots it made (tests/portal/test_enterprise_trace.py).
    assert api.as_(enterprise).get(_url(chain["flour"])).status_code == 200
    assert api.as_(enterprise).get(_url(chain["cake"])).status_code == 404


@pytest.mark.parametrize(
    "params", [{"direction": "sideways"}, {"max_depth": "x"}, {"max_depth": 51}, {"max_depth": -1}]
)
def test_bad_trace_parameters_are_400(api, admin_user, chain, params):
    assert api.as_(admin_user).get(_url(chain["flour"], **params)).status_code == 400


def test_an_unknown_lot_is_404(api, admin_user):
    assert api.as_(admin_user).get("/api/v1/traceability/lots/999999/trace/").status_code == 404


def test_csv_export_is_one_row_per_movement(api, admin_user, chain):
    response = api.as_(admin_user).get(_url(chain["flour"], format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5  # commission, ship, transform, ship, return
    assert {r["Critical tracking event"] for r in rows} == {"commission", "ship", "transform"}
    shipment = next(r for r in rows if r["Shipped to"] == "Shop")
    assert shipment["Traceability lot code"] == "C1" and shipment["Quantity"] == "600"
    assert shipment["Shipped from"] == "Mill"


def test_xlsx_export_opens_in_openpyxl(api, admin_user, chain):
    response = api.as_(admin_user).get(_url(chain["cake"], direction="backward", format="xlsx"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert "Traceability lot code" in header and "Unit of measure" in header
    assert sheet.max_row > 1 and sheet.auto_filter.ref


def test_trace_of_a_lot_with_no_events(api, admin_user, party):
    lot = LotFactory(product=ProductFactory(producer=party))
    body = api.as_(admin_user).get(_url(lot)).json()
    assert body["edges"] == [] and body["parties"] == []
    assert [n["id"] for n in body["nodes"] if n["type"] == "lot"] == [lot.id]
