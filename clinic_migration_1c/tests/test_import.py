import base64
import csv
import io
from datetime import date

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..tools.synthetic_1c import CLIENT_TABLE, SERVICE_TABLE, make_id
from .common import (
    CLIENTS,
    DATA_TABLES,
    DOCUMENTS,
    EXPECTED,
    SNILS_14,
    SNILS_WRONG,
    MigrationCase,
    build_base,
    client,
    header,
)  # fmt: skip

DH = "DH135"


@tagged("post_install", "-at_install")
class TestImport(MigrationCase):
    def assertCounts(self, counts, expected):
        self.assertEqual({key: counts.get(key, 0) for key in expected}, expected)

    def test_dry_run_counts_and_writes_nothing(self):
        wizard = self.wizard()
        before = self.table_counts()
        wizard.action_dry_run()
        self.assertEqual(self.table_counts(), before, "the dry run wrote something")
        self.assertCounts(wizard.counts, EXPECTED)
        self.assertIn("Иванов Иван Иванович", wizard.summary)
        report = wizard.report_file and self._csv(wizard.report_file)
        self.assertTrue(any("19801345" in row for row in report))

    def test_mapping_prefilled_from_the_dictionary(self):
        mapping = self.wizard().mapping_id
        self.assertEqual(
            (mapping.patient_table, mapping.service_table, mapping.document_table, mapping.line_table),
            (CLIENT_TABLE, SERVICE_TABLE, DH, "DT135"),
        )
        columns = {line.target: line.source_column for line in mapping.line_ids}
        self.assertEqual(columns["patient.birth_date"], "SP102")
        self.assertEqual(columns["patient.phone"], "SP104")
        self.assertEqual(columns["patient.full_name"], "DESCR")
        self.assertEqual(columns["document.client"], "SP136")
        self.assertEqual(columns["document.paid"], "SP138")
        self.assertEqual(columns["document.total"], "SP137")
        self.assertEqual(columns["line.line_no"], "LINENO")
        self.assertEqual(columns["service.nomenclature_code"], "SP122")
        labels = {line.target: line.source_label for line in mapping.line_ids}
        self.assertEqual(labels["patient.address"], "Адрес")
        # The hand-made SNILS line and any edit survive the next analysis of the same base.
        mapping.line_ids.filtered(lambda line: line.target == "patient.address").source_column = False
        again = self.wizard()
        self.assertEqual(again.mapping_id, mapping)
        columns = {line.target: line.source_column for line in mapping.line_ids}
        self.assertEqual(columns["patient.snils"], "SP106")
        self.assertFalse(columns["patient.address"])

    def test_import_end_to_end(self):
        patients_before = self.env["res.partner"].search_count([("is_patient", "=", True)])
        clusters_before = self.env["clinic.merge.log"].search_count([])
        run = self.run_import(self.wizard())
        self.assertEqual((run.state, run.progress), ("done", 100.0))
        self.assertCounts(run.counts, EXPECTED)
        self.assertEqual(self.env["res.partner"].search_count([("is_patient", "=", True)]), patients_before + 8)
        self.assertEqual(self.env["clinic.migration.link"].search_count([("model", "=", "res.partner")]), 12)
        self.assertEqual(self.env["clinic.migration.link"].search_count([("model", "=", "res.partner.category")]), 3)
        self.assertEqual(self.env["clinic.merge.log"].search_count([]), clusters_before + 3)

        ivanov = self.imported(CLIENT_TABLE, 10)
        self.assertEqual(ivanov, self.imported(CLIENT_TABLE, 11), "exact duplicates make one card")
        self.assertEqual((ivanov.name, ivanov.birth_date, ivanov.gender),
                         ("Иванов Иван Иванович", date(1980, 1, 31), "male"))  # fmt: skip
        self.assertEqual(
            sorted((p.number, p.extension or "") for p in ivanov.clinic_phone_ids),
            [("+74951234567", "12"), ("+79123456789", "")],
        )
        self.assertEqual((ivanov.city, ivanov.addr_street, ivanov.addr_house, ivanov.addr_flat),
                         ("Москва", "Ленина", "5", "12"))  # fmt: skip
        self.assertTrue(ivanov.address_verified)
        self.assertEqual(ivanov.kladr_code, "77000000000000100")
        self.assertEqual(ivanov.category_id.display_name, "ДМС / ДМС Газпром")
        self.assertEqual(ivanov.ref, "10")

        petrova = self.imported(CLIENT_TABLE, 12)
        self.assertTrue(petrova.address_verified)
        self.assertEqual(petrova.clinic_phone_ids.mapped("note"), ["мама"])
        self.assertIn("2-34-56", petrova.migration_remarks)
        cluster = self.env["clinic.duplicate.cluster"].search([("partner_ids", "in", petrova.ids)])
        self.assertEqual(cluster.partner_ids, petrova | self.imported(CLIENT_TABLE, 13))
        self.assertEqual(cluster.state, "open")

        sidorov = self.imported(CLIENT_TABLE, 14)
        self.assertEqual(sidorov, self.imported(CLIENT_TABLE, 15))
        self.assertEqual((sidorov.snils, sidorov.patronymic), (SNILS_14, "Петрович"))
        kuznetsova = self.imported(CLIENT_TABLE, 16)
        self.assertFalse(kuznetsova.birth_date)
        self.assertIn("19801345", kuznetsova.migration_remarks)
        volkov = self.imported(CLIENT_TABLE, 20)
        self.assertEqual(volkov.clinic_phone_ids.number, "+77011234567")
        self.assertFalse(volkov.address_verified)
        self.assertIn("Несуществующая", volkov.migration_remarks)
        vasilyeva = self.imported(CLIENT_TABLE, 21)
        self.assertFalse(vasilyeva.snils)
        self.assertIn(SNILS_WRONG, vasilyeva.migration_remarks)
        self.assertEqual(self.imported(CLIENT_TABLE, 22), self.existing)
        self.assertIn("+73433500000", self.existing.clinic_phone_ids.mapped("number"))
        self.assertEqual(self.imported(CLIENT_TABLE, 23).clinic_phone_ids.mapped("number"),
                         ["+73433500001", "+79120000002", "+79120000003"])  # fmt: skip
        for number in (18, 19):
            self.assertIsNone(self.imported(CLIENT_TABLE, number))
        smirnov = self.imported(CLIENT_TABLE, 17)
        self.assertFalse(smirnov.active, "marked for deletion with a document: archived, with its history")
        self.assertEqual(self.imported(DH, 4).patient_id, smirnov)

        therapist = self.imported(SERVICE_TABLE, 10)
        ultrasound = self.imported(SERVICE_TABLE, 11)
        self.assertEqual(therapist.service_code_id.code, "B01.047.001")
        self.assertEqual((ultrasound.service_code_id.code, ultrasound.list_price, ultrasound.duration_minutes),
                         ("A04.16.001", 2400.0, 40))  # fmt: skip
        self.assertEqual(ultrasound.categ_id.name, "УЗИ")
        self.assertFalse(self.imported(SERVICE_TABLE, 13).service_code_id)
        self.assertIsNone(self.imported(SERVICE_TABLE, 14))

        visits = self.env["clinic.visit"].search([("is_imported", "=", True)])
        self.assertEqual(len(visits), 7)
        self.assertEqual(len(visits.line_ids), 8)
        self.assertEqual(len(visits.payment_ids), 6)
        self.assertEqual(visits.filtered(lambda v: v.patient_id == ivanov).mapped("name"), ["000002", "000001"])
        second = self.imported(DH, 2)
        self.assertEqual((second.amount_total, second.amount_paid, second.state), (2160.0, 2160.0, "done"))
        self.assertEqual((second.payment_ids.date, second.payment_ids.method), (date(2024, 3, 16), "card"))
        self.assertEqual(second.line_ids.discount, 10.0)
        self.assertEqual(str(second.date), "2024-03-15 07:00:00", "10:00 in Moscow")
        self.assertFalse(self.imported(DH, 3).payment_ids, "an unpaid document has no payment")
        self.assertEqual(self.imported(DH, 7).patient_id, self.existing)
        self.assertEqual(self.imported(DH, 7).payment_ids.method, "transfer")
        self.assertEqual(self.imported(DH, 10).payment_ids.date, date(2024, 6, 1), "a future date is not taken")
        for number in (5, 6, 8, 9, 12):
            self.assertIsNone(self.imported(DH, number))

        receptionist = new_test_user(self.env, "mig_reception", groups="clinic_base.group_clinic_receptionist")
        with self.assertRaises(UserError):
            second.with_user(receptionist).write({"date": "2024-03-20 07:00:00"})

        url = run.action_download_report()["url"]
        report = self._csv(self.env["ir.attachment"].browse(int(url.split("/")[3].split("?")[0])).datas)
        self.assertEqual(report[0][:5], ["1C table", "1C ID", "1C code", "Row", "What happened"])
        kinds = [row[4] for row in report[1:]]
        self.assertEqual(kinds.count("Rejected"), 1 + 4)
        self.assertEqual(kinds.count("Merged"), 3)
        # Each card of the uncertain pair names the other in the plan; the review screen's cluster after the import.
        self.assertEqual(kinds.count("Possible duplicate to review"), 2 + 1)
        self.assertTrue(any(row[6] == "8 (912) 345-67-89" and row[7] == "+79123456789" for row in report))
        self.assertIn(["Удалова Вера Павловна", "Not imported"], [row[3:5] for row in report])
        self.assertEqual(kinds.count("Not imported"), 4, "2 clients, 1 service and 1 document")

    def test_rerun_changes_nothing(self):
        self.run_import(self.wizard())
        before = self.table_counts(DATA_TABLES)
        run = self.run_import(self.wizard())
        self.assertEqual(self.table_counts(DATA_TABLES), before, "a re-run of the same export wrote something")
        self.assertCounts(run.counts, {"patient.unchanged": 12, "patient.new": 0, "service.unchanged": 4,
                                       "service.new": 0, "document.unchanged": 7, "document.new": 0})  # fmt: skip

    def test_newer_export_brings_the_differences(self):
        self.run_import(self.wizard())
        clients = [dict(row) for row in CLIENTS]
        clients[2].update(SP104="8 (916) 123-45-67, 8 (916) 999-88-77", VERSTAMP=2)
        clients.append(client(24, "Новиков Николай Николаевич", date(1999, 9, 9), "М", "8 900 100-20-30"))
        clients.append(client(25, "Сидоров Петр Петрович", date(1990, 2, 3), "М"))
        massage = [{"SP141": make_id(12), "SP142": 1, "SP143": 1200, "SP145": 1200}]
        documents = [*DOCUMENTS, (13, date(2024, 7, 1), header(24, 1200, paid_on=date(2024, 7, 1)), massage, False,
                                  True)]  # fmt: skip
        newer = dict(self.files, **build_base(clients, documents))
        run = self.run_import(self.wizard(newer))
        expected = {"patient.updated": 1, "patient.new": 1, "patient.matched": 1, "patient.unchanged": 11,
                    "document.new": 1, "document.unchanged": 7}  # fmt: skip
        self.assertCounts(run.counts, expected)
        petrova = self.imported(CLIENT_TABLE, 12)
        self.assertIn("+79169998877", petrova.clinic_phone_ids.mapped("number"))
        self.assertEqual(self.imported(CLIENT_TABLE, 25), self.imported(CLIENT_TABLE, 14))
        self.assertEqual(self.imported(DH, 13).patient_id, self.imported(CLIENT_TABLE, 24))

    def test_pause_and_resume(self):
        wizard = self.wizard()
        wizard.action_dry_run()
        run = self.env["clinic.migration.run"].browse(wizard.action_import()["res_id"])
        run.write({"patient_batch_size": 3, "document_batch_size": 2})
        self.process(run, limit=4)
        run.action_pause()
        self.assertEqual(self.process(run), 0, "a paused import is left alone")
        self.assertTrue(0 < run.progress < 100, run.progress)
        self.assertEqual(len(run.batch_ids.filtered(lambda b: b.kind == "patients")), 4)
        run.action_resume()
        self.process(run)
        self.assertEqual(run.state, "done")
        self.assertEqual(self.env["clinic.migration.link"].search_count([("model", "=", "res.partner")]), 12)
        self.assertEqual(self.env["clinic.visit"].search_count([("is_imported", "=", True)]), 7)

    def test_a_row_that_cannot_be_written_is_reported(self):
        """A card deleted between planning and its documents' batch: that document alone fails, in the report."""
        wizard = self.wizard()
        wizard.action_dry_run()
        run = self.env["clinic.migration.run"].browse(wizard.action_import()["res_id"])
        self.process(run, limit=5)  # planning, groups, services, cards, duplicates
        self.assertEqual(
            set(run.batch_ids.filtered(lambda b: b.state == "pending").mapped("kind")), {"documents", "finish"}
        )
        self.imported(CLIENT_TABLE, 21).unlink()
        self.process(run)
        self.assertEqual(run.state, "done")
        self.assertEqual(self.env["clinic.visit"].search_count([("is_imported", "=", True)]), 6)
        failed = run.issue_ids.filtered(lambda issue: issue.kind == "failed")
        self.assertEqual((failed.source_table, failed.source_id), (DH, make_id(11).rstrip()))
        self.assertIn("has no card in Odoo", failed.reason)
        self.assertEqual(run.batch_ids.filtered(lambda b: b.kind == "documents").failed_count, 1)

    def test_marked_clients_imported_as_archived(self):
        run = self.run_import(self.wizard(marked_policy="archive"))
        self.assertCounts(run.counts, {"patient.new": 9, "patient.skipped": 0, "document.new": 7,
                                       "document.rejected": 4})  # fmt: skip
        smirnov = self.imported(CLIENT_TABLE, 17)
        self.assertFalse(smirnov.active)
        self.assertEqual(self.imported(DH, 4).patient_id, smirnov)

    def test_links_follow_a_later_merge(self):
        self.run_import(self.wizard())
        cluster = self.env["clinic.duplicate.cluster"].search(
            [("partner_ids", "in", self.imported(CLIENT_TABLE, 12).ids)]
        )
        cluster.master_id = self.imported(CLIENT_TABLE, 12)
        cluster.action_merge()
        self.assertEqual(self.imported(CLIENT_TABLE, 13), self.imported(CLIENT_TABLE, 12))

    def test_report_in_russian(self):
        """A Russian manager gets the report, the reasons and the summary in Russian."""
        if not self.env["res.lang"]._lang_get("ru_RU"):
            self.env["res.lang"]._activate_lang("ru_RU")
            self.env["ir.module.module"].search([("name", "=", "clinic_migration_1c")])._update_translations("ru_RU")
        wizard = self.wizard().with_context(lang="ru_RU")
        wizard.action_dry_run()
        self.assertIn("Новые карточки", wizard.summary)
        report = self._csv(wizard.report_file)
        self.assertEqual(report[0][:3], ["Таблица 1С", "ID в 1С", "Код в 1С"])
        self.assertIn("Оставлено как введено: такой даты нет.", [row[8] for row in report])

    def test_only_managers_import(self):
        receptionist = new_test_user(self.env, "mig_front", groups="clinic_base.group_clinic_receptionist")
        with self.assertRaises(UserError):
            self.env["clinic.migration.wizard"].with_user(receptionist).create({})

    @staticmethod
    def _csv(datas):
        text = base64.b64decode(datas).decode("utf-8")
        assert text.startswith("\ufeff"), "the report starts with a BOM"
        return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
