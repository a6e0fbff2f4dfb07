"""A small 1C 7.7 clinic base written by the tests themselves, with every trap the import must handle.

Clients (SC101, cp866, with 1Cv7.DD; SNILS is a periodic attribute kept in 1SCONST):

====  ==========================================  ================================================
 ID    who                                          what it tests
====  ==========================================  ================================================
 1-3   groups ДМС, Сотрудники, ДМС / Газпром         folders -> patient tags (3 is a child of 1)
 10    Иванов Иван Иванович, 31.01.1980              address found in KLADR (Москва, Ленина)
 11    «ИВАНОВ  иван иванович», same birth date      case/spaces; exact duplicate of 10 -> merged
 12    Петрова Анна Сергеевна, 05.05.1975            a city number without area code; KLADR match
 13    Петрова Ана Сергеевна, same birth date        one-letter typo of 12 -> left for review
 14    Сидоров Пётр Петрович, SNILS 112-233-445 95   periodic SNILS (an older wrong value first)
 15    Сидоров Петр, same SNILS                      same SNILS as 14 -> merged
 16    Кузнецова Мария Ивановна, date «19801345»     broken DBF date -> kept as typed, flagged
 17    Смирнов Алексей Викторович                    marked for deletion (ISMARK), has a document -> archived
 18    Удалова Вера Павловна                         DBF-deleted record -> reported, never imported
 19    (blank name)                                  rejected
 20    Волков Дмитрий Андреевич                      Kazakh number; street unknown to KLADR
 21    Васильева Елена Павловна                      SNILS with a wrong control number
 22    Орлов Олег Олегович, 07.07.1977               already a patient in Odoo -> matched
 23    Морозов Сергей Сергеевич                      three numbers in one cell, extension with #
====  ==========================================  ================================================

Phones come in a dozen typed forms. Services (SC120): 2 groups, 4 services (an 804n code as the 1C
code, one in an attribute, none, one unknown to the nomenclature), 1 marked. Documents (DH135/DT135
in 1SJOURN): 7 importable (one of the marked client 17), 4 rejected for a reason each, 1 marked for deletion.
"""

import base64
from datetime import date

from odoo.tests import TransactionCase
from odoo.tools import SQL

from ..tools.synthetic_1c import CLIENT_TABLE, DOCUMENT_NUMBER, SERVICE_TABLE, clinic_base, kladr_files, make_id

SNILS_14 = "11223344595"
SNILS_WRONG = "12345678900"
EXISTING = ("Орлов", "Олег", "Олегович", date(1977, 7, 7))


def client(number, name, birth=None, gender="", phone="", address="", parent=None, mark=False, version=1):
    return {
        "ID": make_id(number), "PARENTID": make_id(parent) if parent else "", "CODE": str(number), "DESCR": name,
        "ISFOLDER": 2, "ISMARK": "*" if mark else "", "VERSTAMP": version, "SP102": birth, "SP103": gender,
        "SP104": phone, "SP105": address,
    }  # fmt: skip


CLIENTS = [
    client(10, "Иванов Иван Иванович", date(1980, 1, 31), "М", "8 (912) 345-67-89",
           "г. Москва, ул. Ленина, д. 5, кв. 12", parent=3),
    client(11, "ИВАНОВ  иван иванович", date(1980, 1, 31), "", "+7 912 3456789, 8-495-123-45-67 доб. 12"),
    client(12, "Петрова Анна Сергеевна", date(1975, 5, 5), "Ж", "89161234567 мама; 2-34-56",
           "620000, Свердловская обл., г. Екатеринбург, ул. Малышева, д. 36, кв. 4"),
    client(13, "Петрова Ана Сергеевна", date(1975, 5, 5), "Ж", "9031112233"),
    client(14, "Сидоров Пётр Петрович", date(1990, 2, 3), "М", "+7(926)555-44-33", parent=2),
    client(15, "Сидоров Петр", date(1990, 2, 3), "", "8 812 123-45-67"),
    client(16, "Кузнецова Мария Ивановна", "19801345", "Ж", "тел. 8-916-000-11-22 (папа)"),
    client(17, "Смирнов Алексей Викторович", date(1970, 1, 1), "М", "8 800 555-35-35", mark=True),
    client(18, "Удалова Вера Павловна", date(1960, 6, 6), "Ж", "8 (916) 777-66-55"),
    client(19, "  ", date(2000, 1, 1), "", "8 (916) 777-66-54"),
    client(20, "Волков Дмитрий Андреевич", date(1985, 7, 7), "М", "+7 701 123 45 67",
           "г. Химки, ул. Несуществующая, д. 1"),
    client(21, "Васильева Елена Павловна", date(1992, 12, 12), "Ж", "7 812 1234568"),
    client(22, "Орлов Олег Олегович", date(1977, 7, 7), "М", "+7 (343) 350-00-00 #5"),
    client(23, "Морозов Сергей Сергеевич", date(1966, 6, 16), "М",
           "8 (343) 350-00-01; +7 912 000-00-02 / 8 912 000 00 03"),
]  # fmt: skip
SERVICES = [
    {"ID": make_id(10), "PARENTID": make_id(1), "CODE": "B01.047.001", "DESCR": "Прием терапевта первичный",
     "ISFOLDER": 2, "VERSTAMP": 1, "SP121": 2200, "SP123": 30},
    {"ID": make_id(11), "PARENTID": make_id(2), "CODE": "У-0011", "DESCR": "УЗИ органов брюшной полости",
     "ISFOLDER": 2, "VERSTAMP": 1, "SP121": 2400, "SP122": "A04.16.001", "SP123": 40},
    {"ID": make_id(12), "CODE": "У-0012", "DESCR": "Массаж воротниковой зоны", "ISFOLDER": 2, "VERSTAMP": 1,
     "SP121": 1200},
    {"ID": make_id(13), "CODE": "У-0013", "DESCR": "Консультация по анализам", "ISFOLDER": 2, "VERSTAMP": 1,
     "SP121": 900, "SP122": "B99.999.999"},
    {"ID": make_id(14), "CODE": "У-0014", "DESCR": "Старая услуга", "ISFOLDER": 2, "ISMARK": "*", "VERSTAMP": 1,
     "SP121": 100},
]  # fmt: skip


