import pytest
from django.db.models import Q

from tests.factories import PartyFactory, ProductFactory
from traceability.models import Party, Product


@pytest.mark.django_db
def test_any_of_finds_what_in_finds_for_ids_and_strings():
    parties = PartyFactory.create_batch(4)
    wanted = [parties[0].pk, parties[2].pk, 10**12]
    assert set(Party.objects.filter(id__any_of=wanted)) == {parties[0], parties[2]}
    usccs = [parties[1].uscc, parties[3].uscc, "not-a-code"]
    assert set(Party.objects.filter(uscc__any_of=usccs)) == {parties[1], parties[3]}


@pytest.mark.django_db
def test_an_empty_any_of_matches_nothing_and_drops_out_of_an_or():
    party = PartyFactory()
    assert not Party.objects.filter(id__any_of=[]).exists()
    assert list(Party.objects.filter(Q(id__any_of=[]) | Q(uscc__any_of=[party.uscc]))) == [party]


@pytest.mark.django_db
def test_any_of_works_on_a_foreign_key():
    party = PartyFactory()
    other = PartyFactory()
    product = ProductFactory(producer=party)
    ProductFactory(producer=other)
    assert list(Product.objects.filter(producer_id__any_of=[party.pk])) == [product]
