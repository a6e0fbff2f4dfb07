import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from odoo import fields
from odoo.tests import new_test_user, tagged

from odoo.addons.clinic_scheduling.tests.common import next_working_day

from .common import OnlineBookingHttpCase

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestWebsiteBooking(OnlineBookingHttpCase):
    """The website pages and the booking flow over HTTP, as a browser without JavaScript sends them."""

    def csrf(self, html):
        return CSRF_RE.search(html).group(1)

    def hold(self, slot, **params):
        """Step 2 then a click on a free time; returns (csrf token, response of the hold)."""
        page = self.url_open(f"/booking/slots?age=adult&employee_id={slot.employee_id.id}")
        csrf = self.csrf(page.text)
        data = {
            "csrf_token": csrf,
            "slot_id": slot.public_ref,
            "age": "adult",
            "employee_id": slot.employee_id.id,
            **params,
        }
        return csrf, self.url_open("/booking/hold", data=data)

    def form(self, csrf, **values):
        return {
            "csrf_token": csrf,
            "age": "adult",
            "surname": "Формова",
            "first_name": "Вера",
            "birth_date": "1970-10-10",
            "phone": "8 912 444-55-66",
            "consent_personal_data": "1",
            **values,
        }

    # ------------------------------------------------------------------ pages

    def test_doctors_services_and_prices(self):
        self.doctor.practice_since = date.today() - timedelta(days=365 * 12 + 10)
        adults = self.url_open("/doctors").text
        self.assertIn("Терапевтова Анна Павловна", adults)
        self.assertNotIn("Детская Вера Ивановна", adults)
        self.assertIn("Детская Вера Ивановна", self.url_open("/doctors?age=child").text)
        slug = self.env["ir.http"]._slug(self.doctor)
        page = self.url_open(f"/doctors/{slug}")
        self.assertEqual(page.status_code, 200)
        expected = ("Тестовая терапия", "Стаж 12 лет", "Опытный врач.", "Тестовый приём терапевта", "1\u00a0500\u00a0₽",
                    "o_clinic_slot", "Ближайшее свободное время")  # fmt: skip
        for text in expected:
            self.assertIn(text, page.text)
        services = self.url_open("/services").text
        for text in ("Тестовая педиатрия", "Тестовый приём педиатра", "2\u00a0000\u00a0₽", "3\u00a0200\u00a0₽"):
            self.assertIn(text, services)
        self.assertEqual(self.url_open(f"/doctors/{self.doctor.id}/photo").status_code, 200)
        self.assertIn(f"/doctors/{slug}", self.url_open("/sitemap.xml").text, "published doctors are indexed")
        self.doctor.clinic_published = False
        self.assertEqual(self.url_open(f"/doctors/{slug}").status_code, 404)
        self.assertEqual(self.url_open(f"/doctors/{self.doctor.id}/photo").status_code, 404)
        self.assertNotIn("Терапевтова", self.url_open("/doctors").text)

    def test_filters_of_free_times(self):
        tomorrow = next_working_day(self.env, self.calendar).isoformat()  # a whole working day, whatever the hour
        url = f"/booking/slots?age=adult&employee_id={self.doctor.id}&date_from={tomorrow}"
        evening = self.url_open(f"{url}&daypart=evening").text
        self.assertIn("17:30", evening)
        self.assertNotIn("09:00", evening)
        morning = self.url_open(f"{url}&daypart=morning").text
        self.assertIn("09:00", morning)
        self.assertNotIn("17:30", morning)
        far = (date.today() + timedelta(days=30)).isoformat()
        beyond = f"/booking/slots?age=adult&employee_id={self.doctor.id}&date_from={far}"
        self.assertIn("o_clinic_no_slots", self.url_open(beyond).text, "beyond the schedule")
        child_page = self.url_open("/booking/slots?age=child").text
        self.assertIn("Детская Вера Ивановна", child_page)
        self.assertNotIn("Терапевтова Анна Павловна", child_page)

    # ------------------------------------------------------------------ the flow

    def test_hold_then_book_then_manage_with_the_link(self):
        slot = self.free_runs(self.doctor)[0][0]
        csrf, held = self.hold(slot)
        self.assertIn("/booking/details", held.url)
        token = parse_qs(urlsplit(held.url).query)["token"][0]
        self.assertEqual((slot.state, self.Booking.held_run(token)), ("held", slot))
        self.assertIn("Время закреплено за вами до", held.text)
        booked = self.url_open("/booking/confirm", data=self.form(csrf, token=token, slot_id=slot.public_ref))
        self.assertIn("Вы записаны", booked.text)
        self.assertIn("Формова Вера", booked.text, "the patient as typed, before any card is made")
        self.assertEqual((slot.state, slot.appointment_id), ("held", slot.appointment_id.browse()), "kept for them")
        self.follow_up()
        appointment = slot.appointment_id
        self.assertEqual(appointment.patient_id.name, "Формова Вера")
        access_token = parse_qs(urlsplit(booked.url).query)["access_token"][0]
        self.assertEqual(access_token, appointment.access_token)
        self.assertEqual(appointment.online_ref, urlsplit(booked.url).path.split("/")[-1])
        self.assertIn(appointment.name, self.url_open(booked.url).text, "the same link, now with the number")
        ics = self.url_open(f"/my/appointments/{appointment.id}/calendar.ics?access_token={access_token}")
        self.assertEqual(ics.headers["Content-Type"], "text/calendar; charset=utf-8")
        self.assertIn("BEGIN:VEVENT", ics.text)
        # The link is the patient's key: without it nothing shows.
        self.assertNotIn("Формова", self.url_open(f"/my/appointments/{appointment.id}").text)
        self.assertNotIn("Формова", self.url_open(f"/my/appointments/{appointment.id}?access_token=x").text)
        self.assertEqual(self.url_open(f"/my/appointments/{appointment.id}/calendar.ics").status_code, 404)
        cancelled = self.url_open(
            f"/my/appointments/{appointment.id}/cancel", data={"csrf_token": csrf, "access_token": access_token}
        )
        self.assertIn("Запись отменена", cancelled.text)
        self.assertEqual(appointment.state, "cancelled")

    def test_the_appointment_page_names_a_service_archived_since(self):
        appointment = self.Request.book_online(
            self.values(self.free_runs(self.doctor, self.service)[0][0], service=self.service)
        )
        self.service.action_archive()
        page = self.url_open(f"/my/appointments/{appointment.id}?access_token={appointment.access_token}").text
        self.assertIn("Тестовый приём терапевта", page, "what was booked, whatever became of the service since")
        self.assertIn("1\N{NO-BREAK SPACE}500", page)

    def test_slot_taken_while_the_form_was_open(self):
        slot = self.free_runs(self.doctor)[0][0]
        csrf, held = self.hold(slot)
        token = parse_qs(urlsplit(held.url).query)["token"][0]
        # The patient took longer than the hold; meanwhile the front desk gave the time to someone else.
        slot.hold_until = fields.Datetime.now() - timedelta(seconds=1)
        someone = self.Partner.create({"is_patient": True, "surname": "Звонкова", "first_name": "Лиза"})
        self.Appointment.book(someone, slot, source="phone")
        taken = self.url_open("/booking/confirm", data=self.form(csrf, token=token, slot_id=slot.public_ref))
        self.assertIn("Это время уже занято", taken.text)
        alternatives = re.findall(r'name="slot_id" value="([^"]+)"', taken.text)
        self.assertTrue(alternatives, "the nearest free times are offered at once")
        self.assertIn('value="Формова"', taken.text, "what was typed stays in the form")
        booked = self.url_open("/booking/confirm", data=self.form(csrf, slot_id=alternatives[0]))
        self.assertIn("Вы записаны", booked.text)
        self.follow_up()
        self.assertEqual(
            self.env["clinic.slot"]._by_public_ref(alternatives[0]).appointment_id.patient_id.surname, "Формова"
        )

    def test_errors_are_shown_next_to_the_field_and_nothing_is_booked(self):
        slot = self.free_runs(self.doctor)[0][0]
        csrf, held = self.hold(slot)
        token = parse_qs(urlsplit(held.url).query)["token"][0]
        before = self.counts()
        page = self.url_open(
            "/booking/confirm", data=self.form(csrf, token=token, slot_id=slot.public_ref, phone="123")
        )
        self.assertIn("is-invalid", page.text)
        self.assertIn("is not a phone number", page.text)
        page = self.url_open(
            "/booking/confirm", data=self.form(csrf, token=token, slot_id=slot.public_ref, consent_personal_data="")
        )
        self.assertIn("needs the consent to the processing of personal data", page.text)
        self.assertEqual(self.counts(), before)
        self.assertEqual(slot.state, "held", "the hold survives a mistake in the form")

    def test_release_and_rate_limit_per_address(self):
        self.env["ir.config_parameter"].set_param("clinic_website_booking.ip_actions_per_minute", 2)
        runs = self.free_runs(self.doctor)
        csrf, held = self.hold(runs[0][0])
        token = parse_qs(urlsplit(held.url).query)["token"][0]
        self.url_open("/booking/release", data={"csrf_token": csrf, "token": token, "age": "adult"})
        self.assertEqual(runs[0][0].state, "free", "«choose another time» gives the slot back at once")
        self.hold(runs[1][0])
        _csrf, refused = self.hold(runs[2][0])
        self.assertIn("Too many requests", refused.text)
        self.assertEqual(refused.status_code, 429, "a proper refusal, not a 200 with a message")
        self.assertGreater(int(refused.headers["Retry-After"]), 0)
        self.assertEqual(runs[2][0].state, "free")

    def test_one_phone_cannot_keep_many_times_held(self):
        """Hole 8: the phone typed in the form is attached to the hold; past its cap the form answers 429."""
        self.env["ir.config_parameter"].set_param("clinic_website_booking.holds_per_phone", 1)
        runs = self.free_runs(self.doctor)
        tokens = []
        for run in runs[:2]:
            csrf, held = self.hold(run[0])
            token = parse_qs(urlsplit(held.url).query)["token"][0]
            tokens.append(token)
            # No consent ticked: the booking is refused and the hold kept for the form, now with the phone on it.
            data = self.form(csrf, token=token, slot_id=run[0].public_ref, consent_personal_data="")
            answer = self.url_open("/booking/confirm", data=data)
            self.assertEqual(run[0].state, "held")
        first, second = runs[0][0], runs[1][0]
        self.assertEqual(first.hold_phone, "+79124445566")
        self.assertIn("Too many requests", answer.text)
        self.assertEqual(answer.status_code, 429, "a proper refusal page over the phone's cap")
        self.assertGreater(int(answer.headers["Retry-After"]), 0)
        self.assertFalse(second.hold_phone, "the refused phone is not attached to the second hold")
        # Resubmitting the first form counts its hold once: not refused for the phone's cap.
        csrf = self.csrf(self.url_open(f"/booking/slots?age=adult&employee_id={self.doctor.id}").text)
        data = self.form(csrf, token=tokens[0], slot_id=first.public_ref)
        self.assertIn("/booking/booked/", self.url_open("/booking/confirm", data=data).url)

    def test_waiting_list_when_nothing_fits(self):
        page = self.url_open(f"/booking/waitlist?age=adult&employee_id={self.doctor.id}")
        done = self.url_open(
            "/booking/waitlist",
            data=self.form(self.csrf(page.text), employee_id=self.doctor.id, daypart="morning"),
        )
        self.assertIn("Вы в листе ожидания", done.text)
        entry = self.env["clinic.waitlist"].search([("patient_id.surname", "=", "Формова")])
        self.assertEqual((entry.employee_id, entry.hour_from, entry.hour_to), (self.doctor, 0, 12))

    # ------------------------------------------------------------------ logged in

    def test_portal_user_books_a_child_and_sees_only_the_family(self):
        user = new_test_user(self.env, login="clinic_portal_http", groups="base.group_portal", name="Мамина Анна")
        parent = user.partner_id
        parent.write({"is_patient": True, "surname": "Мамина", "first_name": "Анна", "birth_date": "1985-05-05",
                      "phone": "8 912 888-77-66"})  # fmt: skip
        child = self.Partner.create(
            {"is_patient": True, "surname": "Мамин", "first_name": "Лев", "birth_date": "2021-03-03",
             "relation_ids": [(0, 0, {"relative_id": parent.id, "kinship": "mother", "is_legal_representative": True})]}
        )  # fmt: skip
        stranger = self.Request.book_online(self.values(self.free_runs(self.doctor)[0][0]))
        self.authenticate("clinic_portal_http", "clinic_portal_http")
        slot = self.free_runs(self.pediatrician)[0][0]
        page = self.url_open(f"/booking/slots?age=child&employee_id={self.pediatrician.id}")
        csrf = self.csrf(page.text)
        held = self.url_open("/booking/hold", data={"csrf_token": csrf, "slot_id": slot.public_ref, "age": "child"})
        self.assertIn("Мамин Лев", held.text, "the represented child is offered")
        self.assertIn('value="Мамина"', held.text, "the form is prefilled")
        token = parse_qs(urlsplit(held.url).query)["token"][0]
        booked = self.url_open(
            "/booking/confirm",
            data={"csrf_token": csrf, "token": token, "slot_id": slot.public_ref, "age": "child", "who": child.id,
                  "phone": "8 912 888-77-66", "consent_personal_data": "1"},
        )  # fmt: skip
        self.assertIn("Вы записаны", booked.text)
        self.follow_up()
        self.assertEqual(slot.appointment_id.patient_id, child)
        self.assertNotIn(parent, slot.appointment_id.message_partner_ids, "booking online follows no clinic record")
        mine = self.url_open("/my/appointments").text
        self.assertIn("Мамин Лев", mine)
        self.assertNotIn(stranger.patient_id.name, mine)
        self.assertNotIn(stranger.patient_id.name, self.url_open(f"/my/appointments/{stranger.id}").text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["clinic_appointment_count"]})
        self.assertEqual(counters["clinic_appointment_count"], 1)