def line(service, price, discount=0, quantity=1):
    amount = round(price * quantity * (1 - discount / 100), 2)
    return {"SP141": make_id(service), "SP142": quantity, "SP143": price, "SP144": discount, "SP145": amount}


def header(client_number, total, paid=None, paid_on=None, method="Наличные"):
    return {"SP136": make_id(client_number), "SP137": total, "SP138": total if paid is None else paid,
            "SP139": paid_on, "SP140": method}  # fmt: skip


# (document number, date, header, lines, marked, in the journal)
DOCUMENTS = [
    (1, date(2024, 3, 1), header(10, 2200, paid_on=date(2024, 3, 1)), [line(10, 2200)], False, True),
    (2, date(2024, 3, 15), header(11, 2160, paid_on=date(2024, 3, 16), method="Карта"), [line(11, 2400, 10)], False,
     True),
    (3, date(2024, 4, 2), header(12, 3400, paid=0), [line(10, 2200), line(12, 1200)], False, True),
    (4, date(2024, 4, 3), header(17, 2200, paid_on=date(2024, 4, 3)), [line(10, 2200)], False, True),
    (5, date(2024, 4, 4), header(10, 2200, paid_on=date(2024, 4, 4)), [line(10, 2200)], True, True),
    (6, date(2024, 4, 5), header(19, 2200, paid_on=date(2024, 4, 5)), [line(10, 2200)], False, True),
    (7, date(2024, 5, 6), header(22, 2200, paid_on=date(2024, 5, 6), method="Безнал. перевод"), [line(10, 2200)],
     False, True),
    (8, date(2024, 5, 7), header(12, 100, paid_on=date(2024, 5, 7)), [line(14, 100)], False, True),
    (9, date(2024, 5, 8), {**header(10, 2200), "SP136": make_id(999)}, [line(10, 2200)], False, True),
    (10, date(2024, 6, 1), header(15, 2200, paid_on="20991231"), [line(10, 2200)], False, True),
    (11, date(2024, 6, 2), header(21, 900, paid_on=date(2024, 6, 2)), [line(13, 900)], False, True),
    (12, date(2024, 6, 3), header(21, 900, paid_on=date(2024, 6, 3)), [line(13, 900)], False, False),
]  # fmt: skip

EXPECTED = {
    "patient.new": 9, "patient.merged": 2, "patient.matched": 1, "patient.review": 2, "patient.rejected": 1,
    "patient.skipped": 0, "patient.deleted": 1, "patient.folders": 3, "patient.unchanged": 0,
    "service.new": 4, "service.skipped": 1, "service.folders": 2,
    "document.new": 7, "document.rejected": 4, "document.skipped": 1, "document.lines": 8, "document.payments": 6,
}  # fmt: skip
# Tables an import may write: the dry run and a re-run must leave every one of them as it was.
WATCHED_TABLES = (
    "res_partner", "clinic_partner_phone", "res_partner_category", "res_partner_res_partner_category_rel",
    "product_template", "product_product", "product_category", "clinic_visit", "clinic_visit_line",
    "clinic_visit_payment", "clinic_migration_link", "clinic_kladr_object", "clinic_migration_kladr_load",
    "clinic_duplicate_cluster", "clinic_merge_log", "clinic_migration_run", "clinic_migration_batch",
    "clinic_migration_issue",
)  # fmt: skip
DATA_TABLES = WATCHED_TABLES[:-3]


