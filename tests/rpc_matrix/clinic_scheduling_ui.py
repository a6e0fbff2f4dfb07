"""Public model methods added for the front desk's and the doctor's screens (issue 9, part A), and the roles
that may call them through /web/dataset/call_kw; every other role must get an access error."""

DESK = frozenset({"receptionist", "manager"})

MATRIX = {
    # The day grid: every clinic role (a doctor without front-desk rights gets only their own columns).
    ("clinic.day.grid", "load_day_grid"): frozenset({"receptionist", "doctor", "accountant", "manager"}),
    # A free cell of the grid clicked: the booking window set to that time.
    ("clinic.slot", "action_book_from_grid"): DESK,
    # The «Book an appointment» menu: the booking window opened saved.
    ("clinic.booking.wizard", "action_open_window"): DESK,
    # «Book» in the window opened from the grid.
    ("clinic.booking.wizard", "action_book_chosen"): DESK,
    # «Book» and «Waiting list» on the patient card.
    ("res.partner", "action_clinic_book"): DESK,
    ("res.partner", "action_clinic_waitlist"): DESK,
    # Configuration → Settings of the Clinic app.
    ("clinic.settings", "action_save"): frozenset({"manager"}),
}
