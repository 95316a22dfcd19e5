"""The counting table of a pathway version over the API: everyone who sees the version reads it;
a programme admin changes a draft's (`counting.rules_set`, audited)."""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from accreditation.logbook import counting
from accreditation.logbook.models import (
    CaseRole,
    CountedAs,
    Supervision,
    TakeoverRule,
)
from curriculum.models import Pathway
from curriculum.selectors import pathways_visible_to
from rastrack.accounts.roles import Role
from rastrack.core.permissions import (
    SIGNED_IN,
    ActionRolesMixin,
    ScopedViewSetMixin,
)


class CountingRuleRowSerializer(serializers.Serializer):
    counted_as = serializers.ChoiceField(choices=CountedAs.choices)
    role = serializers.ChoiceField(choices=CaseRole.choices)
    supervision = serializers.ChoiceField(choices=Supervision.choices)
    takeover = serializers.ChoiceField(choices=TakeoverRule.choices, default=TakeoverRule.ANY)


class CountingTableSerializer(serializers.Serializer):
    pathway = serializers.IntegerField(read_only=True)
    defaults = serializers.BooleanField(read_only=True, help_text="The version has no rows of its own: "
                                                                  "it counts by the defaults shown.")
    rules = CountingRuleRowSerializer(many=True)


class CountingTableWriteSerializer(serializers.Serializer):
    rules = CountingRuleRowSerializer(many=True, help_text="The whole table; an empty list returns the "
                                      "version to the defaults.")


def _counting_table(pathway) -> dict:
    own = counting.rules_of(pathway.pk)
    rows = own or counting.DEFAULT_RULES
    return {"pathway": pathway.pk, "defaults": not own, "rules": [r._asdict() for r in rows]}


class CountingRuleViewSet(ActionRolesMixin, ScopedViewSetMixin, viewsets.GenericViewSet):
    """A pathway version's counting table, addressed by the pathway's id: which validated
    (role, code, takeover) counts as what. Read by whoever may see the pathway (a draft: programme
    admins only, otherwise 404); replaced whole by programme admins while the version is a draft
    (a published or retired version keeps its counting: 409)."""

    model = Pathway
    serializer_class = CountingTableSerializer
    http_method_names = ["get", "put", "head", "options"]
    action_roles = {"retrieve": SIGNED_IN, "update": (Role.PROGRAMME_ADMIN,)}

    def visible_queryset(self, user):
        return pathways_visible_to(user)

    @extend_schema(responses={200: CountingTableSerializer})
    def retrieve(self, request, pk=None):
        return Response(CountingTableSerializer(_counting_table(self.get_object())).data)

    @extend_schema(request=CountingTableWriteSerializer, responses={200: CountingTableSerializer},
                   description="Replace a draft version's counting table. Published or retired: 409.")
    def update(self, request, pk=None):
        pathway = self.get_object()
        body = self.validated(CountingTableWriteSerializer)
        counting.rules_set(actor=request.user, pathway=pathway,
                           rules=[counting.Rule(**row) for row in body["rules"]])
        return Response(CountingTableSerializer(_counting_table(pathway)).data)
