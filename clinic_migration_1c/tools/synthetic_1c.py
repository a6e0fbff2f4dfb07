"""1C:Enterprise 7.7 databases written from Python: the tests' hand-made bases and the benchmark's large one.

``Base77`` writes what a 1C folder holds (SCnnn catalogues, DHnnn/DTnnn documents,
1SJOURN, 1SCONST and the ``1Cv7.DD`` dictionary) as DBF files. ``generate_export``
fills one from ``clinic_base.tools.synthetic`` (patients as the front desk typed them,
with planted duplicates and their ground truth), a service catalogue and service
documents; ``kladr_files`` writes a small KLADR classifier its addresses come from.
Pure Python, no Odoo registry needed.
"""

import random
from datetime import timedelta

from odoo.addons.clinic_base.tools import synthetic

from .dbf import LANGUAGE_DRIVERS, write_dbf
from .dd import write_dd

BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CATALOG_COLUMNS = (("ID", "ID object", "C", 9, 0), ("PARENTID", "ID parent obj", "C", 9, 0),
                   ("CODE", "object code", "C", 12, 0), ("DESCR", "object description", "C", 60, 0),
                   ("ISFOLDER", "Flag - is group", "N", 1, 0), ("ISMARK", "Object is Marked for", "C", 1, 0),
                   ("VERSTAMP", "Version stamp", "N", 6, 0))  # fmt: skip
JOURNAL_COLUMNS = (("IDDOC", "ID Document", "C", 9, 0), ("IDDOCDEF", "ID Def Document", "C", 4, 0),
                   ("APPCODE", "Type of Document", "N", 3, 0), ("DATE", "Date of Document", "D", 8, 0),
                   ("TIME", "Time of Document", "C", 6, 0), ("DNPREFIX", "Prefix of Number", "C", 10, 0),
                   ("DOCNO", "Number of Document", "C", 10, 0), ("CLOSED", "Flag Document is Clo", "N", 1, 0),
                   ("ISMARK", "Flag Document is Mar", "C", 1, 0), ("VERSTAMP", "Version stamp", "N", 6, 0))  # fmt: skip
CONST_COLUMNS = (("OBJID", "ID object", "C", 9, 0), ("ID", "ID parameter", "N", 10, 0),
                 ("DATE", "Date of value", "D", 8, 0), ("VALUE", "Value", "C", 100, 0))  # fmt: skip

# The clinic's home-made configuration: attributes of its catalogues and of its «service rendered» document.
CLIENT_TABLE, SERVICE_TABLE, DOCUMENT_NUMBER = "SC101", "SC120", 135
CLIENT_ATTRIBUTES = (("SP102", "(P)ДатаРождения", "D", 8, 0), ("SP103", "(P)Пол", "C", 1, 0),
                     ("SP104", "(P)Телефон", "C", 80, 0), ("SP105", "(P)Адрес", "C", 120, 0),
                     ("SP106", "(P)СНИЛС", "C", 14, 0))  # fmt: skip
SERVICE_ATTRIBUTES = (("SP121", "(P)Цена", "N", 12, 2), ("SP122", "(P)КодНоменклатуры", "C", 15, 0),
                      ("SP123", "(P)Длительность", "N", 4, 0))  # fmt: skip
HEADER_ATTRIBUTES = (("SP136", "(P)Клиент", "C", 9, 0), ("SP137", "(P)СуммаДокумента", "N", 12, 2),
                     ("SP138", "(P)Оплачено", "N", 12, 2), ("SP139", "(P)ДатаОплаты", "D", 8, 0),
                     ("SP140", "(P)ВидОплаты", "C", 20, 0))  # fmt: skip
LINE_ATTRIBUTES = (("SP141", "(P)Услуга", "C", 9, 0), ("SP142", "(P)Количество", "N", 5, 0),
                   ("SP143", "(P)Цена", "N", 12, 2), ("SP144", "(P)Скидка", "N", 5, 2),
                   ("SP145", "(P)Сумма", "N", 12, 2))  # fmt: skip


def typable(text, encoding):
    """The text as a keyboard of that code page could type it: long dashes become hyphens."""
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2010", "-").replace("\u2011", "-")
    return text.encode(encoding, "replace").decode(encoding)


def make_id(number, prefix="   "):
    """1C's 9-character object ID: the base-36 number right-aligned in six, then the infobase prefix."""
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = BASE36[rest] + digits
    return (digits or "0").rjust(6) + prefix


def base36(number):
    return make_id(number, "").strip()


def journal_time(hours, minutes=0):
    """1SJOURN.TIME: ten-thousandths of a second since midnight, in base 36."""
    return base36((hours * 3600 + minutes * 60) * 10000).rjust(6)


