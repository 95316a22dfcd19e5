"""Everything under /api/v1/. Each app's view sets are registered on the one router."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accreditation.certificates import api as certificate_api
from accreditation.faculty import api as faculty_api
from accreditation.logbook import api as logbook_api
from accreditation.logbook import counting_api, elearning_api, simulator_api
from accreditation.privileges import api as privileges_api
from accreditation.signoff import api as signoff_api
from accreditation.signoff import video_review_api
from curriculum import api as curriculum_api
from dashboards import api as dashboard_api
from labs import api as labs_api
from labs import bookings_api
from labs.centres import api as centres_api
from rastrack.accounts import api as accounts_api
from rastrack.accounts import document_views
from rastrack.notifications import api as notifications_api
from rastrack.reference import api as reference_api

router = DefaultRouter()
router.register("regions", reference_api.RegionViewSet, basename="region")
router.register("sites", reference_api.SiteViewSet, basename="site")
router.register("procedures", reference_api.ProcedureViewSet, basename="procedure")
router.register("platforms", reference_api.PlatformViewSet, basename="platform")
router.register("users", accounts_api.UserViewSet, basename="user")
router.register("invitations", accounts_api.InvitationViewSet, basename="invitation")
router.register("site-leads", accounts_api.SiteLeadershipViewSet, basename="site-lead")
router.register("notifications", notifications_api.NotificationViewSet, basename="notification")
router.register("documents", document_views.EvidenceDocumentViewSet, basename="document")
router.register("cases", logbook_api.CaseViewSet, basename="case")
router.register("simulator-exercises", simulator_api.SimulatorExerciseViewSet, basename="simulator-exercise")
router.register("simulator-sessions", simulator_api.SimulatorSessionViewSet, basename="simulator-session")
router.register("counting-rules", counting_api.CountingRuleViewSet, basename="counting-rule")
router.register("frameworks", curriculum_api.FrameworkViewSet, basename="framework")
router.register("standards", curriculum_api.StandardViewSet, basename="standard")
router.register("competencies", curriculum_api.CompetencyViewSet, basename="competency")
router.register("pathways", curriculum_api.PathwayViewSet, basename="pathway")
router.register("modules", curriculum_api.ModuleViewSet, basename="module")
router.register("components", curriculum_api.ComponentViewSet, basename="component")
router.register("requirements", curriculum_api.RequirementViewSet, basename="requirement")
router.register("enrolments", curriculum_api.EnrolmentViewSet, basename="enrolment")
router.register("elearning-completions", curriculum_api.ELearningCompletionViewSet,
                basename="elearning-completion")
# Verifying one needs the assignments (accreditation): the action is registered on the same address.
router.register("elearning-completions", elearning_api.ELearningVerificationViewSet,
                basename="elearning-completion-verification")
router.register("resources", curriculum_api.LearningResourceViewSet, basename="resource")
router.register("trainer-applications", faculty_api.TrainerApplicationViewSet, basename="trainer-application")
router.register("accreditations", faculty_api.AccreditationViewSet, basename="accreditation")
router.register("assignments", faculty_api.AssignmentViewSet, basename="assignment")
router.register("assessment-tools", signoff_api.AssessmentToolViewSet, basename="assessment-tool")
router.register("assessments", signoff_api.AssessmentViewSet, basename="assessment")
router.register("video-reviews", video_review_api.VideoReviewViewSet, basename="video-review")
router.register("signoff-requests", signoff_api.SignoffRequestViewSet, basename="signoff-request")
router.register("privileges", privileges_api.PrivilegeViewSet, basename="privilege")
router.register("privilege-rules", privileges_api.PrivilegeRulesViewSet, basename="privilege-rules")
router.register("procedure-groups", privileges_api.ProcedureGroupViewSet, basename="procedure-group")
router.register("proctor-reports", privileges_api.ProctorReportViewSet, basename="proctor-report")
router.register("certificates", certificate_api.CertificateViewSet, basename="certificate")
router.register("labs", labs_api.LabViewSet, basename="lab")
router.register("lab-equipment", labs_api.EquipmentViewSet, basename="lab-equipment")
router.register("lab-sessions", labs_api.LabSessionViewSet, basename="lab-session")
router.register("bookings", bookings_api.BookingViewSet, basename="booking")
router.register("centres", centres_api.CentreViewSet, basename="centre")
router.register("courses", centres_api.CourseViewSet, basename="course")
router.register("accreditation-schemes", centres_api.SchemeViewSet, basename="accreditation-scheme")
router.register("centre-accreditations", centres_api.CentreAccreditationViewSet, basename="centre-accreditation")
router.register("annual-returns", centres_api.AnnualReturnViewSet, basename="annual-return")
router.register("feedback", centres_api.FeedbackViewSet, basename="feedback")

urlpatterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="auth-token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("dashboards/national/", dashboard_api.NationalDashboardView.as_view(), name="dashboard-national"),
    path("dashboards/regions/<int:pk>/", dashboard_api.RegionDashboardView.as_view(), name="dashboard-region"),
    path("portfolio/export/", certificate_api.PortfolioExportView.as_view(), name="portfolio-export"),
    path("fhir/Practitioner/<int:pk>/", certificate_api.PractitionerView.as_view(), name="fhir-practitioner"),
    path("clearance/", privileges_api.ClearanceView.as_view(), name="clearance"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's initialiser as a file and our template takes its
    # inline style into a static file: nothing inline, so the page works under the
    # Content-Security-Policy.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    *router.urls,
]
