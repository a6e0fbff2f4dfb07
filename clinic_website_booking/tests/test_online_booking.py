from collections import Counter
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..controllers.website import format_price, years_ru
from ..models.clinic_appointment import ics_fold
from ..models.clinic_online_booking import OnlineBookingError
from .common import TZ, OnlineBookingCase


@tagged("post_install", "-at_install")
class TestOnlineBooking(OnlineBookingCase):
    """The booking rules shared by the website and the API (clinic.online.booking)."""

    def assertRefused(self, code, values):
        before = self.counts()
        with self.assertRaises(OnlineBookingError) as caught:
            self.Request.book_online(values)
        self.assertEqual(caught.exception.code, code, str(caught.exception))
        self.assertEqual(self.counts(), before, f"{code}: a refused booking changes nothing")
        return caught.exception

    # ------------------------------------------------------------------ offer

    def test_only_published_practitioners_and_their_services_are_offered(self):
        self.colleague.clinic_published = False
        adults = self.Booking.practitioners("adult", self.adult_specialty)
        self.assertEqual(adults, self.doctor)
        self.assertNotIn(self.pediatrician, self.Booking.practitioners("adult"))
        self.assertIn(self.pediatrician, self.Booking.practitioners("child"))
        self.assertEqual(self.Booking.services(practitioner=self.doctor), self.long_service | self.service)
        self.assertEqual(self.Booking.services("child", practitioner=self.pediatrician), self.child_service)
        self.assertEqual(self.Booking.practitioners(service=self.child_service), self.pediatrician)

    def test_search_runs_by_part_of_day_and_service_length(self):
        runs = self.free_runs(self.doctor, self.long_service)
        self.assertTrue(all(len(run) == 2 for run in runs), "a 60-minute service takes two 30-minute slots")
        mornings = self.Booking.search_runs(self.doctor, hours=(0, 12))
        self.assertTrue(mornings)
        self.assertTrue(all(self.Booking.local_start(run).hour < 12 for run in mornings))

    def test_one_slot_starts_are_those_of_find_free(self):
        """The one-query path of search_runs keeps to clinic.slot's own rule of what is bookable."""
        practitioners = self.doctor | self.colleague
        runs = self.free_runs(self.doctor)
        self.Booking.hold(runs[0][0])  # held: not offered
        self.Booking.hold(runs[1][0])
        runs[1][0].hold_until = fields.Datetime.now() - timedelta(minutes=1)  # hold ran out: offered again
        self.Request.book_online(self.values(runs[2][0]))  # booked: not offered
        start, stop = fields.Datetime.now(), fields.Datetime.now() + timedelta(days=3)
        expected = self.env["clinic.slot"].find_free(employees=practitioners, date_from=start, date_to=stop)
        found = self.Booking.search_runs(practitioners, self.service, start, stop)
        self.assertEqual([run.ids for run in found], [run.ids for run in expected])
        self.assertNotIn(runs[0][0], found)
        self.assertIn(runs[1][0], found)

    def test_strip_of_days_counts_the_free_starts(self):
        practitioners = self.doctor | self.colleague
        start = fields.Datetime.now() + timedelta(hours=1)
        stop = start + timedelta(days=7)
        self.Booking.hold(self.free_runs(self.doctor)[0][0])
        runs = self.Booking.localized(self.Booking.search_runs(practitioners, None, start, stop))
        counts = self.Booking.free_counts(practitioners, start, stop, TZ)
        self.assertEqual(dict(counts), dict(Counter(moment.date() for _run, moment in runs)))
        mornings = self.Booking.free_counts(practitioners, start, stop, TZ, hours=(0, 12))
        self.assertEqual(sum(mornings.values()), len([run for run, moment in runs if moment.hour < 12]))

    def test_formatting_helpers(self):
        self.assertEqual(format_price(1500, self.env.ref("base.RUB")), "1\u00a0500\u00a0₽")
        self.assertEqual(format_price(990.5, self.env.ref("base.RUB")), "990,50\u00a0₽")
        self.assertEqual([years_ru(n) for n in (1, 2, 5, 11, 21, 24, 112)], ["год", "года", "лет", "лет", "год",
                                                                              "года", "лет"])  # fmt: skip

    # ------------------------------------------------------------------ patients

    def test_new_patient_is_created_with_consents_and_the_front_desk_is_told(self):
        slot = self.free_runs(self.doctor)[0][0]
        appointment = self.Request.book_online(self.values(slot, service=self.service))
        patient = appointment.patient_id
        self.assertEqual((patient.surname, patient.first_name, patient.birth_date),
                         ("Новикова", "Мария", date(1990, 4, 12)))  # fmt: skip
        self.assertTrue(patient.is_patient)
        self.assertEqual(patient.clinic_phone_ids.number, "+79125550102")
        self.assertEqual(appointment.source, "website")
        self.assertEqual(appointment.contact_phone, "+79125550102")
        self.assertEqual(appointment.service_ids, self.service)
        self.assertFalse(appointment.needs_attention)
        consents = patient.consent_ids
        self.assertEqual(set(consents.mapped("purpose")), {"personal_data", "service_messages"})
        self.assertEqual(set(consents.mapped("source")), {"website"})
        self.assertTrue(all(c.action == "given" and c.given_by == "patient" for c in consents))
        self.assertLessEqual(abs((consents[0].date - fields.Datetime.now()).total_seconds()), 60)
        self.assertTrue(patient.clinic_may_contact("service_messages", "whatsapp"))
        # The practitioner's calendar event and the front desk's pop-up come after the patient's request, from the
        # cron the booking triggered.
        self.assertTrue(appointment.calendar_pending)
        self.assertFalse(appointment.calendar_event_id)
        self.assertFalse(self.reception_pings("website_booking"))
        self.follow_up()
        self.assertEqual((appointment.calendar_event_id.start, appointment.calendar_event_id.privacy),
                         (appointment.start, "private"))  # fmt: skip
        pings = self.reception_pings("website_booking")
        self.assertEqual(len(pings), 1)
        self.assertEqual(pings[0]["res_model"], "clinic.appointment")
        self.assertEqual(pings[0]["res_id"], appointment.id)
        self.assertFalse(pings[0]["sticky"], "nothing to check: the pop-up goes away by itself")
        for part in ("Новикова Мария Сергеевна", "Терапевтова Анна Павловна", "12.04.1990"):
            self.assertIn(part, pings[0]["message"])
        self.follow_up()
        self.assertEqual(len(self.reception_pings("website_booking")), 1, "a booking is followed up once")

    def test_known_name_and_birth_date_never_land_on_the_card(self):
        """Hole 3: a visitor typing a known patient's name and birth date gets a card of their own; the known card
        is not booked, not changed, not named to them, and the front desk is asked to check."""
        known = self.Partner.create(
            {"is_patient": True, "surname": "Новикова", "first_name": "Мария", "patronymic": "Сергеевна",
             "birth_date": "1990-04-12"}
        )  # fmt: skip
        before = known.read(["name", "email", "phone", "consent_ids", "relation_ids"])[0]
        values = self.values(self.free_runs(self.doctor)[0][0], person=self.person(patronymic=""))
        appointment = self.Request.book_online(values)
        card = appointment.patient_id
        self.assertNotEqual(card, known)
        self.assertEqual(card.name, "Новикова Мария", "the card holds what was typed, not the known patronymic")
        self.assertEqual((card.email, card.online_candidate_id), ("maria@example.com", known))
        self.assertEqual(known.read(["name", "email", "phone", "consent_ids", "relation_ids"])[0], before)
        self.assertFalse(self.Appointment.search([("patient_id", "=", known.id)]))
        self.assertTrue(card.consent_ids, "the consents ticked are the visitor's, on their own card")
        self.assertTrue(appointment.needs_attention)
        self.assertIn(known.name, appointment.attention_reason)
        self.follow_up()
        ping = self.reception_pings("website_booking")[0]
        self.assertTrue(ping["sticky"], "a flagged booking stays on the receptionist's screen")
        self.assertIn(appointment.attention_reason, ping["message"], "and says what to check")

    def test_front_desk_merges_or_dismisses_the_suggested_card(self):
        known = self.Partner.create(
            {"is_patient": True, "surname": "Новикова", "first_name": "Мария", "patronymic": "Сергеевна",
             "birth_date": "1990-04-12", "phone": "+7 903 111-22-33"}
        )  # fmt: skip
        appointment = self.Request.book_online(self.values(self.free_runs(self.doctor)[0][0]))
        card = appointment.patient_id
        portal = new_test_user(self.env, login="clinic_portal_merge", groups="base.group_portal")
        with self.assertRaises(AccessError):
            card.with_user(portal).action_merge_online_candidate()
        card.with_user(self.receptionist).action_merge_online_candidate()
        self.assertFalse(card.exists())
        self.assertEqual(appointment.patient_id, known, "once confirmed, the booking moves to the known card")
        other = self.Request.book_online(self.values(self.free_runs(self.doctor, skip=2)[0][0]))
        other.patient_id.with_user(self.receptionist).action_dismiss_online_candidate()
        self.assertFalse(other.patient_id.online_candidate_id)

    def test_a_shared_phone_alone_makes_a_new_card(self):
        mother = self.Partner.create(
            {"is_patient": True, "surname": "Новикова", "first_name": "Ольга", "birth_date": "1965-01-30",
             "phone": "8 912 555-01-02"}
        )  # fmt: skip
        appointment = self.Request.book_online(self.values(self.free_runs(self.doctor)[0][0]))
        self.assertNotEqual(appointment.patient_id, mother, "a phone is a contact, never an identity")
        self.assertFalse(appointment.needs_attention)

    def test_child_booked_by_a_representative(self):
        """A representation declared online is a request for the front desk, never a relation."""
        slot = self.free_runs(self.pediatrician)[0][0]
        values = self.values(
            slot,
            person=self.person("Малышева", "Ева", "Игоревна", "2019-06-02"),
            representative={"surname": "Малышева", "first_name": "Ольга", "patronymic": "Петровна",
                            "kinship": "mother"},
        )  # fmt: skip
        appointment = self.Request.book_online(values)
        child = appointment.patient_id
        self.assertFalse(child.relation_ids, "no relation from a form")
        request = self.env["clinic.representation.request"].search([("child_id", "=", child.id)])
        self.assertEqual((request.representative_id.name, request.kinship, request.state),
                         ("Малышева Ольга Петровна", "mother", "pending"))  # fmt: skip
        self.assertEqual(request.representative_id.phone, "+79125550102")
        self.assertEqual(request.appointment_id, appointment)
        consent = child.consent_ids.filtered(lambda c: c.purpose == "personal_data")
        self.assertEqual((consent.given_by, consent.representative_id), ("representative", request.representative_id))
        self.assertTrue(appointment.needs_attention)
        with self.assertRaises(UserError):
            request.with_user(self.receptionist).action_approve()  # the document checked must be named
        request.basis_document = "Свидетельство о рождении II-АБ 123456"
        request.with_user(self.receptionist).action_approve()
        link = child.relation_ids
        self.assertEqual((link.relative_id, link.kinship, link.is_legal_representative),
                         (request.representative_id, "mother", True))  # fmt: skip

    def test_one_time_code_allows_five_tries_in_all(self):
        """Each try is counted for good (a refused booking rolls back, the count stays): the sixth fails even right."""
        self.Partner.create(
            {"is_patient": True, "surname": "Новикова", "first_name": "Мария", "patronymic": "Сергеевна",
             "birth_date": "1990-04-12", "phone": "8 912 555-01-02"}
        )  # fmt: skip
        Code = self.env["clinic.identity.code"]
        sent = []
        person = self.Request._clean_person(self.person(), "")
        with patch.object(type(Code), "_deliver_code", lambda self, phone, code: sent.append(code)):
            challenge = Code._challenge(person, "+79125550102")
        self.assertEqual(len(sent), 1)
        for attempt in range(5):
            # Not assertRaises: it would roll the counted try back, the website and the API keep it.
            try:
                Code._verify(challenge, f"x{attempt}", "+79125550102")
            except OnlineBookingError as error:
                self.assertEqual(error.field, "identity.code")
            else:
                self.fail("a wrong code was taken")
        try:
            Code._verify(challenge, sent[0], "+79125550102")
        except OnlineBookingError as error:
            self.assertEqual(error.field, "identity.challenge")
        else:
            self.fail("a sixth try was let through")

    def test_portal_account_cannot_become_a_childs_representative(self):
        """Hole 2: a portal account typing a known child's name and birth date gets no link to that child."""
        child = self.Partner.create(
            {"is_patient": True, "surname": "Малышева", "first_name": "Ева", "birth_date": "2019-06-02"}
        )
        user = new_test_user(self.env, login="clinic_portal_intruder", groups="base.group_portal")
        account = user.partner_id
        for method, extra in (("book_online", {"slot": self.free_runs(self.pediatrician)[0][0]}),
                              ("join_waitlist", {"specialty": self.child_specialty})):  # fmt: skip
            values = dict(self.values(None, account=account, person=self.person("Малышева", "Ева", "", "2019-06-02")),
                          **extra)  # fmt: skip
            record = getattr(self.Request, method)(values)
            self.assertNotEqual(record.patient_id, child)
            self.assertFalse(
                self.env["clinic.partner.relation"].search([("relative_id", "=", account.id)]),
                f"{method}: no relation of the account to any child",
            )
        self.assertFalse(self.Request.represented(account))
        self.assertFalse(
            self.Appointment.search([*self.Appointment._portal_domain(account), ("patient_id", "=", child.id)])
        )
        requests = self.env["clinic.representation.request"].search([("representative_id", "=", account.id)])
        self.assertEqual(len(requests), 2)
        self.assertEqual(set(requests.mapped("state")), {"pending"})

    def test_portal_account_books_itself_and_its_children(self):
        user = new_test_user(self.env, login="clinic_portal_unit", groups="base.group_portal", name="Иванова Ирина")
        account = user.partner_id
        appointment = self.Request.book_online(
            self.values(self.free_runs(self.doctor)[0][0], account=account,
                        person=self.person("Иванова", "Ирина", "Львовна", "1988-08-08"))
        )  # fmt: skip
        self.assertEqual(appointment.patient_id, account, "the account's own contact becomes the patient card")
        self.assertTrue(account.is_patient)
        child = self.Partner.create(
            {"is_patient": True, "surname": "Иванов", "first_name": "Пётр", "birth_date": "2020-02-02",
             "relation_ids": [(0, 0, {"relative_id": account.id, "kinship": "mother",
                                      "is_legal_representative": True})]}
        )  # fmt: skip
        self.assertEqual(self.Request.represented(account), child)
        booked = self.Request.book_online(
            self.values(self.free_runs(self.pediatrician)[0][0], account=account, patient=child, person=None)
        )
        self.assertEqual(booked.patient_id, child)
        self.assertFalse(booked.needs_attention)
        stranger = self.Partner.create({"is_patient": True, "surname": "Чужой", "first_name": "Кто",
                                        "birth_date": "2018-01-01"})  # fmt: skip
        self.assertRefused(
            "forbidden", self.values(self.free_runs(self.pediatrician)[0][0], account=account, patient=stranger)
        )

    # ------------------------------------------------------------------ refusals

    def test_bad_input_is_refused_and_changes_nothing(self):
        slot = self.free_runs(self.doctor)[0][0]
        self.assertRefused("invalid_phone", self.values(slot, phone="12-34"))
        self.assertRefused("missing_field", self.values(slot, phone=""))
        self.assertRefused("missing_consent", self.values(slot, consent_personal_data=False))
        self.assertRefused("invalid_email", self.values(slot, email="maria@"))
        self.assertRefused("invalid_birth_date", self.values(slot, person=self.person(birth_date="2090-01-01")))
        self.assertRefused("missing_field", self.values(slot, person=self.person(surname=" ")))
        self.assertRefused("invalid_field", self.values(slot, person=self.person(first_name="Мария2")))
        self.assertRefused("unknown_service", self.values(slot, service=self.child_service))
        error = self.assertRefused("age_mismatch", self.values(self.free_runs(self.pediatrician)[0][0]))
        self.assertIn("children", str(error))
        self.assertRefused(
            "missing_representative",
            self.values(self.free_runs(self.pediatrician)[0][0], person=self.person(birth_date="2020-01-01")),
        )
        self.doctor.clinic_published = False
        self.assertRefused("slot_unavailable", self.values(slot))

    def test_ages_and_birth_dates_follow_the_clinics_calendar(self):
        """A visitor has no time zone of their own: an age turns, and a birth date becomes possible, at the clinic's
        midnight (Yekaterinburg, UTC+5), whatever the zone of the user the website runs as."""
        public = self.Request.with_user(self.env.ref("base.public_user")).with_context(tz="America/New_York")
        with freeze_time("2026-03-10 20:30:00"):  # 01:30 on the 11th at the clinic, 16:30 on the 10th in New York
            self.assertEqual(public._age_today(date(2000, 3, 11)), 26)
            self.assertEqual(public._clean_birth_date("11.03.2026", "birth_date"), date(2026, 3, 11))
            with self.assertRaises(OnlineBookingError):
                public._clean_birth_date("12.03.2026", "birth_date")

    def test_slot_in_the_past_is_refused(self):
        past = self.env["clinic.slot"].search(
            [("employee_id", "=", self.doctor.id), ("start", "<", fields.Datetime.now())], limit=1
        ) or self.env["clinic.slot"].create(
            {"employee_id": self.doctor.id, "start": fields.Datetime.now() - timedelta(hours=2),
             "stop": fields.Datetime.now() - timedelta(hours=1, minutes=30)}
        )  # fmt: skip
        self.assertRefused("slot_in_past", self.values(past))

    def test_cap_of_upcoming_online_bookings_per_phone(self):
        self.env["ir.config_parameter"].set_param("clinic_website_booking.max_active_per_phone", 1)
        runs = self.free_runs(self.doctor)
        self.Request.book_online(self.values(runs[0][0]))
        error = self.assertRefused("booking_limit_reached", self.values(runs[2][0]))
        self.assertEqual(error.status, 409)

    def test_attempts_per_phone_are_limited(self):
        self.env["ir.config_parameter"].set_param("clinic_website_booking.phone_attempts_per_hour", 2)
        slot = self.free_runs(self.doctor)[0][0]
        self.Booking.hold(slot)
        for _attempt in range(2):
            # Not assertRaises: it would roll the counted hit back, the website and the API commit it.
            try:
                self.Request.book_online(self.values(slot))
            except OnlineBookingError as error:
                self.assertEqual(error.code, "slot_taken", "refused after the count: counted all the same")
            else:
                self.fail("a slot held by someone else was booked")
        error = self.assertRefused("rate_limited", self.values(self.free_runs(self.doctor)[0][0]))
        self.assertGreater(error.retry_after, 0)
        self.assertEqual(error.status, 429)

    # ------------------------------------------------------------------ holds and races

    def test_held_slot_goes_to_its_holder_and_others_get_alternatives(self):
        slot = self.free_runs(self.doctor)[0][0]
        token = self.Booking.hold(slot, self.service)
        self.assertEqual(slot.state, "held")
        error = self.assertRefused("slot_taken", self.values(slot))
        self.assertTrue(error.alternatives)
        self.assertEqual(error.alternatives[0].employee_id, self.doctor, "the same doctor's times come first")
        self.assertNotIn(slot, [run[0] for run in error.alternatives])
        with self.assertRaises(OnlineBookingError) as caught:
            self.Booking.hold(slot)
        self.assertEqual(caught.exception.code, "slot_taken")
        appointment = self.Request.book_online(self.values(slot, hold_token=token, service=self.service))
        self.assertEqual(appointment.slot_ids, slot)
        self.assertFalse(self.Booking.held_run(token))

    def test_alternatives_include_colleagues_when_the_doctor_is_full(self):
        runs = self.free_runs(self.doctor)
        self.env["clinic.slot"].search(
            [("employee_id", "=", self.doctor.id), ("id", "!=", runs[0][0].id), ("state", "=", "free")]
        ).write({"state": "blocked"})
        alternatives = self.Booking.alternatives(runs[0][0])
        self.assertTrue(alternatives)
        self.assertEqual({run.employee_id for run in alternatives}, {self.colleague})

    def test_a_long_service_books_consecutive_slots(self):
        run = self.free_runs(self.doctor, self.long_service)[0]
        appointment = self.Request.book_online(self.values(run[0], service=self.long_service))
        self.assertEqual(appointment.slot_ids, run)
        self.assertEqual(appointment.duration, 60)

    # ------------------------------------------------------------------ after booking

    def test_patient_cancels_online_and_the_waiting_list_is_offered_the_time(self):
        slot = self.free_runs(self.doctor)[0][0]
        waiting = self.Partner.create({"is_patient": True, "surname": "Ждущая", "first_name": "Нина"})
        entry = self.env["clinic.waitlist"].create(
            {"patient_id": waiting.id, "employee_id": self.doctor.id, "date_to": date.today() + timedelta(days=14)}
        )
        appointment = self.Request.book_online(self.values(slot))
        appointment._portal_cancel()
        self.assertEqual((appointment.state, appointment.cancelled_by), ("cancelled", "patient"))
        self.assertEqual(entry.state, "offered", "the freed time is offered at once")
        self.assertEqual(entry.offer_ids.slot_ids, slot)
        pings = self.reception_pings("cancellation")
        self.assertEqual(len(pings), 1, "one pop-up per cancellation")
        self.assertIn("Cancelled online by the patient", pings[0]["message"])
        with self.assertRaises(OnlineBookingError) as caught:
            appointment._portal_cancel()
        self.assertEqual(caught.exception.code, "invalid_state")

    def test_patient_moves_online_to_another_free_time_of_the_same_doctor(self):
        runs = self.free_runs(self.doctor)
        appointment = self.Request.book_online(self.values(runs[0][0]))
        options = appointment._reschedule_options()
        self.assertNotIn(runs[0][0], [run[0] for run in options])
        appointment._portal_reschedule(runs[3][0])
        self.assertEqual(appointment.start, runs[3][0].start)
        self.assertEqual(runs[0][0].state, "free")
        self.assertEqual(appointment.reschedule_count, 1)
        self.assertEqual(len(self.reception_pings("website_reschedule")), 1)
        with self.assertRaises(OnlineBookingError) as caught:
            appointment._portal_reschedule(self.free_runs(self.colleague)[0][0])
        self.assertEqual(caught.exception.code, "slot_unavailable")

    def test_waiting_list_from_the_website(self):
        entry = self.Request.join_waitlist(
            {"person": self.person(), "phone": "8 912 555-01-02", "consent_personal_data": True,
             "specialty": self.adult_specialty, "hours": (17, 24)}
        )  # fmt: skip
        self.assertEqual((entry.specialty_id, entry.hour_from, entry.hour_to), (self.adult_specialty, 17, 24))
        self.assertEqual(entry.state, "waiting")
        self.assertEqual(entry.patient_id.consent_ids.source, "website")
        self.assertEqual(len(self.reception_pings("website_waitlist")), 1)
        with self.assertRaises(OnlineBookingError) as caught:
            self.Request.join_waitlist({"person": self.person(), "phone": "89125550102", "consent_personal_data": True})
        self.assertEqual(caught.exception.code, "missing_field")

    def test_funnel_and_time_to_book(self):
        Funnel = self.env["clinic.booking.funnel"]
        now = fields.Datetime.now()
        visit = Funnel.create({"first_view_at": now - timedelta(seconds=95)})
        Funnel.create({"first_view_at": now - timedelta(seconds=30)})._step("form")
        Funnel.create({"first_view_at": now - timedelta(seconds=10)})
        appointment = self.Request.book_online(
            self.values(self.free_runs(self.doctor)[0][0], funnel=visit, booking_started_at=visit.first_view_at)
        )
        self.assertEqual((visit.stage, visit.appointment_id), ("booked", appointment))
        self.assertAlmostEqual(visit.seconds_to_book, 95, delta=5)
        self.assertEqual(appointment.booking_started_at, visit.first_view_at)
        self.assertAlmostEqual(appointment.booking_seconds, 95, delta=5)
        stats = Funnel.stats(now - timedelta(minutes=5), now + timedelta(minutes=1))
        self.assertEqual((stats["visits"], stats["forms"], stats["booked"]), (3, 2, 1))
        self.assertAlmostEqual(stats["conversion"], 1 / 3)
        self.assertAlmostEqual(stats["median_seconds_to_book"], 95, delta=5)

    def test_calendar_file(self):
        appointment = self.Request.book_online(self.values(self.free_runs(self.doctor)[0][0], service=self.service))
        ics = appointment._ics().decode()
        self.assertTrue(ics.startswith("BEGIN:VCALENDAR\r\n"))
        self.assertIn(f"DTSTART:{appointment.start:%Y%m%dT%H%M%S}Z\r\n", ics)
        self.assertIn(f"DTEND:{appointment.stop:%Y%m%dT%H%M%S}Z\r\n", ics)
        self.assertIn("SUMMARY:Appointment: Терапевтова Анна Павловна", ics)
        self.assertTrue(all(len(line.encode()) <= 75 for line in ics.split("\r\n")))
        folded = ics_fold("DESCRIPTION:" + "Приём " * 30)
        self.assertTrue(all(len(line.encode()) <= 75 for line in folded.split("\r\n")))
        self.assertEqual(folded.replace("\r\n ", ""), "DESCRIPTION:" + "Приём " * 30)
