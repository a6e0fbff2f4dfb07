import json
import re
import threading
import time
from datetime import timedelta

import pytz
import requests

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import HOST, get_db_name

from .common import TZ

RACERS = 4
RAISED_LIMITS = ("clinic_website_booking.holds_per_address", "clinic_website_booking.ip_actions_per_minute")
PHONE_HOLDS = 2
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestWebsiteRace(BaseCase):
    """Visitors racing for one time over real HTTP, each request in its own transaction on the running server.

    The clinic is committed (the server's connections must see it) and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.base = f"http://{HOST}:{odoo.service.server.server.httpd.server_port}"
        cls.started = fields.Datetime.now() - timedelta(seconds=1)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            cls.specialty_id = env["clinic.nsi.specialty"].create({"code": "RACE", "name": "Тестовые гонки"}).id
            calendar = env["resource.calendar"].create(
                {"name": "Гонка 9-18", "tz": TZ, "attendance_ids": [
                    (0, 0, {"name": str(day), "dayofweek": str(day), "hour_from": 9, "hour_to": 18})
                    for day in range(7)]}
            )  # fmt: skip
            cls.calendar_id = calendar.id
            doctor = (
                env["hr.employee"]
                .with_context(clinic_no_slot_refresh=True)
                .create(
                    {"name": "Гонщикова Врач", "is_practitioner": True, "resource_calendar_id": calendar.id, "tz": TZ,
                     "slot_duration": 30, "specialty_ids": [(6, 0, [cls.specialty_id])], "age_group": "adult",
                     "clinic_published": True}
                )
            )  # fmt: skip
            today = fields.Date.today()
            env["clinic.slot"]._generate(doctor, today, today + timedelta(days=4))
            cls.doctor_id = doctor.id
            consumer = env["clinic.api.consumer"].create({"name": "Гоночный сайт"})
            cls.consumer_id = consumer.id
            cls.api_key = env["clinic.api.key.wizard"].browse(consumer.action_generate_key()["res_id"]).key
            slots = env["clinic.slot"].search(
                [("employee_id", "=", doctor.id), ("start", ">", fields.Datetime.now() + timedelta(days=1))]
            )
            cls.slot_ids, cls.slot_refs = slots.ids, slots.mapped("public_ref")
            # The racers share one address; what else ran from it in the last minutes must not refuse them.
            params = env["ir.config_parameter"]
            cls.saved_params = {name: params.get_param(name) for name in RAISED_LIMITS}
            for name in RAISED_LIMITS:
                params.set_param(name, 1000)
            env.flush_all()

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            appointments = env["clinic.appointment"].search([("employee_id", "=", cls.doctor_id)])
            patients = appointments.patient_id
            appointments.calendar_event_id.unlink()
            env["clinic.online.reservation"].search([("employee_id", "=", cls.doctor_id)]).unlink()
            env["clinic.api.idempotency"].search([("consumer_id", "=", cls.consumer_id)]).unlink()
            env["clinic.booking.funnel"].search([("first_view_at", ">=", cls.started)]).unlink()
            appointments.unlink()
            env["clinic.consent"].search([("partner_id", "in", patients.ids)]).unlink()
            patients.unlink()
            env["clinic.api.consumer"].browse(cls.consumer_id).unlink()
            env["hr.employee"].browse(cls.doctor_id).unlink()
            env["resource.calendar"].browse(cls.calendar_id).unlink()
            env["clinic.nsi.specialty"].browse(cls.specialty_id).unlink()
            cr.execute("DELETE FROM clinic_rate_limit WHERE at >= %s", [cls.started])
            for name, value in cls.saved_params.items():
                env["ir.config_parameter"].set_param(name, value or False)
            env.flush_all()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        # The test runner holds the registry lock: let the server's request threads in, as HttpCase and
        # Odoo's own LDAP test do (odoo/odoo#161438).
        self.patch(Registry, "_lock", DummyRLock())

    def race(self, run, racers=RACERS):
        """Call ``run(index)`` in ``racers`` threads released at the same moment; returns their outcomes."""
        barrier = threading.Barrier(racers)
        outcomes = [None] * racers

        def racer(index):
            barrier.wait(timeout=30)
            outcomes[index] = run(index)

        threads = [threading.Thread(target=racer, args=(i,)) for i in range(racers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        return outcomes

    def visitor(self):
        """A browser on step 2: its own session and the form's CSRF token."""
        session = requests.Session()
        page = session.get(f"{self.base}/booking/slots?age=adult&employee_id={self.doctor_id}", timeout=30)
        self.assertEqual(page.status_code, 200)
        return session, CSRF_RE.search(page.text).group(1)

    def form(self, csrf, index, **values):
        return {
            "csrf_token": csrf,
            "age": "adult",
            "surname": "Гонкина",
            "first_name": ["Анна", "Вера", "Галина", "Дарья"][index],
            "birth_date": f"198{index}-01-01",
            "phone": f"+7 916 555-00-0{index}",
            "consent_personal_data": "1",
            **values,
        }

    def booked_on(self, slot_id):
        with self.registry.cursor() as cr:  # the follow-up the bookings triggered, as the cron worker runs it
            api.Environment(cr, SUPERUSER_ID, {})["clinic.appointment"]._cron_sync_calendar()
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM clinic_appointment a JOIN clinic_slot s ON s.employee_id = a.employee_id "
                "AND a.start <= s.start AND s.start < a.stop WHERE s.id = %s AND a.state = 'booked'",
                [slot_id],
            )
            return cr.fetchone()[0]

    def outcome(self, response):
        if "/booking/booked/" in response.url:
            return "booked"
        if "o_clinic_taken" in response.text and "Это время уже занято" in response.text:
            return "taken"
        return f"unexpected {response.status_code} {response.url}"

    def test_visitors_click_one_free_time_at_once(self):
        """Each clicks the same free time and, when it is held for them, fills the form: one booking."""
        slot_id, slot_ref = self.slot_ids[0], self.slot_refs[0]
        visitors = [self.visitor() for _index in range(RACERS)]

        def run(index):
            session, csrf = visitors[index]
            held = session.post(f"{self.base}/booking/hold", data={"csrf_token": csrf, "slot_id": slot_ref,
                                                                    "age": "adult"}, timeout=60)  # fmt: skip
            if "/booking/details" not in held.url:
                return self.outcome(held)
            token = re.search(r"token=([0-9a-f]+)", held.url).group(1)
            data = self.form(csrf, index, token=token, slot_id=slot_ref)
            done = session.post(f"{self.base}/booking/confirm", data=data, timeout=60)
            return self.outcome(done)

        outcomes = self.race(run)
        self.assertEqual(sorted(outcomes), ["booked"] + ["taken"] * (RACERS - 1), outcomes)
        self.assertEqual(self.booked_on(slot_id), 1)

    def test_visitors_submit_the_form_for_one_time_at_once(self):
        """Holds ran out (or were never taken): the forms reach the booking together, one wins."""
        slot_id, slot_ref = self.slot_ids[2], self.slot_refs[2]
        visitors = [self.visitor() for _index in range(RACERS)]

        def run(index):
            session, csrf = visitors[index]
            done = session.post(f"{self.base}/booking/confirm", data=self.form(csrf, index, slot_id=slot_ref),
                                timeout=60)  # fmt: skip
            return self.outcome(done)

        outcomes = self.race(run)
        self.assertEqual(sorted(outcomes), ["booked"] + ["taken"] * (RACERS - 1), outcomes)
        self.assertEqual(self.booked_on(slot_id), 1)

    def test_the_follow_up_and_a_page_make_one_appointment(self):
        """A booking's follow-up (the cron) and its page asking for the appointment at the same moment: each in its
        own transaction, one appointment is made and both see it."""
        slot_ref = self.slot_refs[14]
        session, csrf = self.visitor()
        booked = session.post(f"{self.base}/booking/confirm", data=self.form(csrf, 0, slot_id=slot_ref), timeout=60)
        self.assertEqual(self.outcome(booked), "booked", booked.text[-3000:])
        manage = booked.url.replace("?", "/manage?")

        def run(index):
            if index:
                return session.get(manage, timeout=60).url
            with self.registry.cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, {})["clinic.appointment"]._cron_sync_calendar()
            return "followed up"

        outcomes = self.race(run, racers=2)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT r.state, array_agg(a.id) FROM clinic_online_reservation r JOIN clinic_appointment a "
                "ON a.online_ref = r.online_ref WHERE r.online_ref = %s GROUP BY r.state",
                [booked.url.split("?")[0].rsplit("/", 1)[1]],
            )
            state, appointment_ids = cr.fetchone()
        self.assertEqual((state, len(appointment_ids)), ("done", 1), outcomes)
        self.assertIn(f"/my/appointments/{appointment_ids[0]}?access_token=", outcomes[1])

    def test_forms_of_one_phone_keep_at_most_its_cap_of_holds(self):
        """Hole 8: visitors each holding a time submit forms with one phone at once (each refused for a missing
        consent, so the holds stay): exactly the phone's cap of holds gets the phone, the rest get 429."""
        phone = f"+7 916 {int(time.time()) % 1000:03d}-77-77"
        visitors = [self.visitor() for _index in range(RACERS)]
        refs = [self.slot_refs[6 + 2 * index] for index in range(RACERS)]
        tokens = []
        for (session, csrf), ref in zip(visitors, refs, strict=True):
            held = session.post(f"{self.base}/booking/hold", data={"csrf_token": csrf, "slot_id": ref,
                                                                    "age": "adult"}, timeout=60)  # fmt: skip
            tokens.append(re.search(r"token=([0-9a-f]+)", held.url).group(1))

        def run(index):
            session, csrf = visitors[index]
            data = self.form(csrf, index, token=tokens[index], slot_id=refs[index], phone=phone,
                             consent_personal_data="")  # fmt: skip
            answer = session.post(f"{self.base}/booking/confirm", data=data, timeout=60)
            return answer.status_code, answer.headers.get("Retry-After")

        outcomes = self.race(run)
        statuses = sorted(status for status, _wait in outcomes)
        self.assertEqual(statuses, [200] * PHONE_HOLDS + [429] * (RACERS - PHONE_HOLDS), outcomes)
        self.assertTrue(all(int(wait) > 0 for status, wait in outcomes if status == 429), outcomes)
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM clinic_slot WHERE hold_phone IS NOT NULL AND public_ref = ANY(%s) "
                       "AND state = 'held'", [refs])  # fmt: skip
            self.assertEqual(cr.fetchone()[0], PHONE_HOLDS)

    def test_api_retries_with_one_idempotency_key_book_once(self):
        slot_id = self.slot_ids[4]
        with self.registry.cursor() as cr:
            start = api.Environment(cr, SUPERUSER_ID, {})["clinic.slot"].browse(slot_id).start
        body = json.dumps(
            {"slot": {"practitioner_id": f"D-{self.doctor_id}",
                      "start": pytz.utc.localize(start).astimezone(pytz.timezone(TZ)).isoformat()},
             "patient": {"last_name": "Гонкина", "first_name": "Ева", "birth_date": "1979-09-09"},
             "contact_phone": "+7 916 555-00-09", "consents": {"personal_data": True}}
        )  # fmt: skip
        headers = {"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": "retry-1",
                   "Content-Type": "application/json"}  # fmt: skip

        def run(_index):
            response = requests.post(f"{self.base}/api/booking/v1/appointments", data=body, headers=headers, timeout=90)
            return response.status_code, response.json().get("id")

        outcomes = self.race(run)
        self.assertEqual({status for status, _id in outcomes}, {201}, outcomes)
        self.assertEqual(len({appointment_id for _status, appointment_id in outcomes}), 1, outcomes)
        self.assertEqual(self.booked_on(slot_id), 1)

    def test_a_burst_of_transactions_counts_every_hit(self):
        """Hole 8: transactions that each count a hit and go on working before they commit (as a request does)
        are counted one after the other: exactly the limit passes, not every one of them."""
        bucket = f"test-burst:{threading.get_ident()}:{fields.Datetime.now().isoformat()}"

        def run(_index):
            with self.registry.cursor() as cr:
                wait = api.Environment(cr, SUPERUSER_ID, {})["clinic.rate.limit"]._hit(bucket, 3, 60)
                time.sleep(0.3)  # the rest of the request, before its commit
                return wait

        waits = self.race(run, racers=8)
        self.assertEqual(len([wait for wait in waits if not wait]), 3, waits)
        self.assertTrue(all(0 < wait <= 61 for wait in waits if wait), waits)

    def test_a_burst_of_api_requests_gets_429_past_the_key_limit(self):
        """Parallel API requests of one key: the limit holds and the rest get 429 with Retry-After."""
        with self.registry.cursor() as cr:
            cr.execute("UPDATE clinic_api_consumer SET rate_limit = 3 WHERE id = %s", [self.consumer_id])
        headers = {"Authorization": f"Bearer {self.api_key}"}

        def run(_index):
            response = requests.get(f"{self.base}/api/booking/v1/slots", headers=headers, timeout=90)
            return response.status_code, response.headers.get("Retry-After")

        try:
            outcomes = self.race(run, racers=8)
        finally:
            with self.registry.cursor() as cr:
                cr.execute("UPDATE clinic_api_consumer SET rate_limit = 300 WHERE id = %s", [self.consumer_id])
        self.assertEqual(sorted(status for status, _wait in outcomes), [200] * 3 + [429] * 5, outcomes)
        self.assertTrue(all(int(wait) > 0 for status, wait in outcomes if status == 429), outcomes)