class Base77:
    """A 1C 7.7 file database being written table by table."""

    def __init__(self, encoding="cp866"):
        self.encoding = encoding
        self.tables = {}
        self.periodic = {}

    def define(self, name, title, columns):
        self.tables[name] = {"title": title, "columns": list(columns), "rows": [], "deleted": set()}

    def catalog(self, name, title, attributes, periodic=()):
        """A catalogue; ``periodic`` attributes live in 1SCONST, not in its own table."""
        self.define(name, title, [*CATALOG_COLUMNS, *(a for a in attributes if a[0] not in periodic)])
        self.periodic[name] = set(periodic)

    def document(self, number, title, header_attributes, line_attributes):
        self.define(f"DH{number}", f"Документ {title}", [("IDDOC", "ID Document's", "C", 9, 0), *header_attributes])
        self.define(
            f"DT{number}",
            f"Документ (мн.ч.) {title}",
            [("IDDOC", "ID Document's", "C", 9, 0), ("LINENO", "LineNo", "N", 4, 0), *line_attributes],
        )
        if "1SJOURN" not in self.tables:
            self.define("1SJOURN", "Журнал документов", JOURNAL_COLUMNS)

    def add(self, name, row, deleted=False):
        """Append a row; with ``deleted`` it carries the DBF deletion flag."""
        table = self.tables[name]
        if deleted:
            table["deleted"].add(len(table["rows"]))
        table["rows"].append(row)

    def set_periodic(self, table, objid, column, value, when):
        """One dated value of a periodic attribute (SPnnn) of catalogue object ``objid``."""
        if "1SCONST" not in self.tables:
            self.define("1SCONST", "Константы", CONST_COLUMNS)
        self.add("1SCONST", {"OBJID": objid, "ID": int(column[2:]), "DATE": when, "VALUE": value})

    def add_document(self, number, iddoc, when, docno, header, lines, hours=10, marked=False, version=1):
        self.add("1SJOURN", {
            "IDDOC": iddoc, "IDDOCDEF": base36(number).rjust(4), "APPCODE": 1, "DATE": when,
            "TIME": journal_time(hours), "DOCNO": docno, "CLOSED": 1, "ISMARK": "*" if marked else "",
            "VERSTAMP": version,
        })  # fmt: skip
        self.add(f"DH{number}", dict(header, IDDOC=iddoc))
        for line_no, line in enumerate(lines, 1):
            self.add(f"DT{number}", dict(line, IDDOC=iddoc, LINENO=line_no))

    def files(self, with_dd=True):
        """{file name: bytes}: one DBF per table and the 1Cv7.DD dictionary."""
        result = {}
        for name, table in self.tables.items():
            columns = [(column, ftype, length, precision) for column, _label, ftype, length, precision
                       in table["columns"]]  # fmt: skip
            result[f"{name}.DBF"] = write_dbf(columns, table["rows"], self.encoding, table["deleted"])
        if with_dd:
            result["1Cv7.DD"] = write_dd({name: (t["title"], t["columns"]) for name, t in self.tables.items()}).encode(
                "cp1251"
            )
        return result


def clinic_base(encoding="cp866", periodic=()):
    """The clinic's configuration with empty tables: clients, services, the «service rendered» document."""
    base = Base77(encoding)
    base.catalog(CLIENT_TABLE, "Справочник Клиенты", CLIENT_ATTRIBUTES, periodic)
    base.catalog(SERVICE_TABLE, "Справочник Услуги", SERVICE_ATTRIBUTES)
    base.document(DOCUMENT_NUMBER, "ОказаниеУслуг", HEADER_ATTRIBUTES, LINE_ATTRIBUTES)
    return base


# -- KLADR ---------------------------------------------------------------------------------

KLADR_COLUMNS = (("NAME", "C", 40, 0), ("SOCR", "C", 10, 0), ("CODE", "C", 13, 0), ("INDEX", "C", 6, 0),
                 ("GNINMB", "C", 4, 0), ("UNO", "C", 4, 0), ("OCATD", "C", 11, 0), ("STATUS", "C", 1, 0))  # fmt: skip
STREET_COLUMNS = (("NAME", "C", 40, 0), ("SOCR", "C", 10, 0), ("CODE", "C", 17, 0), ("INDEX", "C", 6, 0),
                  ("GNINMB", "C", 4, 0), ("UNO", "C", 4, 0), ("OCATD", "C", 11, 0))  # fmt: skip
SOCRBASE_COLUMNS = (("LEVEL", "C", 5, 0), ("SCNAME", "C", 10, 0), ("SOCRNAME", "C", 29, 0), ("KOD_T_ST", "C", 3, 0))
SOCRBASE_ROWS = ((1, "обл", "Область"), (1, "г", "Город"), (1, "Респ", "Республика"), (3, "г", "Город"),
                 (4, "п", "Поселок"), (4, "д", "Деревня"), (4, "с", "Село"), (5, "ул", "Улица"),
                 (5, "пр-кт", "Проспект"), (5, "пер", "Переулок"), (5, "б-р", "Бульвар"), (5, "ш", "Шоссе"),
                 (5, "мкр", "Микрорайон"), (5, "тракт", "Тракт"))  # fmt: skip
