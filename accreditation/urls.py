"""Web pages of the accreditation app, under the "accreditation" namespace.

The faculty's pages live under /faculty/ (`faculty_urlpatterns`), the logbook's under
/logbook/ (`logbook_urlpatterns`), sign-off's under /signoff/ and /assessments/.
"""

from django.urls import include, path

from accreditation.certificates import views as certificate_views
from accreditation.faculty import views as faculty_views
from accreditation.logbook import views as logbook_views
from accreditation.privileges import views as privilege_views
from accreditation.signoff import views as signoff_views

app_name = "accreditation"

faculty_urlpatterns = [
    path("", faculty_views.register, name="register"),
    path("mine/", faculty_views.mine, name="mine"),
    path("apply/", faculty_views.apply, name="apply"),
    path("applications/", faculty_views.queue, name="queue"),
    path("applications/<int:pk>/", faculty_views.application, name="application"),
    path("applications/<int:pk>/approve/", faculty_views.approve, name="application-approve"),
    path("applications/<int:pk>/reject/", faculty_views.reject, name="application-reject"),
    path("accreditations/<int:pk>/", faculty_views.accreditation, name="accreditation"),
    *[
        path(f"accreditations/<int:pk>/{verb}/", faculty_views.transition, {"verb": verb},
             name=f"accreditation-{verb}")
        for verb in ("suspend", "reinstate", "revoke")
    ],
    path("assignments/", faculty_views.assignments, name="assignments"),
    path("assignments/<int:pk>/end/", faculty_views.assignment_end, name="assignment-end"),
]

# The logbook's pages live under /logbook/ (`logbook_urlpatterns`); a case's page is
# /logbook/cases/<id>/, the link the rejection notification carries.
logbook_urlpatterns = [
    path("", logbook_views.logbook, name="logbook"),
    path("new/", logbook_views.case_new, name="logbook-new"),
    path("steps/", logbook_views.steps_partial, name="logbook-steps"),
    path("trainees/<int:trainee_id>/", logbook_views.logbook, name="logbook-trainee"),
    path("cases/<int:pk>/", logbook_views.case_detail, name="logbook-case"),
    path("cases/<int:pk>/edit/", logbook_views.case_edit, name="logbook-case-edit"),
    path("cases/<int:pk>/submit/", logbook_views.case_submit, name="logbook-case-submit"),
    path("cases/<int:pk>/withdraw/", logbook_views.case_withdraw, name="logbook-case-withdraw"),
    path("cases/<int:pk>/delete/", logbook_views.case_delete, name="logbook-case-delete"),
    path("cases/<int:pk>/validate/", logbook_views.case_validate, name="logbook-case-validate"),
    path("cases/<int:pk>/reject/", logbook_views.case_reject, name="logbook-case-reject"),
    path("cases/<int:pk>/outcomes/", logbook_views.case_outcome, name="logbook-case-outcome"),
    path("queue/", logbook_views.queue, name="logbook-queue"),
    path("simulator-sessions/<int:pk>/verify/", logbook_views.simulator_session_verify,
         name="logbook-simulator-verify"),
    path("elearning-completions/<int:pk>/verify/", logbook_views.elearning_completion_verify,
         name="elearning-verify"),
    path("import/", logbook_views.import_page, name="logbook-import"),
    path("import/template.csv", logbook_views.import_template, name="logbook-import-template"),
    path("import-elogbook/", logbook_views.elogbook_import_page, name="logbook-import-elogbook"),
    path("learning-curve/", logbook_views.learning_curve, name="logbook-curve"),
]

# Sign-off: requests under /signoff/ (a request's page is /signoff/<id>/, the link its
# notifications carry), assessments under /assessments/.
signoff_urlpatterns = [
    path("", signoff_views.signoff_list, name="signoff-list"),
    path("queue/", signoff_views.signoff_queue, name="signoff-queue"),
    path("new/", signoff_views.signoff_new, name="signoff-new"),
    path("<int:pk>/", signoff_views.signoff_detail, name="signoff"),
    path("<int:pk>/approve/", signoff_views.signoff_approve, name="signoff-approve"),
    path("<int:pk>/return/", signoff_views.signoff_return, name="signoff-return"),
    path("<int:pk>/reverse/", signoff_views.signoff_reverse, name="signoff-reverse"),
    path("<int:pk>/withdraw/", signoff_views.signoff_withdraw, name="signoff-withdraw"),
    path("decide/<str:token>/", signoff_views.decide, name="signoff-decide"),
]
assessment_urlpatterns = [
    path("", signoff_views.assessment_list, name="assessments"),
    path("export.csv", signoff_views.assessment_export, name="assessments-export"),
    path("new/", signoff_views.assessment_new, name="assessment-new"),
    path("self/", signoff_views.assessment_self, name="assessment-self"),
    path("<int:pk>/", signoff_views.assessment_detail, name="assessment"),
    path("video-reviews/", signoff_views.video_review_list, name="video-reviews"),
    path("video-reviews/export.csv", signoff_views.video_review_export, name="video-reviews-export"),
    path("video-reviews/<int:pk>/", signoff_views.video_review_detail, name="video-review"),
]

# Certificates under /certificates/ (a certificate's page is /certificates/<id>/, the link its
# notifications carry) and the portfolio export under /portfolio/. The public verification
# page, /verify/<code>/, is in rastrack/urls.py: it is outside this namespace on purpose.
certificate_urlpatterns = [
    path("", certificate_views.certificate_list, name="certificates"),
    path("mine/", certificate_views.certificates_mine, name="certificates-mine"),
    path("<int:pk>/", certificate_views.certificate_detail, name="certificate"),
    path("<int:pk>/pdf/", certificate_views.certificate_download, name="certificate-pdf"),
    path("<int:pk>/credential.jwt", certificate_views.certificate_credential, name="certificate-credential"),
    path("<int:pk>/revoke/", certificate_views.certificate_revoke, name="certificate-revoke"),
]
portfolio_urlpatterns = [
    path("", certificate_views.portfolio, name="portfolio"),
    path("<int:trainee_id>/", certificate_views.portfolio_trainee, name="portfolio-trainee"),
    path("<int:trainee_id>/export.csv", certificate_views.portfolio_export, {"kind": "csv"},
         name="portfolio-export-csv"),
    path("<int:trainee_id>/export.pdf", certificate_views.portfolio_export, {"kind": "pdf"},
         name="portfolio-export-pdf"),
]

# Privileges under /privileges/ (a privilege's page is /privileges/<id>/, the link its
# notifications carry); the theatre's lookup is /privileges/clearance/.
privilege_urlpatterns = [
    path("", privilege_views.privilege_list, name="privileges"),
    path("clearance/", privilege_views.clearance_page, name="clearance"),
    path("<int:pk>/", privilege_views.privilege_detail, name="privilege"),
    *[
        path(f"<int:pk>/{verb}/", privilege_views.privilege_decide, {"verb": verb}, name=f"privilege-{verb}")
        for verb in ("grant_provisional", "grant_full", "suspend", "reinstate", "revoke")
    ],
]

urlpatterns = [
    path("faculty/", include(faculty_urlpatterns)),
    path("privileges/", include(privilege_urlpatterns)),
    path("logbook/", include(logbook_urlpatterns)),
    path("signoff/", include(signoff_urlpatterns)),
    path("assessments/", include(assessment_urlpatterns)),
    path("certificates/", include(certificate_urlpatterns)),
    path("portfolio/", include(portfolio_urlpatterns)),
]
