"""The pure readers and parsers: DBF, the data dictionary, encodings, dates, phones, names, addresses."""

from datetime import date

from odoo.tests import TransactionCase, tagged

from ..tools import values
from ..tools.dbf import DbfTable, SourceError, detect_encoding, write_dbf
from ..tools.dd import parse_dd, table_kind, write_dd
from ..tools.synthetic_1c import journal_time, make_id
from ..tools.tables import Upload

TODAY = date(2025, 1, 1)
COLUMNS = [("ID", "C", 9, 0), ("DESCR", "C", 40, 0), ("BIRTH", "D", 8, 0), ("SUM", "N", 10, 2)]
ROWS = [
    {"ID": make_id(1), "DESCR": "Иванов Иван Иванович", "BIRTH": date(1980, 1, 31), "SUM": 1500.5},
    {"ID": make_id(2), "DESCR": "Удалённая Запись", "BIRTH": None, "SUM": 0},
    {"ID": make_id(40), "DESCR": "Пётр Ёлкин", "BIRTH": "19801345", "SUM": None},
]


@tagged("post_install", "-at_install")
class TestTools(TransactionCase):
    def test_dbf_round_trip(self):
        for encoding in ("cp866", "cp1251", "utf-8"):
            data = write_dbf(COLUMNS, ROWS, encoding, deleted={1})
            table = DbfTable(data, "T.DBF")
            self.assertEqual((table.record_count, table.deleted_count, table.columns), (3, 1, ["ID", "DESCR", "BIRTH",
                                                                                               "SUM"]))  # fmt: skip
            rows = [row for _number, row in table.rows(encoding)]
            self.assertEqual(rows, [
                {"ID": "     1", "DESCR": "Иванов Иван Иванович", "BIRTH": "19800131", "SUM": "1500.50"},
                {"ID": "    14", "DESCR": "Пётр Ёлкин", "BIRTH": "19801345", "SUM": ""},
            ])  # fmt: skip
            self.assertEqual(detect_encoding(table.text_sample())[0], encoding)
            deleted = [row["DESCR"] for _number, row in table.rows(encoding, deleted=True)]
            self.assertEqual(deleted, ["Удалённая Запись"])

    def test_dbf_refusals(self):
        data = write_dbf(COLUMNS, ROWS, "cp866")
        for broken, code in ((b"not a table at all, just some text", "not_dbf"), (data[:20], "too_short"),
                             (data[:-40], "truncated")):  # fmt: skip
            with self.assertRaises(SourceError) as caught:
                DbfTable(broken, "T.DBF")
            self.assertEqual((caught.exception.code, caught.exception.params["file"]), (code, "T.DBF"))

    def test_data_dictionary(self):
        text = write_dd({"SC167": ("Справочник Клиенты", [("ID", "ID object", "C", 9, 0),
                                                           ("SP168", "(P)Телефон", "C", 30, 0)])})  # fmt: skip
        parsed = parse_dd(text)
        self.assertEqual(parsed["tables"]["SC167"]["title"], "Справочник Клиенты")
        self.assertEqual(parsed["tables"]["SC167"]["fields"]["SP168"], {"label": "Телефон", "type": "C", "length": 30,
                                                                         "precision": 0})  # fmt: skip
        self.assertEqual([table_kind(n) for n in ("SC1", "DH2", "DT2", "1SJOURN", "1SCONST", "RG3")],
                         ["catalog", "document", "document_lines", "journal", "constants", "other"])  # fmt: skip

    def test_upload_of_a_zip_finds_the_dictionary(self):
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("base/sc167.dbf", write_dbf(COLUMNS, ROWS, "cp866"))
            archive.writestr("base/1cv7.dd", write_dd({"SC167": ("Справочник Клиенты", [])}).encode("cp1251"))
            archive.writestr("base/SC167.CDX", b"index")
        upload = Upload([("base.zip", buffer.getvalue())])
        self.assertEqual(list(upload.tables), ["SC167"])
        self.assertEqual(upload.table("sc167").title, "Справочник Клиенты")
        self.assertEqual(upload.ignored, ["base.zip/base/SC167.CDX"])

    def test_dates(self):
        cases = {
            "19800131": date(1980, 1, 31), "31.01.1980": date(1980, 1, 31), "31.01.80": date(1980, 1, 31),
            "1980-01-31": date(1980, 1, 31), "5.3.05": date(2005, 3, 5), "01.02.1999 г.": date(1999, 2, 1),
            "31/01/1980": date(1980, 1, 31), "1980-01-31 00:00:00": date(1980, 1, 31),
        }  # fmt: skip
        for raw, expected in cases.items():
            self.assertEqual(values.parse_date(raw, TODAY), (expected, None), raw)
        for raw, reason in {"19801345": "no_such_date", "31.02.1980": "no_such_date", "01.01.2030": "impossible_date",
                            "01.01.1850": "impossible_date", "вчера": "not_a_date"}.items():  # fmt: skip
            self.assertEqual(values.parse_date(raw, TODAY), (None, reason), raw)
        self.assertEqual(values.parse_date("  .  .    ", TODAY), (None, None))

    def test_phones(self):
        lines, problems = values.phones("8 (912) 345-67-89, +7 495 123-45-67 доб. 12; 2-34-56")
        self.assertEqual([(line["number"], line["extension"]) for line in lines],
                         [("+79123456789", ""), ("+74951234567", "12")])  # fmt: skip
        self.assertEqual(problems, [("2-34-56", "phone_no_area_code", "")])
        lines, problems = values.phones("234-56-78", default_area_code="343")
        self.assertEqual((lines[0]["number"], problems), ("+73432345678", []))
        lines, problems = values.phones("+7 701 123 45 67")
        self.assertEqual(problems, [("+7 701 123 45 67", "phone_foreign", "KZ")])
        self.assertEqual(values.phones("тел. 8-916-000-11-22 (папа)")[0][0]["note"], "папа")

    def test_names_and_codes(self):
        self.assertEqual(values.person_name("ИВАНОВ  иван иванович"), ("Иванов", "Иван", "Иванович"))
        self.assertEqual(values.person_name("", "петров", "пётр", ""), ("Петров", "Пётр", ""))
        self.assertEqual(values.parse_gender("", "Ильинична"), "female")
        self.assertEqual(values.parse_gender("м."), "male")
        self.assertEqual(values.snils("112-233-445 95"), ("11223344595", None))
        self.assertEqual(values.snils("112-233-445 00"), ("", "snils_checksum"))
        self.assertEqual(values.payment_method("Безнал. перевод"), "transfer")
        self.assertEqual(values.payment_method("безнал"), "card")
        self.assertEqual(values.payment_method("Перевод на р/с"), "transfer")
        self.assertEqual(values.parse_number("1 500,50"), (1500.5, None))
        self.assertEqual(int(journal_time(10).strip(), 36), 10 * 3600 * 10000)

    def test_addresses(self):
        parser = values.AddressParser({"street": ["тракт"]})
        cases = {
            "г. Москва, ул. Ленина, д. 5, кв. 12": {"region": "Москва", "city": "Москва", "street": "Ленина",
                                                   "house": "5", "flat": "12"},
            "123456, Московская обл., г. Химки, ул. Мира д.5 корп.2 кв.7": {
                "zip": "123456", "region": "Московская", "city": "Химки", "street": "Мира", "house": "5",
                "building": "2", "flat": "7"},
            "Екатеринбург, Малышева 36-4": {"city": "Екатеринбург", "street": "Малышева", "house": "36", "flat": "4"},
            "Свердловская область, Екатеринбург, Ленина ул, 5": {"region": "Свердловская", "city": "Екатеринбург",
                                                                 "street": "Ленина", "house": "5"},
            "д. Ивановка, д. 3": {"settlement": "Ивановка", "house": "3"},
            "г. Тюмень, Ирбитский тракт, 12": {"city": "Тюмень", "street": "Ирбитский", "house": "12"},
        }  # fmt: skip
        for text, expected in cases.items():
            self.assertEqual(parser.parse(text), (expected, []), text)
