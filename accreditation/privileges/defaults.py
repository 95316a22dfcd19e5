"""The default site rules (DOMAIN.md): one row without a site. Called by a data migration and
by the tests after a flush."""


def load_default_privilege_rules(rules_model) -> None:
    if not rules_model.objects.filter(site__isnull=True).exists():
        rules_model.objects.create(site=None, proctored_cases_required=3, ready_reports_required=1,
                                   min_cases_per_12_months=10, max_gap_days=120,
                                   outcome_review_first_cases=10, review_interval_months=12)
