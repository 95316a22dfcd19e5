from django.urls import path, re_path

from curriculum import authoring, views

app_name = "curriculum"
urlpatterns = [
    path("", views.pathway_list, name="pathways"),
    path("standards/", views.standards, name="standards"),
    path("versions/", authoring.versions, name="versions"),
    re_path(r"^versions/(?P<kind>framework|pathway)/(?P<pk>[0-9]+)/$", authoring.version_detail, name="version"),
    re_path(r"^versions/(?P<kind>framework|pathway)/(?P<pk>[0-9]+)/(?P<action>publish|retire|new_draft)/$",
            authoring.version_action, name="version-action"),
    path("pathways/<int:pk>/", views.pathway_detail, name="pathway"),
    path("pathways/<int:pk>/enrol/", views.pathway_enrol, name="enrol"),
    path("modules/<int:pk>/", views.module_detail, name="module"),
    path("enrolments/", views.enrolment_list, name="enrolments"),
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment"),
    path("enrolments/<int:pk>/pause/", views.enrolment_pause, name="enrolment-pause"),
    path("enrolments/<int:pk>/resume/", views.enrolment_resume, name="enrolment-resume"),
    path("enrolments/<int:pk>/withdraw/", views.enrolment_withdraw, name="enrolment-withdraw"),
    path("elearning/", views.elearning_record, name="elearning"),
    path("resources/", views.resource_catalogue, name="resources"),
    path("resources/submit/", views.resource_submit, name="resource-submit"),
    path("resources/moderation/", views.moderation_queue, name="moderation"),
    path("resources/<int:pk>/approve/", views.resource_approve, name="resource-approve"),
    path("resources/<int:pk>/reject/", views.resource_reject, name="resource-reject"),
]
