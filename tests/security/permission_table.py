"""The permission matrix's expected statuses: one row per API operation (see
tests/security/test_permission_matrix.py for how a row reads). Data only, shared by the
matrix, the list-leakage and the deployment-safety tests."""

# Notes on 409 cells (allowed, but the object's state refuses): reinstate of an accredited
# accreditation; resume of an active enrolment; reassign of a request that is not overdue;
# publishing a published version, retiring or copying a draft; editing, deleting or
# moderating what is published or already approved; a second trainer application.
TABLE = {
    ("POST", "/api/v1/cases/import-elogbook/"): {"all": "200 200 403 403 403 403 403 403 403 401"},
    ("GET", "/api/v1/certificates/{id}/credential/"): {
        "own": "200 404 200 404 403 403 200 404 200 401",
        "others": "404 200 404 404 403 403 200 404 200 401"},
    ("GET", "/api/v1/fhir/Practitioner/{id}/"): {
        "own": "200 404 200 404 404 404 200 404 200 401",
        "others": "404 200 404 404 404 404 200 404 200 401"},
    ("GET", "/api/v1/accreditations/"): {"all": "403 403 200 200 403 403 200 200 200 401"},
    ("GET", "/api/v1/accreditations/{id}/"): {
        "own": "403 403 200 404 403 403 200 404 200 401",
        "others": "403 403 404 404 403 403 404 200 200 401"},
    ("POST", "/api/v1/accreditations/{id}/reinstate/"): {
        "own": "403 403 403 403 403 403 409 404 409 401",
        "others": "403 403 403 403 403 403 404 409 409 401"},
    ("POST", "/api/v1/accreditations/{id}/revoke/"): {
        "own": "403 403 403 403 403 403 200 404 200 401",
        "others": "403 403 403 403 403 403 404 200 200 401"},
    ("POST", "/api/v1/accreditations/{id}/suspend/"): {
        "own": "403 403 403 403 403 403 200 404 200 401",
        "others": "403 403 403 403 403 403 404 200 200 401"},
    ("GET", "/api/v1/assessment-tools/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/assessment-tools/{code}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/assessments/"): {"all": "200 200 200 200 403 403 200 200 200 401"},
    ("POST", "/api/v1/assessments/"): {"all": "201 403 201 403 403 403 403 403 403 401"},
    ("GET", "/api/v1/assessments/calibration/"): {
        "own": "200 404 200 404 403 403 200 404 200 401",
        "others": "404 200 404 404 403 403 200 404 200 401"},
    ("GET", "/api/v1/assessments/{id}/"): {
        "own": "200 404 200 404 403 403 200 404 200 401",
        "others": "404 200 404 404 403 403 200 404 200 401"},
    ("GET", "/api/v1/assessments/{id}/calibration/"): {
        "own": "200 404 200 404 403 403 200 404 200 401",
        "others": "404 200 404 404 403 403 200 404 200 401"},
    ("GET", "/api/v1/video-reviews/"): {"all": "200 200 200 200 403 403 200 200 200 401"},
    ("POST", "/api/v1/video-reviews/"): {"all": "403 403 403 403 403 403 201 403 201 401"},
    ("GET", "/api/v1/video-reviews/{id}/"): {
        "own": "200 404 200 200 403 403 200 404 200 401",
        "others": "404 200 404 404 403 403 200 404 200 401"},
    ("POST", "/api/v1/video-reviews/{id}/rate/"): {
        "own": "403 403 403 200 403 403 403 403 403 401",
        "others": "403 403 404 404 403 403 403 403 403 401"},
    ("POST", "/api/v1/video-reviews/{id}/add-rater/"): {
        "own": "403 403 403 403 403 403 200 404 200 401",
        "others": "403 403 403 403 403 403 200 404 200 401"},
    ("GET", "/api/v1/assignments/"): {"all": "200 200 200 200 403 403 200 200 200 401"},
    ("POST", "/api/v1/assignments/"): {"all": "403 403 403 403 403 403 201 400 201 401"},
    ("GET", "/api/v1/assignments/{id}/"): {
        "own": "200 404 200 404 403 403 200 404 200 401",
        "others": "404 200 404 404 403 403 200 404 200 401"},
    ("POST", "/api/v1/assignments/{id}/end/"): {
        "own": "403 403 403 403 403 403 200 404 200 401",
        "others": "403 403 403 403 403 403 200 404 200 401"},
    ("POST", "/api/v1/auth/token/"): {"all": "200 200 200 200 200 200 400 400 400 200"},
    ("GET", "/api/v1/bookings/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/bookings/"): {"all": "201 201 403 403 403 403 403 403 403 401"},
    ("GET", "/api/v1/bookings/{id}/"): {
        "own": "200 404 200 404 200 404 200 404 200 401",
        "others": "404 200 404 404 404 200 404 200 200 401"},
    ("POST", "/api/v1/bookings/{id}/attended/"): {
        "own": "403 403 200 404 200 404 403 403 403 401",
        "others": "403 403 404 404 404 200 403 403 403 401"},
    ("POST", "/api/v1/bookings/{id}/cancel/"): {
        "own": "200 404 403 403 403 403 403 403 403 401",
        "others": "404 200 403 403 403 403 403 403 403 401"},
    ("POST", "/api/v1/bookings/{id}/no_show/"): {
        "own": "403 403 200 404 200 404 403 403 403 401",
        "others": "403 403 404 404 404 200 403 403 403 401"},
    ("GET", "/api/v1/cases/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/cases/"): {"all": "201 201 403 403 403 403 403 403 403 401"},
    ("GET", "/api/v1/cases/export/"): {
        "own": "200 404 200 404 404 404 200 404 200 401",
        "others": "404 200 404 404 404 404 200 404 200 401"},
    ("POST", "/api/v1/cases/import/"): {"all": "200 200 403 403 403 403 403 403 403 401"},
    ("GET", "/api/v1/cases/learning-curve/"): {
        "own": "200 404 200 404 404 404 200 404 200 401",
        "others": "404 200 404 404 404 404 200 404 200 401"},
    ("GET", "/api/v1/cases/queue/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/cases/validate-batch/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("DELETE", "/api/v1/cases/{id}/"): {
        "own": "204 404 403 404 404 404 403 404 403 401",
        "others": "404 204 404 404 404 404 403 404 403 401"},
    ("GET", "/api/v1/cases/{id}/"): {
        "own": "200 404 200 404 404 404 200 404 200 401",
        "others": "404 200 404 404 404 404 200 404 200 401"},
    ("PATCH", "/api/v1/cases/{id}/"): {
        "own": "200 404 403 404 404 404 403 404 403 401",
        "others": "404 200 404 404 404 404 403 404 403 401"},
    ("PUT", "/api/v1/cases/{id}/"): {
        "own": "200 404 403 404 404 404 403 404 403 401",
        "others": "404 200 404 404 404 404 403 404 403 401"},
    ("GET", "/api/v1/cases/{id}/outcomes/"): {
        "own": "200 404 200 404 404 404 200 404 200 401",
        "others": "404 200 404 404 404 404 200 404 200 401"},
    ("POST", "/api/v1/cases/{id}/outcomes/"): {
        "own": "201 404 201 404 404 404 403 404 403 401",
        "others": "404 201 404 404 404 404 403 404 403 401"},
    ("POST", "/api/v1/cases/{id}/reject/"): {
        "own": "403 404 200 404 404 404 403 404 403 401",
        "others": "404 403 404 404 404 404 403 404 403 401"},
    ("POST", "/api/v1/cases/{id}/submit/"): {
        "own": "200 404 403 404 404 404 403 404 403 401",
        "others": "404 200 404 404 404 404 403 404 403 401"},
    ("POST", "/api/v1/cases/{id}/withdraw/"): {
        "own": "409 404 403 404 404 404 403 404 403 401",
        "others": "404 409 404 404 404 404 403 404 403 401"},
    ("POST", "/api/v1/cases/{id}/validate/"): {
        "own": "403 404 200 404 404 404 403 404 403 401",
        "others": "404 403 404 404 404 404 403 404 403 401"},
    ("GET", "/api/v1/certificates/"): {"all": "200 200 200 200 403 403 200 200 200 401"},
    ("GET", "/api/v1/certificates/{id}/"): {
        "own": "200 404 200 404 403 403 200 404 200 401",
        "others": "404 200 404 404 403 403 200 404 200 401"},
    ("GET", "/api/v1/certificates/{id}/pdf/"): {
        "own": "200 404 200 404 403 403 200 404 200 401",
        "others": "404 200 404 404 403 403 200 404 200 401"},
    ("POST", "/api/v1/certificates/{id}/revoke/"): {
        "own": "403 403 403 403 403 403 403 403 200 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/competencies/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/competencies/"): {"all": "403 403 403 403 403 403 403 403 201 401"},
    ("DELETE", "/api/v1/competencies/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 204 401"},
    ("GET", "/api/v1/competencies/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "404 404 404 404 404 404 404 404 200 401"},
    ("PATCH", "/api/v1/competencies/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/components/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/components/"): {"all": "403 403 403 403 403 403 403 403 201 401"},
    ("DELETE", "/api/v1/components/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 204 401"},
    ("GET", "/api/v1/components/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "404 404 404 404 404 404 404 404 200 401"},
    ("PATCH", "/api/v1/components/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/dashboards/national/"): {"all": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/dashboards/regions/{id}/"): {
        "own": "403 403 403 403 403 403 200 404 200 401",
        "others": "403 403 403 403 403 403 404 200 200 401"},
    ("GET", "/api/v1/documents/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/documents/"): {"all": "201 201 201 201 201 201 201 201 201 401"},
    ("GET", "/api/v1/documents/{id}/"): {
        "own": "200 404 200 404 404 404 200 404 200 401",
        "others": "404 200 404 404 404 404 200 404 200 401"},
    ("GET", "/api/v1/documents/{id}/download/"): {
        "own": "200 404 200 404 404 404 200 404 200 401",
        "others": "404 200 404 404 404 404 200 404 200 401"},
    ("GET", "/api/v1/elearning-completions/"): {"all": "200 200 200 200 403 403 200 200 200 401"},
    ("POST", "/api/v1/elearning-completions/"): {"all": "201 201 403 403 403 403 403 403 403 401"},
    ("GET", "/api/v1/elearning-completions/{id}/"): {
        "own": "200 404 200 404 403 403 200 404 200 401",
        "others": "404 200 404 404 403 403 200 404 200 401"},
    ("POST", "/api/v1/elearning-completions/{id}/verify/"): {
        "own": "403 404 200 404 404 404 403 404 403 401",
        "others": "404 403 404 404 404 404 403 404 403 401"},
    ("GET", "/api/v1/enrolments/"): {"all": "200 200 200 200 403 403 200 200 200 401"},
    ("POST", "/api/v1/enrolments/"): {"all": "201 201 403 403 403 403 201 400 201 401"},
    ("GET", "/api/v1/enrolments/{id}/"): {
        "own": "200 404 200 404 403 403 200 404 200 401",
        "others": "404 200 404 404 403 403 200 404 200 401"},
    ("POST", "/api/v1/enrolments/{id}/pause/"): {
        "own": "200 404 403 403 403 403 200 404 200 401",
        "others": "404 200 403 403 403 403 200 404 200 401"},
    ("GET", "/api/v1/enrolments/{id}/progress/"): {
        "own": "200 404 200 404 403 403 200 404 200 401",
        "others": "404 200 404 404 403 403 200 404 200 401"},
    ("POST", "/api/v1/enrolments/{id}/resume/"): {
        "own": "409 404 403 403 403 403 409 404 409 401",
        "others": "404 409 403 403 403 403 409 404 409 401"},
    ("POST", "/api/v1/enrolments/{id}/withdraw/"): {
        "own": "200 404 403 403 403 403 200 404 200 401",
        "others": "404 200 403 403 403 403 200 404 200 401"},
    ("GET", "/api/v1/frameworks/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/frameworks/"): {"all": "403 403 403 403 403 403 403 403 201 401"},
    ("GET", "/api/v1/frameworks/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "404 404 404 404 404 404 404 404 200 401"},
    ("PATCH", "/api/v1/frameworks/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("POST", "/api/v1/frameworks/{id}/new-version/"): {
        "own": "403 403 403 403 403 403 403 403 201 401",
        "others": "403 403 403 403 403 403 403 403 409 401"},
    ("POST", "/api/v1/frameworks/{id}/publish/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("POST", "/api/v1/frameworks/{id}/retire/"): {
        "own": "403 403 403 403 403 403 403 403 200 401",
        "others": "403 403 403 403 403 403 403 403 409 401"},
    ("GET", "/api/v1/invitations/"): {"all": "403 403 403 403 403 403 200 200 200 401"},
    # The body invites a trainee to London: the North West lead may not grant that region (400, per field).
    ("POST", "/api/v1/invitations/"): {"all": "403 403 403 403 403 403 201 400 201 401"},
    # Resend and revoke: whoever could have granted the invitation (its region's lead, an admin).
    ("POST", "/api/v1/invitations/{id}/resend/"): {
        "own": "403 403 403 403 403 403 200 404 200 401",
        "others": "403 403 403 403 403 403 404 200 200 401"},
    ("POST", "/api/v1/invitations/{id}/revoke/"): {
        "own": "403 403 403 403 403 403 200 404 200 401",
        "others": "403 403 403 403 403 403 404 200 200 401"},
    ("GET", "/api/v1/lab-equipment/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/lab-equipment/"): {"all": "403 403 403 403 201 403 403 403 403 401"},
    ("GET", "/api/v1/lab-equipment/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "200 200 200 200 200 200 200 200 200 401"},
    ("PATCH", "/api/v1/lab-equipment/{id}/"): {
        "own": "403 403 403 403 200 403 403 403 403 401",
        "others": "403 403 403 403 403 200 403 403 403 401"},
    ("PUT", "/api/v1/lab-equipment/{id}/"): {
        "own": "403 403 403 403 200 403 403 403 403 401",
        "others": "403 403 403 403 403 200 403 403 403 401"},
    ("GET", "/api/v1/lab-sessions/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/lab-sessions/"): {"all": "403 403 403 403 201 403 403 403 403 401"},
    ("GET", "/api/v1/lab-sessions/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "200 200 200 200 200 200 200 200 200 401"},
    ("PATCH", "/api/v1/lab-sessions/{id}/"): {
        "own": "403 403 403 403 200 403 403 403 403 401",
        "others": "403 403 403 403 403 200 403 403 403 401"},
    ("POST", "/api/v1/lab-sessions/{id}/cancel/"): {
        "own": "403 403 403 403 200 403 403 403 403 401",
        "others": "403 403 403 403 403 200 403 403 403 401"},
    ("POST", "/api/v1/lab-sessions/{id}/book_team/"): {
        "own": "200 200 403 403 200 403 403 403 403 401",
        "others": "200 200 403 403 403 200 403 403 403 401"},
    ("POST", "/api/v1/lab-sessions/{id}/record_team/"): {
        "own": "403 403 200 403 200 403 403 403 403 401",
        "others": "403 403 403 403 403 200 403 403 403 401"},
    ("GET", "/api/v1/labs/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/labs/"): {"all": "403 403 403 403 403 403 403 403 201 401"},
    ("GET", "/api/v1/labs/capacity/"): {"all": "403 403 403 403 200 200 200 200 200 401"},
    ("GET", "/api/v1/labs/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "200 200 200 200 200 200 200 200 200 401"},
    ("PATCH", "/api/v1/labs/{id}/"): {
        "own": "403 403 403 403 200 403 403 403 200 401",
        "others": "403 403 403 403 403 200 403 403 200 401"},
    ("PUT", "/api/v1/labs/{id}/"): {
        "own": "403 403 403 403 200 403 403 403 200 401",
        "others": "403 403 403 403 403 200 403 403 200 401"},
    ("GET", "/api/v1/me/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    # Anyone signed in sets their own grade and training programme: there is no one else's to reach.
    ("PATCH", "/api/v1/me/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/modules/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/modules/"): {"all": "403 403 403 403 403 403 403 403 201 401"},
    ("DELETE", "/api/v1/modules/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 204 401"},
    ("GET", "/api/v1/modules/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "404 404 404 404 404 404 404 404 200 401"},
    ("PATCH", "/api/v1/modules/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/notifications/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/notifications/read-all/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/notifications/{id}/"): {
        "own": "200 404 404 404 404 404 404 404 404 401",
        "others": "404 200 404 404 404 404 404 404 404 401"},
    ("POST", "/api/v1/notifications/{id}/read/"): {
        "own": "200 404 404 404 404 404 404 404 404 401",
        "others": "404 200 404 404 404 404 404 404 404 401"},
    # A counting table is addressed by its pathway's id: a draft's is seen by programme admins
    # only (404); a published version keeps its counting (409).
    ("GET", "/api/v1/counting-rules/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "404 404 404 404 404 404 404 404 200 401"},
    ("PUT", "/api/v1/counting-rules/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/pathways/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/pathways/"): {"all": "403 403 403 403 403 403 403 403 201 401"},
    ("GET", "/api/v1/pathways/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "404 404 404 404 404 404 404 404 200 401"},
    ("PATCH", "/api/v1/pathways/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("POST", "/api/v1/pathways/{id}/new-version/"): {
        "own": "403 403 403 403 403 403 403 403 201 401",
        "others": "403 403 403 403 403 403 403 403 409 401"},
    ("POST", "/api/v1/pathways/{id}/publish/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("POST", "/api/v1/pathways/{id}/retire/"): {
        "own": "403 403 403 403 403 403 403 403 200 401",
        "others": "403 403 403 403 403 403 403 403 409 401"},
    ("GET", "/api/v1/portfolio/export/"): {
        "own": "200 404 200 404 403 403 200 404 200 401",
        "others": "404 200 404 404 403 403 200 404 200 401"},
    ("GET", "/api/v1/procedures/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/procedures/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/regions/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/regions/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/requirements/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/requirements/"): {"all": "403 403 403 403 403 403 403 403 201 401"},
    ("DELETE", "/api/v1/requirements/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 204 401"},
    ("GET", "/api/v1/requirements/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "404 404 404 404 404 404 404 404 200 401"},
    ("PATCH", "/api/v1/requirements/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/resources/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/resources/submissions/"): {"all": "201 201 201 201 201 201 201 201 201 401"},
    ("GET", "/api/v1/resources/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "404 200 404 404 404 404 404 404 200 401"},
    ("PATCH", "/api/v1/resources/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 200 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("POST", "/api/v1/resources/{id}/approve/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("POST", "/api/v1/resources/{id}/reject/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/signoff-requests/"): {"all": "200 200 200 200 403 403 200 200 200 401"},
    ("POST", "/api/v1/signoff-requests/"): {"all": "201 400 403 403 403 403 403 403 403 401"},
    ("GET", "/api/v1/signoff-requests/queue/"): {"all": "403 403 200 200 403 403 403 403 403 401"},
    ("GET", "/api/v1/signoff-requests/{id}/"): {
        "own": "200 404 200 404 403 403 200 404 200 401",
        "others": "404 200 404 404 403 403 200 404 200 401"},
    ("POST", "/api/v1/signoff-requests/{id}/approve/"): {
        "own": "403 403 200 404 403 403 403 403 403 401",
        "others": "403 403 404 404 403 403 403 403 403 401"},
    ("POST", "/api/v1/signoff-requests/{id}/reassign/"): {
        "own": "403 403 403 403 403 403 409 404 409 401",
        "others": "403 403 403 403 403 403 409 404 409 401"},
    ("POST", "/api/v1/signoff-requests/{id}/return/"): {
        "own": "403 403 200 404 403 403 403 403 403 401",
        "others": "403 403 404 404 403 403 403 403 403 401"},
    ("POST", "/api/v1/signoff-requests/{id}/reverse/"): {
        "own": "403 403 403 403 403 403 403 403 200 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("POST", "/api/v1/signoff-requests/{id}/withdraw/"): {
        "own": "200 404 403 403 403 403 403 403 403 401",
        "others": "404 200 403 403 403 403 403 403 403 401"},
    ("GET", "/api/v1/simulator-exercises/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/simulator-exercises/"): {"all": "403 403 403 403 403 403 403 403 201 401"},
    ("GET", "/api/v1/simulator-exercises/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "200 200 200 200 200 200 200 200 200 401"},
    ("PUT", "/api/v1/simulator-exercises/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 200 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("PATCH", "/api/v1/simulator-exercises/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 200 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/simulator-sessions/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/simulator-sessions/import/"): {"all": "200 200 403 403 403 403 403 403 403 401"},
    ("POST", "/api/v1/simulator-sessions/"): {"all": "201 201 403 403 403 403 403 403 403 401"},
    ("GET", "/api/v1/simulator-sessions/{id}/"): {
        "own": "200 404 200 404 404 404 200 404 200 401",
        "others": "404 200 404 404 404 404 200 404 200 401"},
    ("POST", "/api/v1/simulator-sessions/{id}/verify/"): {
        "own": "403 404 200 404 404 404 403 404 403 401",
        "others": "404 403 404 404 404 404 403 404 403 401"},
    ("GET", "/api/v1/sites/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/sites/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/standards/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/standards/"): {"all": "403 403 403 403 403 403 403 403 201 401"},
    ("DELETE", "/api/v1/standards/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 204 401"},
    ("GET", "/api/v1/standards/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "404 404 404 404 404 404 404 404 200 401"},
    ("PATCH", "/api/v1/standards/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 409 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/trainer-applications/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/trainer-applications/"): {"all": "409 409 409 409 201 201 201 201 201 401"},
    ("GET", "/api/v1/trainer-applications/{id}/"): {
        "own": "200 404 404 404 404 404 200 404 200 401",
        "others": "404 200 404 404 404 404 200 404 200 401"},
    ("POST", "/api/v1/trainer-applications/{id}/approve/"): {
        "own": "403 403 403 403 403 403 200 404 200 401",
        "others": "403 403 403 403 403 403 200 404 200 401"},
    ("POST", "/api/v1/trainer-applications/{id}/reject/"): {
        "own": "403 403 403 403 403 403 200 404 200 401",
        "others": "403 403 403 403 403 403 200 404 200 401"},
    ("GET", "/api/v1/users/"): {"all": "403 403 403 403 403 403 200 200 200 401"},
    ("GET", "/api/v1/users/{id}/"): {
        "own": "403 403 403 403 403 403 200 404 200 401",
        "others": "403 403 403 403 403 403 200 404 200 401"},
    ("POST", "/api/v1/users/{id}/deactivate/"): {
        "own": "403 403 403 403 403 403 200 404 200 401",
        "others": "403 403 403 403 403 403 200 404 200 401"},
    # Privileges: only the programme admin among the personas decides (site robotic leads are
    # tested in tests/accreditation/privileges/); grant_full's 409: the site rules are not met.
    ("GET", "/api/v1/privileges/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/privileges/"): {"all": "201 201 201 201 201 201 201 201 201 401"},
    ("GET", "/api/v1/privileges/{id}/"): {"own": "200 404 200 404 404 404 200 404 200 401", "others": "404 200 404 404 404 404 404 200 200 401"},
    ("POST", "/api/v1/privileges/{id}/grant_provisional/"): {"own": "403 403 403 403 403 403 403 403 200 401", "others": "403 403 403 403 403 403 403 403 200 401"},
    ("POST", "/api/v1/privileges/{id}/grant_full/"): {"own": "403 403 403 403 403 403 403 403 409 401", "others": "403 403 403 403 403 403 403 403 409 401"},
    ("POST", "/api/v1/privileges/{id}/suspend/"): {"own": "403 403 403 403 403 403 403 403 200 401", "others": "403 403 403 403 403 403 403 403 200 401"},
    ("POST", "/api/v1/privileges/{id}/reinstate/"): {"own": "403 403 403 403 403 403 403 403 200 401", "others": "403 403 403 403 403 403 403 403 200 401"},
    ("POST", "/api/v1/privileges/{id}/revoke/"): {"own": "403 403 403 403 403 403 403 403 200 401", "others": "403 403 403 403 403 403 403 403 200 401"},
    ("POST", "/api/v1/privileges/{id}/assign_proctor/"): {"own": "403 403 403 403 403 403 403 403 200 401", "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/privilege-rules/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/privilege-rules/"): {"all": "403 403 403 403 403 403 403 403 201 401"},
    ("GET", "/api/v1/privilege-rules/{id}/"): {"own": "200 200 200 200 200 200 200 200 200 401", "others": "200 200 200 200 200 200 200 200 200 401"},
    ("PATCH", "/api/v1/privilege-rules/{id}/"): {"own": "403 403 403 403 403 403 403 403 200 401", "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/procedure-groups/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/procedure-groups/"): {"all": "403 403 403 403 403 403 403 403 201 401"},
    ("GET", "/api/v1/procedure-groups/{id}/"): {"own": "200 200 200 200 200 200 200 200 200 401", "others": "200 200 200 200 200 200 200 200 200 401"},
    ("PATCH", "/api/v1/procedure-groups/{id}/"): {"own": "403 403 403 403 403 403 403 403 200 401", "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/proctor-reports/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/proctor-reports/"): {"all": "403 403 201 400 403 403 403 403 403 401"},
    ("GET", "/api/v1/proctor-reports/{id}/"): {"own": "200 404 200 404 404 404 200 404 200 401", "others": "404 200 404 404 404 404 404 200 200 401"},
    ("GET", "/api/v1/clearance/"): {"own": "200 404 404 404 404 404 200 404 200 401", "others": "404 200 404 404 404 404 404 200 200 401"},
    ("GET", "/api/v1/site-leads/"): {"all": "403 403 403 403 403 403 200 200 200 401"},
    ("POST", "/api/v1/site-leads/"): {"all": "403 403 403 403 403 403 201 403 201 401"},
    ("GET", "/api/v1/site-leads/{id}/"): {"own": "403 403 403 403 403 403 200 404 200 401",
                                          "others": "403 403 403 403 403 403 404 200 200 401"},
    ("POST", "/api/v1/site-leads/{id}/end/"): {"own": "403 403 403 403 403 403 204 404 204 401",
                                               "others": "403 403 403 403 403 403 404 204 204 401"},
    # Accredited centres and courses: a register everyone reads; programme admins add centres
    # and accredit; a centre's leads (its lab's managers) add courses and submit annual
    # returns, which they, the centre's regional lead and admins read (others 404); the
    # feedback is read only in aggregate, by the same people (others 403).
    ("GET", "/api/v1/accreditation-schemes/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/accreditation-schemes/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/centres/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/centres/"): {"all": "403 403 403 403 403 403 403 403 201 401"},
    ("GET", "/api/v1/centres/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/centres/{id}/feedback/"): {
        "own": "403 403 403 403 200 403 200 403 200 401",
        "others": "403 403 403 403 403 200 403 200 200 401"},
    ("GET", "/api/v1/courses/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/courses/"): {"all": "403 403 403 403 201 403 403 403 201 401"},
    ("GET", "/api/v1/courses/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/centre-accreditations/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/centre-accreditations/"): {"all": "403 403 403 403 403 403 403 403 201 401"},
    ("GET", "/api/v1/centre-accreditations/{id}/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "200 200 200 200 200 200 200 200 200 401"},
    ("POST", "/api/v1/centre-accreditations/{id}/withdraw/"): {
        "own": "403 403 403 403 403 403 403 403 200 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/annual-returns/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/annual-returns/{id}/"): {
        "own": "404 404 404 404 200 404 200 404 200 401",
        "others": "404 404 404 404 404 200 404 200 200 401"},
    ("POST", "/api/v1/annual-returns/{id}/submit/"): {
        "own": "404 404 404 404 200 404 403 404 403 401",
        "others": "404 404 404 404 404 200 404 403 403 401"},
    ("POST", "/api/v1/annual-returns/{id}/review/"): {
        "own": "403 403 403 403 403 403 403 403 200 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/feedback/"): {"all": "200 200 403 403 403 403 403 403 403 401"},
    ("POST", "/api/v1/feedback/"): {"all": "201 201 403 403 403 403 403 403 403 401"},
    # The procedure catalogue: versioned data programme admins change.
    ("PATCH", "/api/v1/procedures/{id}/"): {
        "own": "403 403 403 403 403 403 403 403 200 401",
        "others": "403 403 403 403 403 403 403 403 200 401"},
    ("GET", "/api/v1/procedures/{id}/versions/"): {
        "own": "200 200 200 200 200 200 200 200 200 401",
        "others": "200 200 200 200 200 200 200 200 200 401"},
    ("GET", "/api/v1/platforms/"): {"all": "200 200 200 200 200 200 200 200 200 401"},
}