STREET_NAMES = (
    "Ленина", "Мира", "Советская", "Садовая", "Лесная", "Школьная", "Молодёжная", "Центральная", "Набережная",
    "Гагарина", "Пушкина", "Кирова", "Победы", "Октябрьская", "Комсомольская", "Первомайская", "Заводская",
    "Новая", "Полевая", "Строителей", "Чехова", "Лермонтова", "Горького", "Московская", "Малышева", "Луначарского",
    "Пролетарская", "Свердлова", "Чапаева", "Зелёная", "Южная", "Северная", "Восточная", "Западная", "Дружбы",
)  # fmt: skip
# (region code, region, type, its cities: (code, name, postcode)); a federal city is its own region.
PLACES = (
    ("77", "Москва", "г", ()),
    ("78", "Санкт-Петербург", "г", ()),
    ("66", "Свердловская", "обл", (("001", "Екатеринбург", "620000"), ("002", "Нижний Тагил", "622000"))),
    ("50", "Московская", "обл", (("003", "Химки", "141400"), ("004", "Подольск", "142100"))),
)
FEDERAL_POSTCODES = {"77": "101000", "78": "190000"}


def kladr_places():
    """[(13-digit code, name, type, postcode, streets: [(17-digit code, name, type)])] of the small classifier."""
    places = []
    for region_code, region, socr, cities in PLACES:
        own = f"{region_code}00000000000"
        postcode = FEDERAL_POSTCODES.get(region_code, "")
        places.append((own, region, socr, postcode, [] if cities else _streets(own)))
        for city_code, city, postcode in cities:
            code = f"{region_code}000{city_code}00000"
            places.append((code, city, "г", postcode, _streets(code)))
    return places


def _streets(place_code):
    return [
        (f"{place_code[:11]}{number:04d}00", name, "ул" if number % 7 else "пр-кт")
        for number, name in enumerate(STREET_NAMES, 1)
    ]


def kladr_files(encoding="cp866"):
    """KLADR.DBF, STREET.DBF and SOCRBASE.DBF of the small classifier, plus a renamed old street (АА = 01)."""
    places, streets = [], []
    for code, name, socr, postcode, place_streets in kladr_places():
        places.append({"NAME": name, "SOCR": socr, "CODE": code, "INDEX": postcode})
        streets += [{"NAME": n, "SOCR": s, "CODE": c, "INDEX": postcode} for c, n, s in place_streets]
    # A street under its old name (actuality 01): not loaded for matching.
    streets.append({"NAME": "Старая", "SOCR": "ул", "CODE": "77000000000009901", "INDEX": ""})
    socr = [{"LEVEL": str(level), "SCNAME": short, "SOCRNAME": full, "KOD_T_ST": str(100 + i)}
            for i, (level, short, full) in enumerate(SOCRBASE_ROWS)]  # fmt: skip
    driver = LANGUAGE_DRIVERS.get(encoding, 0)
    return {
        "KLADR.DBF": write_dbf(KLADR_COLUMNS, places, encoding, language_driver=driver),
        "STREET.DBF": write_dbf(STREET_COLUMNS, streets, encoding, language_driver=driver),
        "SOCRBASE.DBF": write_dbf(SOCRBASE_COLUMNS, socr, encoding, language_driver=driver),
    }


# -- the benchmark's base ------------------------------------------------------------------------


def _address(rng, places):
    """An address as a receptionist typed it; one in seven names a street the classifier does not know."""
    code, name, socr, postcode, streets = rng.choice(places)
    region = next(p for p in places if p[0] == code[:2] + "00000000000")
    street = rng.choice(streets) if streets else None
    street_name = street[1] if street and rng.random() > 1 / 7 else rng.choice(("Несуществующая", "Безымянная"))
    house, flat = rng.randint(1, 120), rng.randint(1, 300)
    pieces = [postcode] if postcode and rng.random() < 0.5 else []
    if region[0] != code:
        pieces.append(f"{region[1]} обл." if rng.random() < 0.5 else f"{region[1]} область")
    pieces.append(rng.choice(("г. {}", "г {}", "{}")).format(name))
    pieces.append(
        rng.choice(("ул. {} д. {} кв. {}", "ул {}, д.{}, кв.{}", "{} {}-{}")).format(street_name, house, flat)
    )
    return ", ".join(pieces)


