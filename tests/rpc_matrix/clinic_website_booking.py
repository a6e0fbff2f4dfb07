"""Who may call each public method clinic_website_booking defines (see tests/test_rpc_matrix.py).

Everything the website and the API need is private (clinic.online.booking and its .request, clinic.rate.limit._hit, the
idempotency store, the funnel's stats, the appointment's portal actions): the controllers call it after their
own checks. What is left are the buttons of the back office.
"""

FRONT_DESK = frozenset({"receptionist", "manager"})

MATRIX = {
    # Issue a new API key / list a consumer's bookings: clinic managers, who alone may read consumers.
    ("clinic.api.consumer", "action_generate_key"): frozenset({"manager"}),
    ("clinic.api.consumer", "action_view_appointments"): frozenset({"manager"}),
    # A representation declared online is confirmed or rejected by the front desk against documents.
    ("clinic.representation.request", "action_approve"): FRONT_DESK,
    ("clinic.representation.request", "action_reject"): FRONT_DESK,
    # A card made online that resembles a known patient: the front desk merges it or dismisses the suggestion.
    ("res.partner", "action_merge_online_candidate"): FRONT_DESK,
    ("res.partner", "action_dismiss_online_candidate"): FRONT_DESK,
}

ARGS = {}
