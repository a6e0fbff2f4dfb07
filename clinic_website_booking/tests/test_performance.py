import re
from contextlib import contextmanager
from unittest.mock import patch
from urllib.parse import parse_qs, urlencode, urlsplit

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import OnlineBookingCase, OnlineBookingHttpCase

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SLOT_RE = re.compile(r'name="slot_id"[^>]*? value="([^"]+)"')
# Most queries one step of the booking path may make (the request and the page it redirects to), as measured in
# test mode on warm caches (bench/README.md, «website», has the figures of a real server). Odoo's login page, the
# benchmark's baseline, makes 4 here.
MAX_QUERIES = {"slots": 14, "hold": 22, "confirm": 31}


@tagged("post_install", "-at_install")
class TestPublishedChoice(OnlineBookingCase):
    """The website's check of a visitor's choice, made from the cached offer, follows the rules of specialties(),
    services() and practitioners()."""

    def test_same_answer_as_the_orm_rules(self):
        self.colleague.age_group = "both"
        archived = self.env["product.product"].create(
            {"name": "Снятая услуга", "type": "service", "is_medical_service": True, "duration_minutes": 30,
             "specialty_ids": [(6, 0, self.adult_specialty.ids)], "clinic_published": True, "active": False}
        )  # fmt: skip
        unpublished = self.practitioner("Скрытый Олег Петрович", self.adult_specialty, "adult")
        unpublished.clinic_published = False
        Specialty, Product = self.env["clinic.nsi.specialty"], self.env["product.product"]
        specialties = [Specialty, self.adult_specialty, self.child_specialty]
        services = [Product, self.service, self.long_service, self.child_service, archived]
        checked = 0
        for age in ("adult", "child"):
            offered = self.Booking.practitioners(age).specialty_ids
            for asked_specialty in specialties:
                specialty = asked_specialty & offered
                for asked_service in services:
                    service = asked_service & self.Booking.services(age, specialty)
                    expected = (specialty.id or None, service.id or None,
                                tuple(self.Booking.practitioners(age, specialty, service).ids))  # fmt: skip
                    got = self.Booking._published_choice(age, asked_specialty.id, asked_service.id)
                    self.assertEqual(got, expected, f"{age}, {asked_specialty.name}, {asked_service.name}")
                    checked += 1
        self.assertEqual(checked, 30)
        self.assertIn(self.colleague.id, self.Booking._published_choice("child", 0, 0)[2], "«both» sees children")
        self.assertNotIn(unpublished.id, self.Booking._published_choice("adult", 0, 0)[2])

    def test_the_cached_offer_follows_every_change(self):
        """The offer is kept between requests; each change a visitor must see at once clears it."""

        def offer():
            return self.Booking._published_choice("adult", self.adult_specialty.id, self.service.id)

        both = tuple((self.doctor | self.colleague).sorted("name").ids)
        self.assertEqual(offer(), (self.adult_specialty.id, self.service.id, both))
        with self.assertQueryCount(0):
            offer()
            for unknown in range(10**6, 10**6 + 50):  # whatever ids a visitor sends: no query, no cache entry
                self.assertEqual(self.Booking._published_choice("adult", unknown, unknown)[:2], (None, None))
        self.doctor.clinic_published = False
        self.assertNotIn(self.doctor.id, offer()[2])
        self.doctor.clinic_published = True
        self.colleague.specialty_ids = self.child_specialty
        self.assertEqual(offer()[2], (self.doctor.id,))
        newcomer = self.practitioner("Новенький Иван Петрович", self.adult_specialty, "adult")
        self.assertIn(newcomer.id, offer()[2])
        self.service.product_tmpl_id.clinic_published = False
        self.assertIsNone(offer()[1])
        self.service.product_tmpl_id.clinic_published = True
        self.service.active = False
        self.assertIsNone(offer()[1])
        self.service.active = True
        self.adult_specialty.active = False
        self.assertEqual(offer()[:2], (None, None), "a specialty archived is no longer offered, nor its service")

    def test_a_refused_change_keeps_the_cached_offer(self):
        """Every worker refills its caches after a clear: a write or delete the caller may not make clears nothing."""
        portal = new_test_user(self.env, login="offer_portal", groups="base.group_portal")
        self.Booking._published_choice("adult", self.adult_specialty.id, self.service.id)
        for record in (self.doctor, self.service.product_tmpl_id, self.adult_specialty):
            with self.assertRaises(AccessError):
                record.with_user(portal).write({"active": False})
            with self.assertRaises(AccessError):
                record.with_user(portal).unlink()
        with self.assertQueryCount(0):
            self.Booking._published_choice("adult", self.adult_specialty.id, self.service.id)


# Counted right after this module is installed, as Odoo's own query-count tests are: what a module installed
# later adds to a booking (clinic_whatsapp's messages written with the appointment) is that module's cost.
@tagged("at_install", "-post_install")
class TestBookingQueries(OnlineBookingHttpCase):
    """Each step of the booking path stays cheap: at most MAX_QUERIES[step] queries, so that a change that makes a
    step costlier fails here instead of in the benchmark under load."""

    @contextmanager
    def counting(self, step, counts):
        before = self.cr.sql_log_count
        yield
        counts[step] = self.cr.sql_log_count - before

    def journey(self, phone):
        """The benchmark's path: free times of a specialty with a service, a click on one, the form; returns the
        queries of each step."""
        counts = {}
        with self.counting("login", counts):
            self.assertEqual(self.url_open("/web/login").status_code, 200)
        query = {"age": "adult", "specialty_id": self.adult_specialty.id, "service_id": self.service.id}
        with self.counting("slots", counts):
            page = self.url_open(f"/booking/slots?{urlencode(query)}")
        csrf, ref = CSRF_RE.search(page.text).group(1), SLOT_RE.findall(page.text)[0]
        with self.counting("hold", counts):
            held = self.url_open("/booking/hold", data={"csrf_token": csrf, "slot_id": ref, **query})
        self.assertIn("/booking/details", held.url)
        token = parse_qs(urlsplit(held.url).query)["token"][0]
        person = {"surname": "Скорова", "first_name": "Ольга", "birth_date": "12.03.1984", "phone": phone}
        form = {"csrf_token": csrf, "token": token, "slot_id": ref, **query, **person, "consent_personal_data": "1"}
        with self.counting("confirm", counts):
            done = self.url_open("/booking/confirm", data=form)
        self.assertIn("/booking/booked/", done.url)
        self.assertIn("Вы записаны", done.text)
        return counts

    def test_queries_per_step(self):
        self.journey("8 912 700-00-01")  # the first one fills the caches, as a warm server has them
        with patch("random.random", lambda: 1):  # no garbage collection of the bus now and then (as assertQueryCount)
            counts = self.journey("8 912 700-00-02")
        for step, most in MAX_QUERIES.items():
            self.assertLessEqual(counts[step], most, f"{step}: {counts}")
