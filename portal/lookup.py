"""What a consumer sends to the lookup: a GTIN (and lot) or a GS1 Digital Link, read into
the 14-digit GTIN and the lot code, or refused with the field that is wrong."""

from dataclasses import dataclass

from biip import ParseError
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from django.utils.translation import gettext as _
from stdnum import ean
from stdnum.exceptions import ValidationError as StdnumError

from core.exceptions import ApplicationError

MAX_LINK = 2000


@dataclass(frozen=True)
class ProductQuery:
    gtin: str  # GTIN-14
    lot_code: str | None


def _gtin14(value, attr):
    try:
        return ean.validate(value).zfill(14)
    except StdnumError as exc:
        raise ApplicationError(
            _("'%(value)s' is not a valid GTIN: %(exc)s") % {"value": value, "exc": exc},
            code="invalid_gtin",
            attr=attr,
        ) from exc


def parse_query(*, gtin=None, lot=None, link=None):
    if link is not None and (gtin is not None or lot is not None):
        raise ApplicationError(_("Send either a link or a GTIN (and lot), not both."), attr="link")
    if link is not None:
        return _from_link(link)
    if not gtin:
        raise ApplicationError(_("Send a GTIN (gtin=) or a GS1 Digital Link (link=)."), attr="gtin")
    lot = (lot or "").strip()
    if len(lot) > 64:
        raise ApplicationError(_("A lot code has at most 64 characters."), attr="lot")
    return ProductQuery(gtin=_gtin14(gtin.strip(), "gtin"), lot_code=lot or None)


def _from_link(link):
    link = link.strip()
    if not link or len(link) > MAX_LINK:
        raise ApplicationError(
            _("The link is empty or too long."), code="invalid_link", attr="link"
        )
    try:
        parsed = GS1DigitalLinkURI.parse(link)
    except (ParseError, ValueError) as exc:
        raise ApplicationError(
            _("Not a GS1 Digital Link: %(exc)s") % {"exc": exc}, code="invalid_link", attr="link"
        ) from exc
    values = {element.ai.ai: element.value for element in parsed.element_strings}
    if "01" not in values:
        raise ApplicationError(
            _("The link names no GTIN (/01/...)."), code="invalid_link", attr="link"
        )
    return ProductQuery(gtin=_gtin14(values["01"], "link"), lot_code=values.get("10") or None)
