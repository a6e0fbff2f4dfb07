"""The confirmed holes of the website, the portal and the API, each replayed as the hostile request that found it."""

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import OnlineBookingHttpCase

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
HUGE = "Я" * 500_000
LONG = "Я" * 5_000  # long enough to be refused, short enough to pass the API's body limit


@tagged("post_install", "-at_install")
class TestTrustBoundary(OnlineBookingHttpCase):
    def csrf(self, path="/booking/slots?age=adult"):
        return CSRF_RE.search(self.url_open(path).text).group(1)

    def call_kw(self, model, method, *args):
        """A JSON-RPC call as the logged-in user; returns (result, error message)."""
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                "model": model, "method": method, "args": list(args), "kwargs": {}}}),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        body = response.json()
        return body.get("result"), json.dumps(body.get("error") or "", ensure_ascii=False)

    def book(self, **values):
        """A booking as the website makes it, with its access token."""
        appointment = self.Request.book_online(self.values(self.free_runs(self.doctor)[0][0], **values))
        return appointment, appointment.sudo()._portal_ensure_token()

    # ------------------------------------------------------------------ hole 1

    def test_website_helpers_are_not_callable_over_rpc(self):
        """Hole 1: a portal patient reads the database secret, empties the schedule or locks out a phone."""
        new_test_user(self.env, login="clinic_rpc_portal", groups="base.group_portal")
        self.authenticate("clinic_rpc_portal", "clinic_rpc_portal")
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        slot = self.free_runs(self.doctor)[0][0]
        calls = [
            ("clinic.online.booking", "check_ip", "1.2.3.4", "database.secret", 0, "x"),
            ("clinic.online.booking", "_check_visitor", "1.2.3.4", "site"),
            ("clinic.online.booking", "hold", slot.id),
            ("clinic.online.booking.request", "book_online", {}),
            ("clinic.online.booking.request", "_attach_phone", "x", "+79125550102"),
            ("clinic.online.booking", "practitioners"),
            ("clinic.rate.limit", "hit", "phone:+79125550102", 0, 3600),
            ("clinic.rate.limit", "_hit", "phone:+79125550102", 0, 3600),
            ("clinic.api.idempotency", "run_once", 1, "k", "", None),
            ("clinic.booking.funnel", "stats", "2020-01-01", "2030-01-01"),
        ]
        for model, method, *args in calls:
            with self.subTest(f"{model}.{method}"), mute_logger("odoo.http"):
                result, error = self.call_kw(model, method, *args)
                self.assertIsNone(result)
                self.assertTrue(error)
                self.assertNotIn(secret, error)
        self.assertEqual(slot.state, "free")
        self.assertFalse(self.env["clinic.rate.limit"].sudo().search([("bucket", "=", "phone:+79125550102")]))

    def test_api_consumer_actions_on_no_record_are_refused_cleanly(self):
        """Over RPC on an empty recordset: rights first (AccessError), then a clear UserError, never «Expected
        singleton» (a traceback in the log)."""
        new_test_user(self.env, login="clinic_rpc_portal", groups="base.group_portal")
        new_test_user(self.env, login="clinic_rpc_manager", groups="base.group_user,clinic_base.group_clinic_manager")
        for method in ("action_generate_key", "action_view_appointments"):
            with self.subTest(method):
                self.authenticate("clinic_rpc_portal", "clinic_rpc_portal")
                _result, error = self.call_kw("clinic.api.consumer", method, [])
                self.assertIn("odoo.exceptions.AccessError", error)
                self.authenticate("clinic_rpc_manager", "clinic_rpc_manager")
                _result, error = self.call_kw("clinic.api.consumer", method, [])
                self.assertIn("odoo.exceptions.UserError", error)
                self.assertIn("this action works on exactly one record, not 0", error)

    def test_staff_who_read_an_appointment_get_no_patient_link(self):
        """The portal link acts as the patient: whoever reads the appointment does not get it over RPC."""
        appointment, token = self.book()
        self.authenticate("clinic_reception_test", "clinic_reception_test")
        for method, args in (("get_portal_url", [[appointment.id]]), ("action_share", [])):
            with self.subTest(method), mute_logger("odoo.http"):
                result, error = self.call_kw("clinic.appointment", method, *args)
                self.assertIsNone(result)
                self.assertNotIn(token, error)

    # ------------------------------------------------------------------ hole 4

    def test_an_employee_without_a_clinic_role_cannot_open_or_cancel_an_appointment(self):
        appointment, _token = self.book()
        new_test_user(self.env, login="clinic_stray_employee", groups="base.group_user")
        self.authenticate("clinic_stray_employee", "clinic_stray_employee")
        page = self.url_open(f"/my/appointments/{appointment.id}")
        self.assertNotIn(appointment.patient_id.name, page.text)
        self.assertNotIn("/my/appointments/", urlsplit(page.url).path)
        csrf = self.csrf()
        self.url_open(f"/my/appointments/{appointment.id}/cancel", data={"csrf_token": csrf})
        self.assertEqual(appointment.state, "booked")
        ics = self.url_open(f"/my/appointments/{appointment.id}/calendar.ics")
        self.assertEqual(ics.status_code, 404)

    # ------------------------------------------------------------------ hole 5

    def test_unpublished_practitioners_stay_unnamed_and_slots_unnumbered(self):
        hidden = self.practitioner("Скрытная Зоя Львовна", self.adult_specialty, "adult")
        hidden.clinic_published = False
        day = self.free_runs(self.doctor)[0][0].start.date()
        self.env["clinic.slot"]._generate(hidden, day, day + timedelta(days=2))
        slot = self.env["clinic.slot"].search([("employee_id", "=", hidden.id)], limit=1)
        self.assertTrue(slot)
        for slot_id in (slot.id, slot.public_ref):
            page = self.url_open(f"/booking/details?age=adult&slot_id={slot_id}")
            self.assertNotIn("Скрытная", page.text)
            self.assertNotIn(f"D-{hidden.id}", page.text)
        csrf = self.csrf()
        held = self.url_open("/booking/hold", data={"csrf_token": csrf, "slot_id": slot.public_ref, "age": "adult"})
        self.assertNotIn("Скрытная", held.text)
        self.assertEqual(slot.state, "free")
        slots = self.url_open(f"/booking/slots?age=adult&employee_id={self.doctor.id}").text
        refs = re.findall(r'name="slot_id"[^>]*? value="([^"]+)"', slots)
        self.assertTrue(refs)
        self.assertFalse([ref for ref in refs if ref.isdigit()], "slots are named by random references")

    # ------------------------------------------------------------------ hole 7

    def test_token_expires_after_the_visit_and_dies_with_a_cancellation(self):
        appointment, token = self.book()
        base = f"/my/appointments/{appointment.id}"
        self.assertIn(appointment.patient_id.name, self.url_open(f"{base}?access_token={token}").text)
        with freeze_time(appointment.stop + timedelta(days=31)):
            self.assertNotIn(appointment.patient_id.name, self.url_open(f"{base}?access_token={token}").text)
            self.assertEqual(self.url_open(f"{base}/calendar.ics?access_token={token}").status_code, 404)
        with freeze_time(appointment.stop + timedelta(days=29)):
            self.assertIn(appointment.patient_id.name, self.url_open(f"{base}?access_token={token}").text)
        csrf = self.csrf()
        done = self.url_open(f"{base}/cancel", data={"csrf_token": csrf, "access_token": token})
        self.assertIn("Запись отменена", done.text)
        self.assertEqual(appointment.state, "cancelled")
        self.assertNotIn(token, done.text, "no link with the dead token is offered")
        booked = f"/booking/booked/{appointment.online_ref}"
        for path in (base, f"{base}/reschedule", booked, f"{booked}/manage"):
            self.assertNotIn(appointment.patient_id.name, self.url_open(f"{path}?access_token={token}").text, path)
        self.assertEqual(self.url_open(f"{base}/calendar.ics?access_token={token}").status_code, 404)

    # ------------------------------------------------------------------ hole 6: abuse corpus per entry point

    def test_abuse_corpus_of_the_website(self):
        """Hostile input on the site: a page with the reason, never a 500, nothing written, nothing echoed whole."""
        slot = self.free_runs(self.doctor)[0][0]
        csrf = self.csrf()
        form = {"csrf_token": csrf, "age": "adult", "slot_id": slot.public_ref, "surname": "Формова",
                "first_name": "Вера", "birth_date": "10.10.1970", "phone": "8 912 444-55-66",
                "consent_personal_data": "1"}  # fmt: skip
        corpus = [
            ("GET", "/booking/slots?age=adult&date_from=9999-12-31", None),
            ("GET", "/booking/slots?age=adult&date_from=0001-01-01&date_to=9999-12-31", None),
            ("GET", f"/booking/slots?age=adult&date_from={HUGE[:5000]}&daypart={HUGE[:5000]}", None),
            ("GET", "/booking/details?slot_id=99999999999999999999999", None),
            ("GET", f"/booking/waitlist?age=adult&date_to=9999-12-31&employee_id={self.doctor.id}", None),
            ("POST", "/booking/confirm", dict(form, surname=HUGE)),
            ("POST", "/booking/confirm", dict(form, phone=HUGE)),
            ("POST", "/booking/confirm", dict(form, email=HUGE)),
            ("POST", "/booking/confirm", dict(form, birth_date=HUGE)),
            ("POST", "/booking/confirm", dict(form, who="99999999999999999999")),
            ("POST", "/booking/hold", {"csrf_token": csrf, "slot_id": HUGE[:10000]}),
            ("POST", "/booking/waitlist", dict(form, date_to="9999-12-31", employee_id=str(self.doctor.id))),
        ]
        before = self.counts()
        for method, path, data in corpus:
            with self.subTest(f"{method} {path[:80]}"):
                response = self.url_open(path, data=data) if method == "POST" else self.url_open(path)
                self.assertLess(response.status_code, 500)
                self.assertNotIn(HUGE[:1000], response.text)
        self.assertEqual(self.counts()["clinic.appointment"], before["clinic.appointment"])

    def test_abuse_corpus_of_the_api(self):
        """Hostile input to the API: a JSON error naming the field, never a 500, nothing written."""
        slot = self.free_runs(self.doctor)[0][0]
        start = slot.start.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        good = {
            "slot": {"practitioner_id": f"D-{self.doctor.id}", "start": start},
            "patient": {"last_name": "Апиева", "first_name": "Мария", "birth_date": "1990-01-02"},
            "contact_phone": "+7 916 123-45-67",
            "consents": {"personal_data": True},
        }
        corpus = [
            ("booking_started_at", dict(good, booking_started_at="0001-01-01T00:00:00+05:00")),
            ("booking_started_at", dict(good, booking_started_at="9999-12-31T23:59:59-05:00")),
            ("slot.start", dict(good, slot=dict(good["slot"], start="0001-01-01T00:00+05:00"))),
            ("slot.start", dict(good, slot=dict(good["slot"], start=LONG))),
            ("surname", dict(good, patient=dict(good["patient"], last_name=LONG))),
            ("phone", dict(good, contact_phone=LONG)),
            ("email", dict(good, email=LONG)),
            ("slot.practitioner_id", dict(good, slot={"practitioner_id": LONG, "start": start})),
            ("slot.practitioner_id", dict(good, slot={"practitioner_id": "D-²", "start": start})),
            ("slot.practitioner_id", dict(good, slot={"practitioner_id": "D-99999999999999999999", "start": start})),
            ("slot.practitioner_id", dict(good, slot={"practitioner_id": "D-9999999999", "start": start})),
            ("body", [1, 2, 3]),
            ("body", dict(good, note=HUGE)),
        ]  # fmt: skip
        before = self.counts()
        for number, (field, body) in enumerate(corpus):
            with self.subTest(field=field, number=number):
                status, answer = self.api("/appointments", body, headers={"Idempotency-Key": f"abuse-{number}"})
                self.assertIn(status, (400, 422), answer)
                self.assertEqual(answer["error"]["field"], field, answer)
                self.assertLess(len(json.dumps(answer, ensure_ascii=False)), 1000, "nothing echoed at length")
        gets = [
            ("date_from", "/slots?date_from=9999-12-31"),
            ("date_to", "/slots?date_to=9999-12-31"),
            ("date_from", "/slots?date_from=0001-01-01"),
            ("age_group", f"/slots?age_group={HUGE[:3000]}"),
            # «²» is a digit to str.isdigit() but not to int()
            ("practitioner_id", "/practitioners/D-%C2%B2"),
            ("practitioner_id", "/slots?practitioner_id=%C2%B2"),
            ("service_id", "/slots?service_id=S-%C2%B2"),
            ("practitioner_id", "/services?practitioner_id=%C2%B2"),
            ("specialty_id", "/practitioners?specialty_id=%C2%B2"),
            ("specialty_id", "/practitioners?specialty_id=99999999999999999999"),
        ]
        for field, path in gets:
            with self.subTest(path=path[:60]):
                status, answer = self.api(path)
                self.assertIn(status, (400, 422), answer)
                self.assertEqual(answer["error"]["field"], field)
        for raw in (b"{", b'{"slot": ' * 5000, b"\xff\xfe", b"[" * 100_000):
            with self.subTest(raw=raw[:20]):
                response = self.url_open(
                    "/api/booking/v1/appointments", data=raw,
                    headers={"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": f"raw-{len(raw)}"},
                )  # fmt: skip
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json()["error"]["field"], "body")
        self.assertEqual(self.counts(), before)

    def test_abuse_corpus_of_the_portal(self):
        appointment, token = self.book()
        csrf = self.csrf()
        corpus = [
            ("GET", "/my/appointments/99999999999999999999"),
            ("GET", f"/my/appointments/{appointment.id}?access_token={HUGE[:5000]}"),
            ("GET", f"/my/appointments/{appointment.id}/reschedule?access_token={token}&slot_id={HUGE[:5000]}"),
            ("POST", f"/my/appointments/{appointment.id}/reschedule"),
            ("POST", f"/my/appointments/{appointment.id}/cancel"),
            ("GET", f"/booking/booked/{HUGE[:5000]}?access_token={token}"),
            ("GET", f"/booking/booked/{appointment.online_ref}?access_token={HUGE[:5000]}"),
            ("GET", f"/booking/booked/{appointment.online_ref}/manage?access_token={token}&then={HUGE[:5000]}"),
        ]
        for method, path in corpus:
            with self.subTest(path=path[:80]):
                if method == "POST":
                    data = {"csrf_token": csrf, "access_token": token, "slot_id": HUGE[:5000]}
                    if path.endswith("cancel"):
                        data["access_token"] = HUGE[:5000]
                    response = self.url_open(path, data=data)
                else:
                    response = self.url_open(path)
                self.assertLess(response.status_code, 500)
                self.assertNotIn(HUGE[:1000], response.text)
        self.assertEqual(appointment.state, "booked")