def build_base(clients=None, documents=None, encoding="cp866"):
    """{file name: bytes} of the test clinic's 1C folder (CLIENTS and DOCUMENTS unless others are given)."""
    clients = CLIENTS if clients is None else clients
    documents = DOCUMENTS if documents is None else documents
    base = clinic_base(encoding, periodic=("SP106",))
    folders = [(1, "ДМС", None), (2, "Сотрудники", None), (3, "ДМС Газпром", 1)]
    for number, name, parent in folders:
        base.add(CLIENT_TABLE, {"ID": make_id(number), "PARENTID": make_id(parent) if parent else "",
                                "CODE": str(number), "DESCR": name, "ISFOLDER": 1, "VERSTAMP": 1})  # fmt: skip
    for row in clients:
        base.add(CLIENT_TABLE, row, deleted=row["DESCR"].startswith("Удалова"))
    base.set_periodic(CLIENT_TABLE, make_id(14).strip(), "SP106", "112-233-445 00", date(2015, 1, 1))
    base.set_periodic(CLIENT_TABLE, make_id(14).strip(), "SP106", "112-233-445 95", date(2020, 1, 1))
    base.set_periodic(CLIENT_TABLE, make_id(15).strip(), "SP106", SNILS_14, date(2021, 1, 1))
    base.set_periodic(CLIENT_TABLE, make_id(21).strip(), "SP106", SNILS_WRONG, date(2021, 1, 1))
    for number, name in ((1, "Приёмы врачей"), (2, "УЗИ")):
        base.add(SERVICE_TABLE, {"ID": make_id(number), "CODE": str(number), "DESCR": name, "ISFOLDER": 1,
                                 "VERSTAMP": 1})  # fmt: skip
    for row in SERVICES:
        base.add(SERVICE_TABLE, row)
    for number, when, head, lines, marked, journal in documents:
        if journal:
            base.add_document(DOCUMENT_NUMBER, make_id(number), when, f"{number:06d}", head, lines, marked=marked)
        else:
            base.add(f"DH{DOCUMENT_NUMBER}", dict(head, IDDOC=make_id(number)))
            for line_no, row in enumerate(lines, 1):
                base.add(f"DT{DOCUMENT_NUMBER}", dict(row, IDDOC=make_id(number), LINENO=line_no))
    return base.files()


class MigrationCase(TransactionCase):
    """The test base, an existing patient it must match, and helpers to run the wizard and the batches."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.files = build_base()
        cls.kladr = kladr_files()
        surname, first, patronymic, birth = EXISTING
        cls.existing = cls.env["res.partner"].create({
            "is_patient": True, "surname": surname, "first_name": first, "patronymic": patronymic,
            "birth_date": birth,
        })  # fmt: skip

    def attachments(self, files):
        return self.env["ir.attachment"].create(
            [
                {"name": name, "datas": base64.b64encode(data), "res_model": "clinic.migration.wizard"}
                for name, data in files.items()
            ]  # fmt: skip
        )

    def wizard(self, files=None, kladr=True, **vals):
        """A wizard that has read the files; on the test base, SNILS is mapped by hand to its periodic attribute."""
        vals.setdefault("tz", "Europe/Moscow")
        wizard = self.env["clinic.migration.wizard"].create(
            dict(
                attachment_ids=[(6, 0, self.attachments(self.files if files is None else files).ids)],
                kladr_attachment_ids=[(6, 0, self.attachments(self.kladr).ids)] if kladr else [],
                **vals,
            )
        )
        wizard.action_analyze()
        mapping = wizard.mapping_id
        has_snils = mapping.line_ids.filtered(lambda line: line.target == "patient.snils")
        if mapping.patient_table == CLIENT_TABLE and not has_snils:
            mapping.write({"line_ids": [(0, 0, {"target": "patient.snils", "source_column": "SP106"})]})
        return wizard

    def run_import(self, wizard, **run_vals):
        """Dry run, import, and every batch written; returns the run."""
        wizard.action_dry_run()
        action = wizard.action_import()
        run = self.env["clinic.migration.run"].browse(action["res_id"])
        if run_vals:
            run.write(run_vals)
        self.process(run)
        return run

    def process(self, run, limit=None):
        """Call the scheduled job as the cron would, ``limit`` times or until the run is done."""
        calls = 0
        while run.state in ("queued", "running") and (limit is None or calls < limit):
            self.env["clinic.migration.run"]._cron_process()
            calls += 1
        return calls

    def table_counts(self, tables=WATCHED_TABLES):
        """{table: (rows, latest write date)}: a write anywhere shows up in one of the two."""
        self.env.flush_all()
        counts = {}
        for table in tables:
            stamp = SQL("NULL") if table.endswith("_rel") else SQL("max(write_date)")
            self.env.cr.execute(SQL("SELECT count(*), %s FROM %s", stamp, SQL.identifier(table)))
            counts[table] = self.env.cr.fetchone()
        return counts

    def imported(self, table, number):
        """The Odoo record a 1C row became, through its link; ``number`` makes a 1C ID, a string is the ID."""
        source_id = make_id(number).rstrip() if isinstance(number, int) else number
        link = self.env["clinic.migration.link"].search([("source_table", "=", table), ("source_id", "=", source_id)])
        return self.env[link.model].browse(link.res_id) if link else None
