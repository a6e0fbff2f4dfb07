from contextlib import contextmanager

from odoo.tests import TransactionCase, tagged

BATCH = 20
DEFAULTS = {
    "care_reason_id": ("clinic.nsi.care.reason", "1"),
    "care_place_id": ("clinic.nsi.care.place", "1"),
    "care_setting_id": ("clinic.nsi.care.setting", "2"),
    "care_form_id": ("clinic.nsi.care.form", "1"),
    "care_type_id": ("clinic.nsi.care.type", "3"),
    "care_condition_id": ("clinic.nsi.care.condition", "1"),
}


@tagged("post_install", "-at_install")
class TestVisitDefaults(TransactionCase):
    """The SEMD codes a visit starts with come from a cache: a batch of visits (the 1C import) searches no book."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.patient = cls.env["res.partner"].create({"is_patient": True, "surname": "Импортова", "first_name": "Ия"})

    @contextmanager
    def queries(self):
        queries = []
        yield from self._patchExecute(queries)

    def create_visits(self, count):
        return self.env["clinic.visit"].create([{"patient_id": self.patient.id} for _n in range(count)])

    def test_batch_of_visits_searches_no_reference_book(self):
        self.create_visits(1)  # the first visit of the process fills the cache
        with self.queries() as queries:
            visits = self.create_visits(BATCH)
        books = {self.env[model]._table for model, _code in DEFAULTS.values()}
        searches = [query for query in queries if any(f'FROM "{table}"' in query for table in books)]
        self.assertEqual(searches, [], f"{len(searches)} book searches for {BATCH} visits")
        for field, (model, code) in DEFAULTS.items():
            row = self.env[model].search([("code", "=", code)])
            self.assertEqual(len(row), 1, f"{model} ships code {code}")
            self.assertEqual(visits.mapped(field), row, f"{field} defaults to code {code}")

    def test_cached_code_follows_the_book(self):
        Reason = self.env["clinic.nsi.care.reason"]
        first = Reason.search([("code", "=", "1")])
        self.assertEqual(self.create_visits(1).care_reason_id, first)
        first.active = False  # retired by the Ministry
        self.assertFalse(self.create_visits(1).care_reason_id)
        first.code = "1-old"
        first.flush_recordset()
        replacement = Reason.create({"code": "1", "name": "Первичный (новая редакция)"})
        self.assertEqual(self.create_visits(1).care_reason_id, replacement)
        replacement.unlink()
        self.assertFalse(self.create_visits(1).care_reason_id)
