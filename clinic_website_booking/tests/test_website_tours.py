from datetime import date, timedelta
from unittest.mock import patch

from odoo.tests import new_test_user, tagged

from ..models import clinic_identity_code
from .common import OnlineBookingHttpCase


class BookingTourMixin:
    def assertBookedOnline(self, surname, practitioners, phone, timed=True):
        """The tour ended with the appointment in the database and the receptionist's pop-up sent; ``timed``: its
        time to book was measured from the visitor's first look at free slots."""
        self.follow_up()  # the booking's follow-up, which its reservation triggered, makes the appointment
        appointment = self.Appointment.search([("patient_id.surname", "=", surname)])
        self.assertEqual(len(appointment), 1, f"one appointment for {surname}")
        self.assertEqual(
            (appointment.state, appointment.source, appointment.contact_phone), ("booked", "website", phone)
        )
        self.assertIn(appointment.employee_id, practitioners)
        self.assertEqual(bool(appointment.booking_started_at), timed)
        consent = appointment.patient_id.consent_ids.filtered(lambda c: c.purpose == "personal_data")
        self.assertEqual((consent.action, consent.source), ("given", "website"))
        pings = [p for p in self.reception_pings("website_booking") if p["res_id"] == appointment.id]
        self.assertEqual(len(pings), 1, "the front desk got one pop-up for the booking")
        self.assertEqual(pings[0]["res_model"], "clinic.appointment")
        self.assertIn(appointment.employee_id.name, pings[0]["message"])
        return appointment


@tagged("post_install", "-at_install")
class TestBookingTourDesktop(BookingTourMixin, OnlineBookingHttpCase):
    def test_home_page_to_confirmed_appointment(self):
        self.start_tour("/", "clinic_website_booking_desktop")
        appointment = self.assertBookedOnline("Тураева", self.doctor | self.colleague, "+79127001122")
        self.assertEqual(appointment.service_ids, self.service)
        self.assertEqual(appointment.patient_id.email, "alina@example.com")
        self.assertTrue(appointment.patient_id.clinic_may_contact("service_messages", "whatsapp"))
        visit = self.env["clinic.booking.funnel"].search([("appointment_id", "=", appointment.id)])
        self.assertEqual(visit.stage, "booked")
        self.assertEqual(appointment.booking_started_at, visit.first_view_at)
        self.assertTrue(visit.form_started_at)

    def test_time_taken_between_seeing_and_choosing_it(self):
        self.start_tour(f"/booking/slots?age=adult&employee_id={self.doctor.id}", "clinic_website_booking_taken")
        self.follow_up()
        other = self.Appointment.search([("patient_id.surname", "=", "Другова")])
        # The tour's other visitor shares the browser session, so its booking closed the funnel of this one.
        late = self.assertBookedOnline("Опоздавшева", self.doctor | self.colleague, "+79127005566", timed=False)
        self.assertEqual(len(other), 1)
        self.assertNotEqual(late.start, other.start, "the late visitor took one of the alternatives offered")
        same_time = [("employee_id", "=", other.employee_id.id), ("start", "=", other.start), ("state", "=", "booked")]
        self.assertEqual(self.Appointment.search_count(same_time), 1, "never two bookings of one time")

    def test_known_patient_proves_the_card_with_a_code(self):
        """A returning patient gets the booking on her own card, proven by a code sent to the card's phone."""
        known = self.Partner.create(
            {"is_patient": True, "surname": "Постоянная", "first_name": "Нина", "patronymic": "Петровна",
             "birth_date": "1975-03-03", "phone": "+7 912 700-99-88"}
        )  # fmt: skip
        sent = []
        Code = type(self.env["clinic.identity.code"])
        with (
            patch.object(clinic_identity_code, "new_code", lambda: "123456"),
            patch.object(Code, "_deliver_code", lambda self, phone, code: sent.append((phone, code))),
        ):
            self.start_tour(
                f"/booking/slots?age=adult&employee_id={self.doctor.id}", "clinic_website_booking_known_patient"
            )
        self.assertEqual(sent, [("+79127009988", "123456")])
        self.follow_up()
        appointment = self.Appointment.search([("patient_id", "=", known.id)])
        self.assertEqual(len(appointment), 1, "booked on the proven card")
        self.assertFalse(appointment.needs_attention)
        self.assertEqual(self.Partner.search_count([("surname", "=", "Постоянная")]), 1, "no second card")


@tagged("post_install", "-at_install")
class TestBookingTourPhone(BookingTourMixin, OnlineBookingHttpCase):
    browser_size = "375x667"
    touch_enabled = True

    def test_parent_books_a_child_on_a_phone(self):
        self.start_tour("/", "clinic_website_booking_phone")
        appointment = self.assertBookedOnline("Малышева", self.pediatrician, "+79167003344")
        child = appointment.patient_id
        self.assertEqual(child.birth_date, date(2019, 6, 2))
        self.assertFalse(child.relation_ids, "a representation typed in a form is not a relation")
        request = self.env["clinic.representation.request"].search([("child_id", "=", child.id)])
        self.assertEqual((request.representative_id.name, request.kinship, request.state),
                         ("Малышева Ольга Петровна", "mother", "pending"))  # fmt: skip
        consent = child.consent_ids.filtered(lambda c: c.purpose == "personal_data")
        self.assertEqual((consent.given_by, consent.representative_id), ("representative", request.representative_id))
        self.assertTrue(appointment.needs_attention, "the front desk checks a representative declared online")


@tagged("post_install", "-at_install")
class TestPortalTour(OnlineBookingHttpCase):
    def test_patient_moves_then_cancels_in_my_appointments(self):
        user = new_test_user(self.env, login="clinic_portal_tour", groups="base.group_portal", name="Портальная Ира")
        start = self.free_runs(self.doctor)[0][0]
        appointment = self.Request.book_online(
            self.values(start, account=user.partner_id, person=self.person("Портальная", "Ира", "", "1980-01-01"))
        )
        self.assertEqual(appointment.patient_id, user.partner_id, "the account's own contact, typed by its owner")
        waiting = self.Partner.create({"is_patient": True, "surname": "Ждущий", "first_name": "Олег"})
        entry = self.env["clinic.waitlist"].create(
            {"patient_id": waiting.id, "employee_id": self.doctor.id, "date_to": date.today() + timedelta(days=14)}
        )
        self.start_tour("/my", "clinic_website_booking_portal", login="clinic_portal_tour")
        self.assertEqual(appointment.state, "cancelled")
        self.assertEqual(appointment.cancelled_by, "patient")
        self.assertEqual(appointment.reschedule_count, 1)
        self.assertNotEqual(appointment.start, start.start)
        self.assertFalse(appointment.slot_ids, "the cancelled time is free again")
        self.assertEqual(entry.state, "offered", "and offered at once to the waiting list")
        kinds = {"website_reschedule", "cancellation"}
        self.assertEqual({kind for kind in kinds if self.reception_pings(kind)}, kinds)
