"""A merge of duplicate cards moves what every module hangs on the patient, not only clinic_base's lines."""

from datetime import date, timedelta


def _patient(env, surname, first_name, patronymic, birth_date, **vals):
    return env["res.partner"].create(
        dict(is_patient=True, surname=surname, first_name=first_name, patronymic=patronymic, birth_date=birth_date,
             **vals)
    )  # fmt: skip


def test_merge_moves_appointments_visits_payments_and_waiting_list(env):
    keep = _patient(env, "Морозова", "Алла", "Викторовна", date(1984, 4, 4), phone="8 917 444-55-66")
    copy = _patient(env, "МОРОЗОВА", "алла", "", date(1984, 4, 4), phone="+7(917)4445566")
    doctor = env["hr.employee"].search([("is_practitioner", "=", True)], limit=1)
    runs = env["clinic.slot"].find_free(employees=doctor, limit=2)
    assert len(runs) == 2, "the demo practitioner has free slots ahead"
    appointment = env["clinic.appointment"].book(copy, runs[0], source="phone")
    visit_appointment = env["clinic.appointment"].book(copy, runs[1], source="front_desk")
    visit_appointment.action_arrive()
    visit = visit_appointment.visit_id
    payment = env["clinic.visit.payment"].create(
        {"visit_id": visit.id, "amount": 1500, "method": "card", "payer_id": copy.id}
    )
    waiting = env["clinic.waitlist"].create(
        {"patient_id": copy.id, "employee_id": doctor.id, "date_to": date.today() + timedelta(days=7)}
    )
    consent = env["clinic.consent"].create(
        {"partner_id": copy.id, "purpose": "personal_data", "action": "given", "source": "front_desk"}
    )

    clusters = env["clinic.duplicate.engine"].find_clusters([keep.id, copy.id])
    assert [set(c["ids"]) for c in clusters] == [{keep.id, copy.id}]
    assert clusters[0]["auto"], "same name and birth date: safe to merge"
    merged = env["clinic.duplicate.cluster"].merge_auto([keep.id, copy.id])

    assert merged.state == "merged"
    assert not copy.exists()
    survivor = merged.master_id
    assert survivor == keep, "the card with the patronymic is the more complete one"
    for record, field in (
        (appointment, "patient_id"),
        (visit_appointment, "patient_id"),
        (visit, "patient_id"),
        (payment, "payer_id"),
        (waiting, "patient_id"),
        (consent, "partner_id"),
    ):
        assert record[field] == survivor, f"{record._name}.{field} still points at the merged card"
    assert survivor.clinic_phone_ids.mapped("number") == ["+79174445566"], "the two phone lines became one"
    log = env["clinic.merge.log"].search([("dst_partner_id", "=", survivor.id)])
    assert log.merged_ids == str(copy.id)
