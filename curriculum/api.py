"""The curriculum API: frameworks, standards, competencies, pathways, modules, components,
requirements, enrolments (with progress), e-learning completions and learning resources.

Status codes (the same for every endpoint): anonymous 401; a role that may never use an endpoint or action 403
(`RoleRequired`); a record outside the caller's scope, a draft for anyone but a programme
admin included, 404 (`ScopedViewSetMixin`); a wrong state or a duplicate 409; bad input
400 per field. View sets only translate: the services decide.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.settings import api_settings

from curriculum import selectors, services
from curriculum.filters import (
    ComponentFilter,
    ELearningCompletionFilter,
    EnrolmentFilter,
    LearningResourceFilter,
    RequirementFilter,
)
from curriculum.models import (
    Competency,
    Component,
    ELearningCompletion,
    Enrolment,
    Framework,
    LearningResource,
    Module,
    Pathway,
    Requirement,
    Standard,
)
from curriculum.progress import computation, progress_for
from curriculum.serializers import (
    CompetencySerializer,
    ComponentSerializer,
    ELearningCompletionSerializer,
    EnrolmentCreateSerializer,
    EnrolmentProgressSerializer,
    EnrolmentSerializer,
    FrameworkSerializer,
    LearningResourceSerializer,
    ModuleSerializer,
    PathwayNewVersionSerializer,
    PathwaySerializer,
    PauseRequestSerializer,
    RequirementSerializer,
    ResourceMappingSerializer,
    ResourceRejectSerializer,
    ResourceSubmissionCreateSerializer,
    ResourceSubmissionSerializer,
    ResumeRequestSerializer,
    StandardSerializer,
    WithdrawRequestSerializer,
)
from rastrack.accounts.roles import Role
from rastrack.core.permissions import SIGNED_IN, ActionRolesMixin, ScopedViewSetMixin

ADMIN = (Role.PROGRAMME_ADMIN,)
# Enrolments concern trainees and the people who train or oversee them; lab managers never.
ENROLMENT_READERS = (Role.TRAINEE, Role.TRAINER, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN)
ENROLMENT_MANAGERS = (Role.TRAINEE, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN)


class CurriculumEditViewSet(ActionRolesMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Read by everyone signed in (drafts: programme admins only); written by programme
    admins through the services. PATCH only (no PUT): send what changes."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "create": ADMIN, "partial_update": ADMIN,
                    "destroy": ADMIN}
    instance_kwarg: str
    create_service = None
    update_service = None
    delete_service = None

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = type(self).create_service(actor=request.user, **serializer.validated_data)
        return self.answer(obj, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        obj = type(self).update_service(actor=request.user, **{self.instance_kwarg: instance},
                                        **serializer.validated_data)
        return self.answer(obj)

    def destroy(self, request, *args, **kwargs):
        type(self).delete_service(actor=request.user, **{self.instance_kwarg: self.get_object()})
        return Response(status=status.HTTP_204_NO_CONTENT)


def _lifecycle_schema(serializer, *, verb: str, body=None):
    return extend_schema(request=body, responses={200: serializer}, description=verb)


class FrameworkViewSet(CurriculumEditViewSet):
    """Versions of the RAS training standards: draft -> published -> retired. A published
    version is frozen (edits: 409); `new-version` copies it into a draft with the same
    competency keys."""

    model = Framework
    action_roles = {**CurriculumEditViewSet.action_roles, "publish": ADMIN, "retire": ADMIN, "new_version": ADMIN}
    serializer_class = FrameworkSerializer
    filterset_fields = ["code", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    instance_kwarg = "framework"
    create_service = staticmethod(services.framework_create)
    update_service = staticmethod(services.framework_update)

    def visible_queryset(self, user):
        return selectors.frameworks_visible_to(user)

    @_lifecycle_schema(FrameworkSerializer, verb="Publish a draft (then frozen). Not a draft: 409.")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        framework = services.framework_publish(actor=request.user, framework=self.get_object())
        return Response(FrameworkSerializer(framework).data)

    @_lifecycle_schema(FrameworkSerializer, verb="Retire a published version. Not published: 409.")
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        framework = services.framework_retire(actor=request.user, framework=self.get_object())
        return Response(FrameworkSerializer(framework).data)

    @extend_schema(request=None, responses={201: FrameworkSerializer},
                   description="Copy a published or retired version into a new draft (version + 1), keeping "
                               "competency keys. A draft of this framework already open: 409.")
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        framework = services.framework_new_version(actor=request.user, framework=self.get_object())
        return Response(FrameworkSerializer(framework).data, status=status.HTTP_201_CREATED)


class StandardViewSet(CurriculumEditViewSet):
    """Standards of a framework version, with their competencies. Code unique in the framework (409)."""

    model = Standard
    serializer_class = StandardSerializer
    filterset_fields = ["framework", "domain"]
    instance_kwarg = "standard"
    create_service = staticmethod(services.standard_create)
    update_service = staticmethod(services.standard_update)
    delete_service = staticmethod(services.standard_delete)

    def visible_queryset(self, user):
        return selectors.standards_visible_to(user)


class CompetencyViewSet(CurriculumEditViewSet):
    """Competencies: the units that get signed off. `key` is stable across framework versions."""

    model = Competency
    serializer_class = CompetencySerializer
    filterset_fields = ["framework", "standard", "key"]
    instance_kwarg = "competency"
    create_service = staticmethod(services.competency_create)
    update_service = staticmethod(services.competency_update)
    delete_service = staticmethod(services.competency_delete)

    def visible_queryset(self, user):
        return selectors.competencies_visible_to(user)


class PathwayViewSet(CurriculumEditViewSet):
    """Pathways, bound to a framework version. A new pathway gets its final sign-off module
    at once; a published pathway is frozen except for `self_enrol`."""

    model = Pathway
    action_roles = {**CurriculumEditViewSet.action_roles, "publish": ADMIN, "retire": ADMIN, "new_version": ADMIN}
    serializer_class = PathwaySerializer
    filterset_fields = ["code", "status", "audience", "framework", "self_enrol"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    instance_kwarg = "pathway"
    create_service = staticmethod(services.pathway_create)
    update_service = staticmethod(services.pathway_update)

    def visible_queryset(self, user):
        return selectors.pathways_visible_to(user)

    @_lifecycle_schema(PathwaySerializer, verb="Publish a draft whose framework is published. Not a draft: 409.")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        pathway = services.pathway_publish(actor=request.user, pathway=self.get_object())
        return self.answer(pathway)

    @_lifecycle_schema(PathwaySerializer, verb="Retire: no new enrolments; live ones carry on.")
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        pathway = services.pathway_retire(actor=request.user, pathway=self.get_object())
        return self.answer(pathway)

    @extend_schema(request=PathwayNewVersionSerializer, responses={201: PathwaySerializer},
                   description="Copy into a new draft (version + 1), optionally onto another framework version; "
                               "competency requirements follow their keys.")
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        source = self.get_object()
        data = PathwayNewVersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pathway = services.pathway_new_version(actor=request.user, pathway=source,
                                               framework=data.validated_data.get("framework"))
        return self.answer(pathway, status.HTTP_201_CREATED)


class ModuleViewSet(CurriculumEditViewSet):
    """Ordered modules of a pathway, with their components and requirements."""

    model = Module
    serializer_class = ModuleSerializer
    filterset_fields = ["pathway"]
    instance_kwarg = "module"
    create_service = staticmethod(services.module_create)
    update_service = staticmethod(services.module_update)
    delete_service = staticmethod(services.module_delete)

    def visible_queryset(self, user):
        return selectors.modules_visible_to(user)


class ComponentViewSet(CurriculumEditViewSet):
    """Components of a module (e-learning, simulation, ... cases, assessment)."""

    model = Component
    serializer_class = ComponentSerializer
    filterset_class = ComponentFilter
    instance_kwarg = "component"
    create_service = staticmethod(services.component_create)
    update_service = staticmethod(services.component_update)
    delete_service = staticmethod(services.component_delete)

    def visible_queryset(self, user):
        return selectors.components_visible_to(user)


class RequirementViewSet(CurriculumEditViewSet):
    """Measurable requirements of components, stored as validated data (`type` + `params`)."""

    model = Requirement
    serializer_class = RequirementSerializer
    filterset_class = RequirementFilter
    instance_kwarg = "requirement"
    create_service = staticmethod(services.requirement_create)
    update_service = staticmethod(services.requirement_update)
    delete_service = staticmethod(services.requirement_delete)

    def visible_queryset(self, user):
        return selectors.requirements_visible_to(user)

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        # Only what the client sent: a DictField default must not wipe the parameters.
        changes = {name: value for name, value in serializer.validated_data.items() if name in request.data}
        changes.pop("component", None)
        requirement = services.requirement_update(actor=request.user, requirement=instance, **changes)
        return self.answer(requirement)


# --- Enrolments -------------------------------------------------------------------------------


@extend_schema_view(create=extend_schema(request=EnrolmentCreateSerializer, responses={201: EnrolmentSerializer}))
class EnrolmentViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                       mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Trainees on pathways. A trainee sees their own; a regional lead those of trainees now
    in their region; a trainer those of trainees they supervise; a programme admin all."""

    model = Enrolment
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter
    action_roles = {
        "list": ENROLMENT_READERS, "retrieve": ENROLMENT_READERS, "progress": ENROLMENT_READERS,
        "create": ENROLMENT_MANAGERS, "pause": ENROLMENT_MANAGERS, "resume": ENROLMENT_MANAGERS,
        "withdraw": ENROLMENT_MANAGERS,
    }

    def visible_queryset(self, user):
        qs = selectors.enrolments_visible_to(user)
        # Progress shows no pauses: not reading them keeps the endpoint's queries to the evidence's.
        return qs.prefetch_related(None) if self.action == "progress" else qs

    def create(self, request, *args, **kwargs):
        data = self.validated(EnrolmentCreateSerializer)
        values = dict(data)
        enrolment = services.enrolment_create(actor=request.user, trainee=values.pop("trainee", request.user),
                                              **values)
        response = self.answer(enrolment)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=PauseRequestSerializer, responses={200: EnrolmentSerializer},
                   description="Pause an active enrolment (409 otherwise); the target date moves by the "
                               "pause's length when it is resumed.")
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        enrolment = self.get_object()
        data = self.validated(PauseRequestSerializer)
        return self.answer(services.enrolment_pause(actor=request.user, enrolment=enrolment, **data))

    @extend_schema(request=ResumeRequestSerializer, responses={200: EnrolmentSerializer},
                   description="Resume a paused enrolment (409 otherwise); the target date moves later by the "
                               "pause's length in days.")
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        enrolment = self.get_object()
        data = self.validated(ResumeRequestSerializer)
        return self.answer(services.enrolment_resume(actor=request.user, enrolment=enrolment,
                                                     **data))

    @extend_schema(request=WithdrawRequestSerializer, responses={200: EnrolmentSerializer},
                   description="Withdraw an active or paused enrolment (409 otherwise).")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        enrolment = self.get_object()
        data = self.validated(WithdrawRequestSerializer)
        return self.answer(services.enrolment_withdraw(actor=request.user, enrolment=enrolment,
                                                       **data))

    @extend_schema(responses={200: EnrolmentProgressSerializer},
                   description="Every requirement of the pathway: met or not, value against target, and the "
                               "evidence behind it. `provider` null: no app measures it yet.")
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        enrolment = self.get_object()
        with computation([enrolment.trainee_id]):  # the descriptions name what the measure read
            return Response(EnrolmentProgressSerializer(progress_for(enrolment)).data)


class ELearningCompletionViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                                 mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """E-learning a trainee completed: evidence for `min_count` requirements of e-learning
    components. Recorded by the trainee for themself (other roles: 403)."""

    model = ELearningCompletion
    serializer_class = ELearningCompletionSerializer
    filterset_class = ELearningCompletionFilter
    action_roles = {"list": ENROLMENT_READERS, "retrieve": ENROLMENT_READERS, "create": (Role.TRAINEE,)}

    def visible_queryset(self, user):
        return selectors.elearning_completions_visible_to(user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        completion = services.elearning_record(trainee=request.user, **serializer.validated_data)
        completion = self.visible_queryset(request.user).get(pk=completion.pk)
        return Response(self.get_serializer(completion).data, status=status.HTTP_201_CREATED)


# --- Learning resources ----------------------------------------------------------------------


class _NoFormatOverride:
    """DRF's settings, except that no query parameter picks the renderer."""

    def __getattr__(self, name):
        return None if name == "URL_FORMAT_OVERRIDE" else getattr(api_settings, name)


class FormatIsAFilterNegotiation(DefaultContentNegotiation):
    """Resources are filtered by their `format` (`?format=video`), so that parameter must
    not be read as DRF's renderer override (which would answer 404 for "video")."""

    settings = _NoFormatOverride()


@extend_schema_view(partial_update=extend_schema(
    request=ResourceMappingSerializer, responses={200: LearningResourceSerializer},
    description="Map a resource to modules and competencies (programme admins); a list given replaces the "
                "mapping, an omitted one is kept."))
class LearningResourceViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.ListModelMixin,
                              mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The catalogue of free, open-access learning material, crowdsourced and moderated.

    Everyone signed in reads approved resources (searchable with `?search=`, filterable by
    format, audience, topic, module and competency); pending and rejected ones are seen by
    programme admins and by their submitter. Submit one to three at a time with
    `POST /api/v1/resources/submissions/`. A URL already in the catalogue (pending or
    approved, compared after normalising) is a 409 whose `items[i].url` message names the
    existing resource.
    """

    model = LearningResource
    serializer_class = LearningResourceSerializer
    filterset_class = LearningResourceFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"
    content_negotiation_class = FormatIsAFilterNegotiation
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "submissions": SIGNED_IN, "partial_update": ADMIN,
                    "approve": ADMIN, "reject": ADMIN}

    def visible_queryset(self, user):
        return selectors.resources_visible_to(user)

    @extend_schema(request=ResourceSubmissionCreateSerializer, responses={
        201: ResourceSubmissionSerializer,
        409: OpenApiResponse(description='A duplicate: {"items": [{}, {"url": ["Already in the catalogue: ..."]}]}'),
    })
    @action(detail=False, methods=["post"])
    def submissions(self, request):
        data = self.validated(ResourceSubmissionCreateSerializer)
        submission = services.resource_submit(submitted_by=request.user, items=data["items"])
        submission = (type(submission).objects.prefetch_related("items__topics", "items__modules",
                                                                "items__competencies")
                      .select_related("submitted_by").get(pk=submission.pk))
        return Response(ResourceSubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        resource = self.get_object()
        data = self.validated(ResourceMappingSerializer)
        return self.answer(services.resource_map(actor=request.user, resource=resource, **data))

    @extend_schema(request=None, responses={200: LearningResourceSerializer},
                   description="Approve a pending resource (programme admins). Already decided: 409.")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.answer(services.resource_approve(actor=request.user, resource=self.get_object()))

    @extend_schema(request=ResourceRejectSerializer, responses={200: LearningResourceSerializer},
                   description="Reject a pending resource with a reason (programme admins). Already decided: 409.")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        resource = self.get_object()
        data = self.validated(ResourceRejectSerializer)
        return self.answer(services.resource_reject(actor=request.user, resource=resource,
                                                    reason=data["reason"]))
