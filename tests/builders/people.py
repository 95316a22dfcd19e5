"""People and places: factory_boy factories for users and sites, and the test password."""

import datetime

import factory
from django.utils import timezone

from rastrack.accounts.models import Profession, User
from rastrack.accounts.services import user_grant_roles, user_move_region
from rastrack.reference.models import Region, Site

PASSWORD = "correct-horse-battery"


def region(code: str = "london") -> Region:
    return Region.objects.get(code=code)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Test Hospital {n}")
    region = factory.LazyFunction(region)


class UserFactory(factory.django.DjangoModelFactory):
    """A user. `roles=[...]` grants roles; `region=<Region>` places them (a year ago)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    profession = Profession.SURGEON

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            user_grant_roles(user=self, roles=extracted)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        wanted_region = kwargs.pop("region", None)
        user = super()._create(model_class, *args, **kwargs)
        if wanted_region is not None:
            since = timezone.localdate() - datetime.timedelta(days=365)
            user_move_region(user=user, region=wanted_region, on=since)
        return user
