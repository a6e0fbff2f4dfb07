"""Client rows of a receptionist-kept 1C base (issue 10): the misses of the duplicate engine, junk rows,
notes in brackets, clients marked for deletion with and without documents."""

from datetime import date

from odoo.tests import new_test_user, tagged

from ..tools.synthetic_1c import CLIENT_TABLE
from .common import MigrationCase, build_base, client, header, line

DH = "DH135"
MESSY = [
    client(30, "Фёдоров Иван Олегович", None, "", "8 912 700-10-20"),
    client(31, "Федоров Иван Олегович", date(1973, 7, 3), "М", "+7 912 700 10 20"),
    client(32, "Егоров Е.А.", date(1988, 2, 9), "", "89162003040"),
    client(33, "Егоров Егор Александрович", date(1988, 2, 9), "М", "8 916 200-30-40"),
    client(34, "АЛЕКСАНДРА ОЛЕГОВНА ЛЕБЕДЕВА", None, "", "89031112233"),
    client(35, "Лебедева Александра Олеговна", date(1990, 4, 4), "Ж", "8 903 111-22-33"),
    client(36, "Мих\u0061йл\u006fв Олег Петрович", None, "", "8 905 555 00 11"),  # Latin a and o
    client(37, "Михайлов Олег Петрович", date(1965, 5, 5), "М", "89055550011"),
    client(38, "тест"),
    client(39, "ТЕСТ ТЕСТ", date(2000, 1, 1)),
    client(40, "!!!", None, "", "89000000000"),
    client(41, "звонил, не записался", None, "", "8 926 555-66-77"),
    client(42, "Иванов"),
    client(43, "Петрова (мама Кати)"),
    client(44, "Сомова Ирина (мама Кати)", None, "Ж", "89260001122"),
    client(45, "Смирнов Алексей Викторович", date(1970, 1, 1), "М", "8 800 555-35-35", mark=True),
    client(46, "Старов Марк Ильич", date(1950, 3, 3), "М", "", mark=True),
    client(47, "Соколова Марина Игоревна", date(1984, 3, 11), "Ж", "89264005060"),
    client(48, "Соколова Мариан Игоревна", date(1984, 3, 11), "Ж", ""),
    client(49, "Орлова Анна Сергеевна", date(2015, 4, 4), "Ж", "8 916 123-00-99"),
    client(50, "Орлова Алина Сергеевна", date(2015, 4, 4), "Ж", "8 916 123-00-99"),
    client(51, "Тихонравов Ермолай Венедиктович", date(1958, 6, 7), "М", "8 912 345-67-89"),
    client(52, "Тихонравов Ермолай Венедиктович", date(2024, 3, 5), "М", "89123456789"),  # the visit's date
]  # fmt: skip
MESSY_DOCUMENTS = [
    (1, date(2024, 3, 1), header(45, 2200, paid_on=date(2024, 3, 1)), [line(10, 2200)], False, True),
    (2, date(2024, 3, 2), header(47, 2200, paid_on=date(2024, 3, 2)), [line(10, 2200)], False, True),
    (3, date(2024, 3, 5), header(52, 1500, paid_on=date(2024, 3, 5)), [line(10, 1500)], False, True),
]  # fmt: skip