def generate_export(patients=1000, documents=3000, duplicate_share=0.05, seed=1, encoding="cp866", today=None):
    """A 1C base of ``patients`` client cards (``duplicate_share`` of them planted second cards) and
    ``documents`` service documents, with the ground truth.

    Returns ``{"files": {name: bytes}, "duplicates": {copy 1C ID: original 1C ID}, "ids": {1C ID: generated
    patient id}, "marked": n, "deleted": n, "folders": n, "documents": n}``.
    """
    today = today or synthetic.REFERENCE_DATE
    rng = random.Random(seed)
    population = synthetic.generate_patients(patients, duplicate_share, seed=seed, today=today)
    base = clinic_base(encoding)
    places = kladr_places()
    folders = {"ДМС": make_id(1), "Сотрудники": make_id(2)}
    for code, (name, objid) in enumerate(folders.items(), 1):
        base.add(CLIENT_TABLE, {"ID": objid, "CODE": f"{code}", "DESCR": name, "ISFOLDER": 1, "VERSTAMP": 1})
    ids, clients, marked, deleted = {}, [], 0, 0
    for number, patient in enumerate(population["patients"], 10):
        objid = make_id(number)
        ids[objid] = patient["id"]
        name = typable(" ".join(p for p in (patient["surname"], patient["first_name"], patient["patronymic"])
                                if p.strip()), encoding)  # fmt: skip
        birth = patient["birth_date"]
        row = {
            "ID": objid, "PARENTID": rng.choice(list(folders.values())) if rng.random() < 0.05 else "",
            "CODE": str(number), "DESCR": name, "ISFOLDER": 2, "VERSTAMP": 1,
            "SP102": f"{birth.year}13{birth.day:02d}" if rng.random() < 0.003 else birth,
            "SP103": {"male": "М", "female": "Ж"}[patient["gender"]] if rng.random() < 0.7 else "",
            "SP104": typable(patient["phone"], encoding), "SP105": _address(rng, places) if rng.random() < 0.8 else "",
            "SP106": patient["snils_typed"],
        }  # fmt: skip
        # Only original cards are marked or deleted, so that every planted pair stays in the import.
        fate = rng.random() if not patient["copy_of"] else 1.0
        if fate < 0.004:
            row["ISMARK"] = "*"
            marked += 1
        elif fate < 0.006:
            deleted += 1
        else:
            clients.append(objid)
        base.add(CLIENT_TABLE, row, deleted=0.004 <= fate < 0.006)
    services = synthetic.generate_services(len(synthetic.SERVICES), seed)
    service_ids = []
    groups = {"B01": "Приёмы врачей", "A04": "Ультразвуковая диагностика", "A05": "Функциональная диагностика"}
    group_ids = {prefix: make_id(i) for i, prefix in enumerate(groups, 1)}
    for prefix, title in groups.items():
        base.add(SERVICE_TABLE, {"ID": group_ids[prefix], "CODE": prefix, "DESCR": title, "ISFOLDER": 1,
                                 "VERSTAMP": 1})  # fmt: skip
    for number, service in enumerate(services, 10):
        objid = make_id(number)
        service_ids.append((objid, service["price"]))
        internal = number % 3 == 0
        base.add(SERVICE_TABLE, {
            "ID": objid, "PARENTID": group_ids.get(service["code"][:3], ""), "ISFOLDER": 2, "VERSTAMP": 1,
            "CODE": f"У-{number:04d}" if internal else service["code"], "DESCR": service["name"][:60],
            "SP121": service["price"], "SP122": service["code"] if internal else "",
            "SP123": service["duration_minutes"],
        })  # fmt: skip
    start = today - timedelta(days=5 * 365)
    for number in range(1, documents + 1):
        when = start + timedelta(days=rng.randrange(5 * 365))
        lines, total = [], 0.0
        for _line in range(rng.choice((1, 1, 1, 2, 2, 3))):
            service, price = rng.choice(service_ids)
            discount = rng.choice((0, 0, 0, 5, 10))
            amount = round(price * (1 - discount / 100), 2)
            total += amount
            lines.append({"SP141": service, "SP142": 1, "SP143": price, "SP144": discount, "SP145": amount})
        paid = rng.random() < 0.97
        header = {
            "SP136": rng.choice(clients), "SP137": total, "SP138": total if paid else 0,
            "SP139": when if paid else None, "SP140": rng.choice(("Наличные", "Карта", "Безнал. перевод")),
        }  # fmt: skip
        base.add_document(DOCUMENT_NUMBER, make_id(number), when, f"{number:08d}", header, lines,
                          hours=rng.randint(8, 20))  # fmt: skip
    by_generated = {generated: objid for objid, generated in ids.items()}
    return {
        "files": base.files(),
        "duplicates": {by_generated[c]: by_generated[o] for c, o in population["duplicates"].items()},
        "ids": ids,
        "marked": marked,
        "deleted": deleted,
        "folders": len(folders),
        "documents": documents,
    }
