import json
from datetime import timedelta
from unittest.mock import patch

import pytz

from odoo.tests import tagged
from odoo.tools import file_open

from odoo.addons.clinic_scheduling.tests.common import next_working_day

from ..controllers.api import PREFIX
from ..models.clinic_api_consumer import hash_key
from ..models.clinic_online_booking import ERROR_STATUS
from .common import TZ, OnlineBookingHttpCase

WEBSITE_ONLY = {"captcha_failed"}


@tagged("post_install", "-at_install")
class TestBookingApi(OnlineBookingHttpCase):
    """The exchange API over HTTP: documented answers, keys, limits, idempotent bookings."""

    def iso(self, slot):
        return pytz.utc.localize(slot.start).astimezone(pytz.timezone(TZ)).isoformat()

    def body(self, at, **extra):
        """A booking request for the slot ``at``; ``extra`` replaces parts of it."""
        return {
            "slot": {"practitioner_id": f"D-{at.employee_id.id}", "start": self.iso(at)},
            "service": {"id": f"S-{self.service.id}"},
            "patient": {"last_name": "Апиева", "first_name": "Мария", "patronymic": "Петровна",
                        "birth_date": "1990-01-02"},
            "contact_phone": "+7 916 123-45-67",
            "consents": {"personal_data": True, "service_messages": True},
            **extra,
        }  # fmt: skip

    def book(self, body, key="key-1", **kw):
        return self.api("/appointments", body, headers={"Idempotency-Key": key}, **kw)

    def assertError(self, answer, status, code):
        self.assertEqual(answer[0], status, answer[1])
        self.assertEqual(answer[1]["error"]["code"], code, answer[1])
        self.assertTrue(answer[1]["error"]["message"])

    # ------------------------------------------------------------------ contract

    def test_openapi_is_served_and_documents_every_error(self):
        status, spec = self.api("/openapi.json", key=False)
        self.assertEqual(status, 200)
        self.assertTrue(spec["openapi"].startswith("3."))
        self.assertTrue(spec["servers"][0]["url"].endswith(PREFIX))
        with file_open("clinic_website_booking/static/api/openapi.json") as shipped:
            self.assertEqual(spec["paths"], json.load(shipped)["paths"])
        codes = spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
        self.assertEqual(set(codes["enum"]), set(ERROR_STATUS) - WEBSITE_ONLY)
        for code in codes["enum"]:
            self.assertIn(f"`{code}` ({ERROR_STATUS[code]})", codes["description"], "each code with its status")
        for path in ("/practitioners", "/services", "/slots", "/appointments", "/appointments/{appointment_id}",
                     "/appointments/{appointment_id}/cancel"):  # fmt: skip
            self.assertIn(path, spec["paths"])
        self.assertEqual(self.api("/healthcheck", key=False)[1]["status"], "ok")
        self.assertError(self.api("/no-such-thing"), 404, "not_found")

    def test_keys(self):
        self.assertError(self.api("/practitioners", key=False), 401, "unauthorized")
        self.assertError(self.api("/practitioners", key="cwb_00000000_wrong"), 401, "unauthorized")
        self.assertError(self.api("/practitioners", key=self.api_key + "x"), 401, "unauthorized")
        status, _body = self.api("/practitioners", key=False, headers={"X-Api-Key": self.api_key})
        self.assertEqual(status, 200)
        secret = self.api_key.split("_", 2)[2]
        self.assertEqual(self.consumer.sudo().key_hash, hash_key(secret), "only a hash of the key is stored")
        self.consumer.active = False
        self.assertError(self.api("/practitioners"), 401, "unauthorized")

    # ------------------------------------------------------------------ catalogue and slots

    def test_practitioners_services_and_specialties(self):
        status, body = self.api("/practitioners?age_group=child")
        self.assertEqual(status, 200)
        ids = [p["id"] for p in body["practitioners"]]
        self.assertIn(f"D-{self.pediatrician.id}", ids)
        self.assertNotIn(f"D-{self.doctor.id}", ids)
        _status, doctor = self.api(f"/practitioners/D-{self.doctor.id}")
        self.assertEqual(doctor["age_group"], "adult")
        self.assertEqual(doctor["specialties"][0]["name"], "Тестовая терапия")
        self.assertEqual(set(doctor["service_ids"]), {f"S-{self.service.id}", f"S-{self.long_service.id}"})
        _status, body = self.api(f"/services?practitioner_id=D-{self.doctor.id}")
        prices = {s["name"]: (s["price"], s["duration_min"]) for s in body["services"]}
        self.assertEqual(prices["Тестовый расширенный приём терапевта"], (3200.0, 60))
        _status, body = self.api(f"/practitioners?specialty_id=SP-{self.child_specialty.id}")
        self.assertEqual([p["id"] for p in body["practitioners"]], [f"D-{self.pediatrician.id}"])
        _status, body = self.api("/specialties?age_group=child")
        self.assertIn("Тестовая педиатрия", [s["name"] for s in body["specialties"]])
        self.assertError(self.api("/practitioners/D-999999"), 422, "unknown_practitioner")
        self.assertError(self.api("/practitioners?specialty_id=abc"), 422, "invalid_field")
        self.assertError(self.api("/practitioners?age_group=old"), 422, "invalid_field")
        self.assertError(self.api("/services?practitioner_id=D-999999"), 422, "unknown_practitioner")

    def test_free_slots_with_filters(self):
        tomorrow = next_working_day(self.env, self.calendar).isoformat()  # never the eve of a holiday
        query = f"practitioner_id=D-{self.doctor.id}&service_id=S-{self.long_service.id}&date_from={tomorrow}"
        status, body = self.api(f"/slots?{query}&date_to={tomorrow}&time_from=09:00&time_to=12:00")
        self.assertEqual(status, 200)
        slots = body["slots"]
        self.assertEqual(len(slots), 6, "starts from 09:00 to 11:30, each followed by a free half hour")
        self.assertTrue(all(s["duration_min"] == 60 and s["start"].endswith("+05:00") for s in slots), "clinic's zone")
        self.assertEqual(slots[0]["start"], f"{tomorrow}T09:00:00+05:00")
        self.assertEqual(slots[0]["service_id"], f"S-{self.long_service.id}")
        _status, body = self.api(f"/slots?specialty_id=SP-{self.child_specialty.id}&date_from={tomorrow}")
        self.assertEqual({s["practitioner_id"] for s in body["slots"]}, {f"D-{self.pediatrician.id}"})
        self.assertError(self.api(f"/slots?{query}&date_to=2000-01-01"), 422, "invalid_field")
        self.assertError(self.api(f"/slots?date_from={tomorrow}&time_from=9h"), 422, "invalid_field")
        self.assertError(self.api("/slots?service_id=S-999999"), 422, "unknown_service")

    # ------------------------------------------------------------------ bookings

    def test_book_idempotently_then_status_and_cancel(self):
        slot = self.free_runs(self.doctor)[0][0]
        first = self.book(self.body(slot), key="order-1")
        self.assertEqual(first[0], 201, first[1])
        appointment = self.Appointment.search([("online_ref", "=", first[1]["id"])])
        self.assertEqual(len(appointment), 1)
        self.assertEqual((appointment.api_consumer_id, appointment.source), (self.consumer, "website"))
        self.assertEqual(first[1]["status"], "booked")
        self.assertEqual(first[1]["start"], self.iso(slot))
        self.assertNotIn("patient_id", first[1], "no patient id goes out")
        self.assertNotIn(str(appointment.id), first[1]["id"])
        before = self.counts()
        again = self.book(self.body(slot), key="order-1")
        self.assertEqual(again, first, "the same key and body return the same answer")
        self.assertEqual(self.counts(), before, "and never book twice")
        self.assertError(self.book(self.body(slot, email="a@b.ru"), key="order-1"), 422, "idempotency_key_reused")
        self.assertError(self.api("/appointments", self.body(slot)), 400, "invalid_request")
        consent = appointment.patient_id.consent_ids.filtered(lambda c: c.purpose == "personal_data")
        self.assertEqual(consent.source, "website")
        self.assertIn("Тестовый сайт клиники", consent.note)
        self.follow_up()
        ping = [p for p in self.reception_pings("website_booking") if p["res_id"] == appointment.id]
        self.assertIn("Тестовый сайт клиники", ping[0]["message"])
        self.assertEqual(self.api(f"/appointments/{first[1]['id']}"), (200, first[1]))
        status, cancelled = self.api(f"/appointments/{first[1]['id']}/cancel", {"reason_code": "patient_request"})
        self.assertEqual((status, cancelled["status"]), (200, "cancelled_by_patient"))
        self.assertEqual(appointment.state, "cancelled")
        self.assertIn("patient_request", appointment.cancel_reason)
        self.assertError(self.api(f"/appointments/{first[1]['id']}/cancel", method="POST"), 409, "invalid_state")
        other = self.env["clinic.api.consumer"].create({"name": "Агрегатор"})
        other_key = self.env["clinic.api.key.wizard"].browse(other.action_generate_key()["res_id"]).key
        self.assertError(self.api(f"/appointments/{first[1]['id']}", key=other_key), 404, "not_found")

    def test_bad_requests_are_refused_with_their_documented_error_and_change_nothing(self):
        slot = self.free_runs(self.doctor)[0][0]
        before = self.counts()
        unknown_doctor = self.body(slot, slot={"practitioner_id": "D-999999", "start": self.iso(slot)})
        past = slot.start - timedelta(days=2)
        in_the_past = self.body(slot, slot={"practitioner_id": f"D-{self.doctor.id}",
                                            "start": pytz.utc.localize(past).isoformat()})  # fmt: skip
        cases = [
            (unknown_doctor, 422, "unknown_practitioner"),
            (in_the_past, 422, "slot_in_past"),
            (self.body(slot, contact_phone="12-34"), 422, "invalid_phone"),
            (self.body(slot, consents={"personal_data": False}), 422, "missing_consent"),
            (self.body(slot, consents={}), 422, "missing_consent"),
            (self.body(slot, slot={"practitioner_id": f"D-{self.doctor.id}", "start": "2030-01-01T10:00:00"}), 422,
             "invalid_field"),
            (self.body(slot, slot={"practitioner_id": f"D-{self.doctor.id}",
                                   "start": self.iso(slot).replace(":00+", ":10+", 1)}), 422, "slot_unavailable"),
            (self.body(slot, patient={"last_name": "Апиева"}), 422, "missing_field"),
            (self.body(slot, service={"id": f"S-{self.child_service.id}"}), 422, "unknown_service"),
            (self.body(self.free_runs(self.pediatrician)[0][0]), 422, "unknown_service"),
        ]  # fmt: skip
        for number, (body, status, code) in enumerate(cases):
            with self.subTest(code=code, number=number):
                self.assertError(self.book(body, key=f"bad-{number}"), status, code)
        wrong_key = self.api("/appointments", self.body(slot), key="cwb_bad_key", headers={"Idempotency-Key": "k"})
        self.assertError(wrong_key, 401, "unauthorized")
        response = self.url_open(
            f"{PREFIX}/appointments",
            data="not json",
            headers={"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": "bad-json"},
        )
        self.assertEqual((response.status_code, response.json()["error"]["code"]), (400, "invalid_request"))
        self.assertEqual(self.counts(), before)
        self.assertEqual(slot.state, "free")

    def test_taken_slot_offers_alternatives_and_a_child_needs_a_representative(self):
        slot = self.free_runs(self.doctor)[0][0]
        self.assertEqual(self.book(self.body(slot), key="one")[0], 201)
        status, body = self.book(self.body(slot, contact_phone="+7 916 000-00-01"), key="two")
        self.assertEqual((status, body["error"]["code"]), (409, "slot_taken"))
        self.assertTrue(body["error"]["alternatives"])
        self.assertTrue(all(a["start"] != self.iso(slot) for a in body["error"]["alternatives"]))
        child_slot = self.free_runs(self.pediatrician)[0][0]
        child = {"last_name": "Апиев", "first_name": "Тимур", "birth_date": "2020-05-05"}
        child_body = self.body(child_slot, patient=child, service={})
        self.assertError(self.book(child_body, key="child-1"), 422, "missing_representative")
        child_body["representative"] = {"last_name": "Апиева", "first_name": "Мария", "kinship": "mother"}
        status, booked = self.book(child_body, key="child-2")
        self.assertEqual(status, 201, booked)
        patient = self.Appointment.search([("online_ref", "=", booked["id"])]).patient_id
        mother = self.Appointment.search([("start", "=", slot.start), ("employee_id", "=", self.doctor.id)]).patient_id
        self.assertFalse(patient.relation_ids, "a representative declared through the API is not linked")
        request = self.env["clinic.representation.request"].search([("child_id", "=", patient.id)])
        self.assertEqual(request.state, "pending")
        self.assertNotEqual(request.representative_id, mother, "a name and a phone find nobody's card")

    def test_limits_per_key_per_address_and_rights(self):
        self.consumer.rate_limit = 3
        for _request in range(3):
            self.assertEqual(self.api("/specialties")[0], 200)
        response = self.url_open(f"{PREFIX}/specialties", headers={"Authorization": f"Bearer {self.api_key}"})
        self.assertEqual((response.status_code, response.json()["error"]["code"]), (429, "rate_limited"))
        self.assertGreater(int(response.headers["Retry-After"]), 0)
        self.consumer.rate_limit = 1000
        self.env["ir.config_parameter"].set_param("clinic_website_booking.api_ip_requests_per_minute", 1)
        self.assertError(self.api("/healthcheck", key=False), 429, "rate_limited")
        self.env["ir.config_parameter"].set_param("clinic_website_booking.api_ip_requests_per_minute", 1000)
        self.consumer.can_book = False
        self.assertError(self.book(self.body(self.free_runs(self.doctor)[0][0])), 403, "forbidden")

    def test_one_time_code_books_on_the_known_card(self):
        """A patient on file proves their card with a code sent to its phone; without it the API never books on it."""
        known = self.Partner.create(
            {"is_patient": True, "surname": "Апиева", "first_name": "Мария", "patronymic": "Петровна",
             "birth_date": "1990-01-02", "phone": "+7 916 123-45-67"}
        )  # fmt: skip
        sent = []
        Code = type(self.env["clinic.identity.code"])
        asked = {"patient": self.body(self.free_runs(self.doctor)[0][0])["patient"], "contact_phone": "89161234567"}
        with patch.object(Code, "_deliver_code", lambda self, phone, code: sent.append((phone, code))):
            status, answer = self.api("/identity/challenges", asked)
            self.assertEqual(status, 201, answer)
            stranger = dict(asked, patient=dict(asked["patient"], first_name="Ева"))
            status, unknown = self.api("/identity/challenges", stranger)
        self.assertEqual((status, set(unknown)), (201, set(answer)), "the same answer whether a card matched or not")
        self.assertEqual(sent[0][0], "+79161234567")
        self.assertEqual(len(sent), 1, "no code for a person not on file")
        code = sent[0][1]
        wrong = str((int(code) + 1) % 10**6).zfill(6)
        runs = self.free_runs(self.doctor)
        body = self.body(runs[0][0], identity={"challenge": answer["challenge"], "code": wrong})
        status, refused = self.book(body, key="code-1")
        self.assertEqual((status, refused["error"]["field"]), (422, "identity.code"))
        stored = self.env["clinic.identity.code"].search([("ref", "=", answer["challenge"])])
        self.assertNotIn(code, str(stored.sudo().read()), "the code is kept only as a keyed hash")
        body["identity"]["code"] = code
        status, booked = self.book(body, key="code-2")
        self.assertEqual(status, 201, booked)
        appointment = self.Appointment.search([("online_ref", "=", booked["id"])])
        self.assertEqual(appointment.patient_id, known)
        self.assertFalse(appointment.needs_attention)
        reused = self.body(runs[2][0], identity=body["identity"])
        self.assertEqual(self.book(reused, key="code-3")[1]["error"]["field"], "identity.challenge", "used once")