@tagged("post_install", "-at_install")
class TestClientRows(MigrationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.files = build_base(clients=MESSY, documents=MESSY_DOCUMENTS)

    def issues(self, run, number, kind=None):
        lines = run.issue_ids.filtered(lambda i: i.source_table == CLIENT_TABLE and i.code == str(number))
        return lines.filtered(lambda i: i.kind == kind) if kind else lines

    def test_receptionist_kept_base(self):
        run = self.run_import(self.wizard())
        self.assertEqual(run.marked_policy, "documents", "history is never dropped by default")
        counts = {key: run.counts.get(key, 0) for key in ("patient.rejected", "patient.skipped", "document.new")}
        self.assertEqual(counts, {"patient.rejected": 6, "patient.skipped": 1, "document.new": 3})

        # The misses of the issue: each pair is one card now.
        for copy, original in ((30, 31), (32, 33), (34, 35), (36, 37), (52, 51)):
            self.assertEqual(self.imported(CLIENT_TABLE, copy), self.imported(CLIENT_TABLE, original), copy)
        egorov = self.imported(CLIENT_TABLE, 33)
        self.assertEqual(egorov.name, "Егоров Егор Александрович", "the full name wins over the initials")
        self.assertEqual(self.imported(CLIENT_TABLE, 35).name, "Лебедева Александра Олеговна")
        # A birth date equal to the day of the client's own document is that visit's date typed in the wrong
        # field: no evidence against the match, and not the birth date of the card.
        self.assertEqual(self.imported(CLIENT_TABLE, 52).birth_date, date(1958, 6, 7))
        self.assertEqual(self.imported(DH, 3).patient_id, self.imported(CLIENT_TABLE, 51))

        # Junk is not a patient, and the report says why.
        for number, words in (
            (38, "test row"), (39, "test row"), (40, "no letters"), (41, "note of the front desk"),
            (42, "one word"), (43, "мама Кати"),
        ):  # fmt: skip
            self.assertIsNone(self.imported(CLIENT_TABLE, number), number)
            self.assertIn(words, self.issues(run, number, "rejected").reason, number)

        # A note in brackets is kept, and a relative it names is offered for review.
        somova = self.imported(CLIENT_TABLE, 44)
        self.assertEqual(somova.name, "Сомова Ирина")
        self.assertIn("Note in brackets: «мама Кати».", somova.migration_remarks)
        relative = self.issues(run, 44, "review")
        self.assertEqual(relative.value_before, "мама Кати")
        self.assertIn("names a relative", relative.reason)

        # Marked for deletion: with documents archived with its history, without documents left out.
        smirnov = self.imported(CLIENT_TABLE, 45)
        self.assertFalse(smirnov.active)
        self.assertEqual(self.imported(DH, 1).patient_id, smirnov)
        self.assertIsNone(self.imported(CLIENT_TABLE, 46))
        self.assertIn("no documents", self.issues(run, 46, "skipped").reason)

        # The uncertain pair is listed in the report and waits on the review screen.
        sokolova, typo = self.imported(CLIENT_TABLE, 47), self.imported(CLIENT_TABLE, 48)
        self.assertNotEqual(sokolova, typo)
        self.assertIn("Соколова Мариан Игоревна", self.issues(run, 47, "review").reason)
        self.assertIn("Соколова Марина Игоревна", self.issues(run, 48, "review").reason)
        cluster = self.env["clinic.duplicate.cluster"].search([("partner_ids", "in", sokolova.ids)])
        self.assertEqual((cluster.partner_ids, cluster.state), (sokolova | typo, "open"))

        # Twins on one phone stay two patients, with no doubt raised.
        twins = self.imported(CLIENT_TABLE, 49) | self.imported(CLIENT_TABLE, 50)
        self.assertEqual(len(twins), 2)
        self.assertFalse(self.env["clinic.duplicate.cluster"].search([("partner_ids", "in", twins.ids)]))

    def test_policies_do_what_the_wizard_says(self):
        archive = self.run_import(self.wizard(marked_policy="archive"))
        self.assertEqual(archive.counts.get("patient.skipped", 0), 0)
        self.assertFalse(self.imported(CLIENT_TABLE, 46).active)

    def test_skip_policy_rejects_the_documents_of_marked_clients(self):
        skip = self.run_import(self.wizard(marked_policy="skip"))
        self.assertEqual((skip.counts.get("patient.skipped"), skip.counts.get("document.new")), (2, 2))
        self.assertIsNone(self.imported(DH, 1))

    def test_report_in_the_language_of_who_started_it(self):
        """The scheduled job writes the report lines, including the doubts, in the manager's language."""
        if not self.env["res.lang"]._lang_get("ru_RU"):
            self.env["res.lang"]._activate_lang("ru_RU")
        for module in ("clinic_base", "clinic_migration_1c"):
            self.env["ir.module.module"].search([("name", "=", module)])._update_translations("ru_RU")
        manager = new_test_user(
            self.env, "mig_ru", groups="clinic_base.group_clinic_manager,base.group_system", lang="ru_RU"
        )
        wizard = self.wizard()
        wizard.action_dry_run()
        run = self.env["clinic.migration.run"].browse(wizard.action_import()["res_id"])
        self.env.cr.execute("UPDATE clinic_migration_run SET create_uid = %s WHERE id = %s", [manager.id, run.id])
        run.invalidate_recordset(["create_uid"])
        self.process(run)
        self.assertIn("Возможно, тот же человек", self.issues(run, 47, "review").reason)
        self.assertIn("ФИО отличается одной буквой", self.issues(run, 47, "review").reason)
        self.assertIn("тестовая строка", self.issues(run, 38, "rejected").reason)
        after = run.issue_ids.filtered(lambda i: i.kind == "review" and not i.source_table)
        self.assertTrue(after, "the review screen's doubts are listed after the import too")
        self.assertIn("ФИО отличается одной буквой", after[0].reason)
