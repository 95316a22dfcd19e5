"""Learning resources: 1-3 per submission, duplicates by normalised URL, moderation, search."""

import pytest
from django.db import IntegrityError, transaction

from curriculum import services
from curriculum.models import LearningResource, ResourceSubmission
from curriculum.normalise import normalise_url
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.notifications.models import Notification
from tests.builders.curriculum import resource_item, submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("url", "normal"), [
    ("HTTPS://Example.ORG/Path/", "https://example.org/Path"),
    ("https://example.org:443/a", "https://example.org/a"),
    ("http://example.org:80/a", "http://example.org/a"),
    ("http://example.org:8080/a", "http://example.org:8080/a"),
    ("https://example.org/a?utm_source=x&b=2&fbclid=1&a=1&gclid=2&mc_cid=3&mc_eid=4&UTM_Medium=y#part",
     "https://example.org/a?a=1&b=2"),
    ("https://example.org/", "https://example.org"),
    ("https://example.org", "https://example.org"),
])
def test_url_normalisation(url, normal):
    assert normalise_url(url) == normal


def test_a_submission_of_one_to_three_items(api, trainee):
    client = api.as_user(trainee)
    response = client.post("/api/v1/resources/submissions/",
                           {"items": [resource_item(1), resource_item(2), resource_item(3)]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["submitted_by"] == trainee.pk and len(body["items"]) == 3
    assert {i["status"] for i in body["items"]} == {"pending"} and body["items"][0]["topics"] == ["docking"]
    assert AuditEntry.objects.filter(action="resource.submit", object_id=str(body["id"])).exists()


@pytest.mark.parametrize("count", [0, 4])
def test_zero_or_four_items_are_refused(api, trainee, count):
    response = api.as_user(trainee).post("/api/v1/resources/submissions/",
                                         {"items": [resource_item(n) for n in range(count)]}, format="json")
    assert response.status_code == 400
    assert "items" in response.json()
    assert ("at least one" if count == 0 else "at most 3") in response.json()["items"][0]
    with pytest.raises(ApplicationError):
        services.resource_submit(submitted_by=trainee, items=[resource_item(n) for n in range(count)])
    assert not ResourceSubmission.objects.exists()


def test_item_errors_are_reported_per_item(api, trainee):
    response = api.as_user(trainee).post("/api/v1/resources/submissions/", {"items": [
        resource_item(1),
        resource_item(2, url="ftp://files.example.org/x", open_access_confirmed=False,
                      description="Patient NHS number 943 476 5919"),
    ]}, format="json")
    assert response.status_code == 400
    first, second = response.json()["items"]
    assert first == {}
    assert set(second) == {"url", "open_access_confirmed", "description"}
    assert not LearningResource.objects.exists()


def test_a_url_already_in_the_catalogue_is_a_409_naming_it(api, trainee, other_trainee, admin):
    existing = submit(trainee, resource_item(1, url="https://Learning.example.org/robotics/guide-1/?utm_source=x"))
    resource = existing.items.get()
    services.resource_approve(actor=admin, resource=resource)
    response = api.as_user(other_trainee).post("/api/v1/resources/submissions/", {"items": [
        resource_item(5), resource_item(6, url="https://learning.example.org:443/robotics/guide-1#top"),
    ]}, format="json")
    assert response.status_code == 409
    first, second = response.json()["items"]
    assert first == {}
    assert f"resource {resource.pk}" in second["url"][0] and resource.title in second["url"][0]
    assert LearningResource.objects.count() == 1


def test_the_same_url_twice_in_one_submission_is_a_duplicate(trainee):
    with pytest.raises(Conflict) as exc:
        submit(trainee, resource_item(1), resource_item(2, url="https://learning.example.org/robotics/guide-1/"))
    assert exc.value.errors["items"][1]["url"] == ["The same resource as item 1 of this submission."]


def test_a_rejected_url_can_be_suggested_again(admin, trainee):
    resource = submit(trainee, resource_item(1)).items.get()
    services.resource_reject(actor=admin, resource=resource, reason="Behind a paywall")
    again = submit(trainee, resource_item(1)).items.get()
    assert again.status == "pending"
    with pytest.raises(IntegrityError), transaction.atomic():  # the database keeps the rule too
        LearningResource.objects.create(submission=again.submission, title="x", url=again.url,
                                        normalised_url=again.normalised_url, provider="p", format="video",
                                        description="d", audience="everyone", licence="cc_by",
                                        open_access_confirmed=True)


def test_moderation_approve_and_reject_with_a_reason(api, admin, trainee):
    first, second = submit(trainee, resource_item(1), resource_item(2)).items.order_by("id")
    client = api.as_user(admin)
    approved = client.post(f"/api/v1/resources/{first.pk}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["moderated_by"] == admin.pk
    assert client.post(f"/api/v1/resources/{first.pk}/approve/").status_code == 409
    assert client.post(f"/api/v1/resources/{second.pk}/reject/", {"reason": ""}).status_code == 400
    rejected = client.post(f"/api/v1/resources/{second.pk}/reject/", {"reason": "Needs a paid account"})
    assert rejected.status_code == 200 and rejected.json()["rejection_reason"] == "Needs a paid account"
    actions = set(AuditEntry.objects.filter(object_type="curriculum.learningresource")
                  .values_list("action", "object_id"))
    assert actions == {("resource.approve", str(first.pk)), ("resource.reject", str(second.pk))}
    assert Notification.objects.filter(recipient=trainee, kind__in=["resource.approved", "resource.rejected"]
                                       ).count() == 2


def test_only_programme_admins_moderate(lead, trainee):
    resource = submit(trainee).items.get()
    with pytest.raises(NotPermitted):
        services.resource_approve(actor=lead, resource=resource)


def test_pending_resources_are_seen_by_admins_and_their_submitter_only(api, admin, trainee, other_trainee):
    resource = submit(trainee).items.get()
    assert api.as_user(other_trainee).get(f"/api/v1/resources/{resource.pk}/").status_code == 404
    assert api.as_user(trainee).get(f"/api/v1/resources/{resource.pk}/").status_code == 200
    queue = api.as_user(admin).get("/api/v1/resources/?status=pending").json()
    assert [r["id"] for r in queue["results"]] == [resource.pk]


def test_search_and_filters_on_approved_resources(api, admin, trainee, pathway, framework):
    docking, notss, video = submit(trainee, resource_item(1, title="Docking the Xi", topics=["docking"]),
                                   resource_item(2, title="NOTSS handbook", format="guideline",
                                                 description="Non-technical skills rating", audience="trainee",
                                                 topics=["non_technical_skills"], provider="RCSEd"),
                                   resource_item(3, title="Emergency undocking drill",
                                                 topics=["emergency_undocking", "docking"])).items.order_by("id")
    for resource in (docking, notss, video):
        services.resource_approve(actor=admin, resource=resource)
    module = pathway.modules.filter(is_final=False).first()
    competency = framework.competencies.get(key="comp-2-1")
    mapped = api.as_user(admin).patch(f"/api/v1/resources/{notss.pk}/",
                                      {"modules": [module.pk], "competencies": [competency.pk]}, format="json")
    assert mapped.status_code == 200 and mapped.json()["modules"] == [module.pk]
    assert AuditEntry.objects.filter(action="resource.map", object_id=str(notss.pk)).exists()
    client = api.as_user(trainee)

    def ids(query):
        response = client.get(f"/api/v1/resources/?{query}")
        assert response.status_code == 200
        return [r["id"] for r in response.json()["results"]]

    assert ids("search=docking") == [docking.pk, video.pk]  # title or description
    assert ids("search=rcsed") == [notss.pk]  # provider
    assert ids("format=guideline") == [notss.pk]
    assert ids("audience=trainee") == [notss.pk]
    assert ids("topic=docking") == [docking.pk, video.pk]
    assert ids(f"module={module.pk}") == [notss.pk]
    assert ids(f"competency={competency.pk}") == [notss.pk]
    assert ids("competency_key=comp-2-1") == [notss.pk]
    assert client.patch(f"/api/v1/resources/{notss.pk}/", {"modules": []}, format="json").status_code == 403
