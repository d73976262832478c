import pytest

from .factories import AccountFactory, AssignmentFactory, OpportunityFactory


@pytest.mark.django_db
def test_partner_sees_only_its_own_opportunities(api, users, partner_a, partner_b):
    mine = OpportunityFactory(partner=partner_a)
    theirs = OpportunityFactory(partner=partner_b)
    response = api(users["partner_rep"]).get("/api/v1/opportunities/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {mine.id}
    assert theirs.id not in ids
    assert api(users["partner_rep"]).get(f"/api/v1/opportunities/{theirs.id}/").status_code == 404


@pytest.mark.django_db
def test_pages_render_for_each_role(client, users, partner_a):
    account = AccountFactory()
    AssignmentFactory(account=account, partner=partner_a)
    OpportunityFactory(partner=partner_a, account=account)
    for key, user in users.items():
        client.force_login(user)
        assert client.get("/", follow=True).status_code == 200, key
        assert client.get("/accounts/").status_code == 200, key
        assert client.get("/opportunities/").status_code == 200, key
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
