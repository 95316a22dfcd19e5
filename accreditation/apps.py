from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The core (evidence documents, and anything else that asks "may this person
        # supervise that trainee?") cannot import this app: the faculty registers its one
        # eligibility rule with it here.
        from accreditation.faculty import eligibility
        from rastrack.accounts.supervision import (
            register_supervised_trainee_ids,
            register_supervision_check,
        )

        register_supervision_check(eligibility.can_supervise)
        register_supervised_trainee_ids(eligibility.supervised_trainee_ids)

        # The logbook's evidence (validated cases, simulator sessions) for progress.
        from accreditation.logbook import progress as logbook_progress

        logbook_progress.register()

        # The case summary's over-logged counts follow the trainee's latest enrolment.
        from accreditation.logbook.summaries import latest_pathway_watcher
        from curriculum.counting_watchers import register_latest_pathway_watcher

        register_latest_pathway_watcher(latest_pathway_watcher)
        # ... and the trainee's current region.
        from accreditation.logbook.summaries import region_move_watcher
        from rastrack.accounts.region_moves import register_region_move_watcher

        register_region_move_watcher(region_move_watcher)
        from accreditation.signoff import summaries as signoff_summaries

        register_region_move_watcher(signoff_summaries.region_move_watcher)

        # The assessment instruments (data kept by sign-off) that requirements may name.
        from accreditation.signoff.selectors import assessment_tool_ranges
        from curriculum.instruments import register_assessment_tools

        register_assessment_tools(assessment_tool_ranges)
        from accreditation.signoff.selectors import assessment_tool_scales
        from curriculum.instruments import register_assessment_tool_scales

        register_assessment_tool_scales(assessment_tool_scales)

        # The simulator exercises (data kept by the logbook) that proficiency requirements list.
        from accreditation.logbook.selectors import simulator_exercise_catalogue
        from curriculum.instruments import register_simulator_exercises

        register_simulator_exercises(simulator_exercise_catalogue)

        # Assessments and sign-offs (competency, final, assessment thresholds) for progress.
        from accreditation.signoff import progress as signoff_progress

        signoff_progress.register()

        # Cases that are evidence of an approved sign-off are frozen (the logbook's services
        # ask; sign-off answers).
        from accreditation.logbook.evidence_locks import register_evidence_lock
        from accreditation.signoff.policies import refusal_to_change_evidence

        register_evidence_lock(refusal_to_change_evidence)

        # The calibration summary counts a case's ratings by its procedure's specialty: the
        # logbook tells sign-off before a case changes procedure or is deleted.
        from accreditation.logbook.case_watchers import register_procedure_watcher
        from accreditation.signoff.summaries import calibration_procedure_changing

        register_procedure_watcher(calibration_procedure_changing)

        # Certificates: issued (and the enrolment completed) when a final sign-off is
        # approved, revoked when it is reversed, inside the decision's transaction.
        from accreditation.certificates import services as certificate_services
        from accreditation.signoff.services import (
            on_final_signoff_approved,
            on_final_signoff_reversed,
        )

        on_final_signoff_approved(certificate_services.on_final_approved)

        # A trainer applicant's own cases and teaching, beside what they typed (faculty pages).
        from accreditation.faculty.figures import register_applicant_figures
        from accreditation.signoff.teaching import applicant_figures

        register_applicant_figures(applicant_figures)

        # Privileges as qualifications of the FHIR Practitioner.
        from accreditation.certificates.fhir import register_qualification_source
        from accreditation.privileges.fhir import privilege_qualifications

        register_qualification_source(privilege_qualifications)
        on_final_signoff_reversed(certificate_services.on_final_reversed)
