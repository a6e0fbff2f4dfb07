"""A synthetic Russian clinic, generated from a seed: patients as the front desk typed them, doctors, services.

Demo data and the benchmarks share it, so both meet the messiness of the
clinic's old 1C base: phones in every format, ё and case drift, families on
one phone, twins, namesakes, and planted duplicates whose ground truth is
known, so duplicate detection can be scored. Pure Python, no Odoo import:
import rows and benchmarks use it outside a registry.
"""

import random
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from . import checksums, names

# Ages and dates are counted from this day unless the caller gives another one,
# so that one seed always yields the same clinic.
REFERENCE_DATE = date(2025, 1, 1)
ADULT_AGE = 18
NAME_PARTS = ("surname", "first_name", "patronymic")

# Common surnames in their masculine form, most frequent first.
SURNAMES = (
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
    "Крылов",
    "Куликов",
    "Карпов",
    "Власов",
    "Мельников",
    "Денисов",
    "Гаврилов",
    "Тихонов",
    "Казаков",
    "Афанасьев",
    "Данилов",
    "Савельев",
    "Тимофеев",
    "Фомин",
    "Чернов",
    "Абрамов",
    "Мартынов",
    "Ефимов",
    "Федотов",
    "Щербаков",
    "Назаров",
    "Калинин",
    "Исаев",
    "Чернышёв",
    "Быков",
    "Маслов",
    "Родионов",
    "Коновалов",
    "Лазарев",
    "Воронин",
    "Климов",
    "Филатов",
    "Пономарёв",
    "Голубев",
    "Кудрявцев",
    "Прохоров",
    "Шевченко",
    "Коваленко",
    "Бондаренко",
    "Черных",
    "Островский",
    "Покровский",
    "Толстой",
)

# Male first names with the patronymics they give to a son and to a daughter.
MALE_NAMES = [
    tuple(line.split())
    for line in """
Александр Александрович Александровна
Сергей Сергеевич Сергеевна
Дмитрий Дмитриевич Дмитриевна
Андрей Андреевич Андреевна
Алексей Алексеевич Алексеевна
Максим Максимович Максимовна
Евгений Евгеньевич Евгеньевна
Иван Иванович Ивановна
Михаил Михайлович Михайловна
Артём Артёмович Артёмовна
Владимир Владимирович Владимировна
Николай Николаевич Николаевна
Денис Денисович Денисовна
Павел Павлович Павловна
Игорь Игоревич Игоревна
Олег Олегович Олеговна
Роман Романович Романовна
Антон Антонович Антоновна
Виктор Викторович Викторовна
Юрий Юрьевич Юрьевна
Илья Ильич Ильинична
Кирилл Кириллович Кирилловна
Никита Никитич Никитична
Вадим Вадимович Вадимовна
Владислав Владиславович Владиславовна
Егор Егорович Егоровна
Константин Константинович Константиновна
Василий Васильевич Васильевна
Анатолий Анатольевич Анатольевна
Виталий Витальевич Витальевна
Валерий Валерьевич Валерьевна
Геннадий Геннадьевич Геннадьевна
Григорий Григорьевич Григорьевна
Тимофей Тимофеевич Тимофеевна
Фёдор Фёдорович Фёдоровна
Пётр Петрович Петровна
Станислав Станиславович Станиславовна
Вячеслав Вячеславович Вячеславовна
Леонид Леонидович Леонидовна
Борис Борисович Борисовна
Георгий Георгиевич Георгиевна
Даниил Даниилович Данииловна
Матвей Матвеевич Матвеевна
Тимур Тимурович Тимуровна
Руслан Русланович Руслановна
Семён Семёнович Семёновна
Ярослав Ярославович Ярославовна
Глеб Глебович Глебовна
Марк Маркович Марковна
Лев Львович Львовна
Степан Степанович Степановна
Арсений Арсеньевич Арсеньевна
Богдан Богданович Богдановна
Эдуард Эдуардович Эдуардовна
Валентин Валентинович Валентиновна
Аркадий Аркадьевич Аркадьевна
Святослав Святославович Святославовна
Всеволод Всеволодович Всеволодовна
Захар Захарович Захаровна
Мирон Миронович Мироновна
Яков Яковлевич Яковлевна
Ростислав Ростиславович Ростиславовна
""".strip().splitlines()
]

MALE_NAME_FORMS = {forms[0]: forms for forms in MALE_NAMES}

FEMALE_NAMES = (
    "Елена",
    "Ольга",
    "Татьяна",
    "Наталья",
    "Ирина",
    "Светлана",
    "Анна",
    "Мария",
    "Екатерина",
    "Юлия",
    "Марина",
    "Анастасия",
    "Галина",
    "Людмила",
    "Валентина",
    "Надежда",
    "Любовь",
    "Лариса",
    "Оксана",
    "Виктория",
    "Дарья",
    "Алина",
    "Ксения",
    "Полина",
    "София",
    "Елизавета",
    "Вероника",
    "Александра",
    "Алёна",
    "Кристина",
    "Евгения",
    "Валерия",
    "Маргарита",
    "Вера",
    "Нина",
    "Тамара",
    "Зоя",
    "Лидия",
    "Раиса",
    "Жанна",
    "Инна",
    "Яна",
    "Диана",
    "Милана",
    "Варвара",
    "Алиса",
    "Ульяна",
    "Василиса",
    "Арина",
    "Таисия",
    "Ева",
    "Злата",
    "Есения",
    "Кира",
    "Майя",
    "Антонина",
    "Нелли",
    "Эльвира",
    "Регина",
    "Ангелина",
    "Олеся",
    "Снежана",
)

MOBILE_CODES = (
    "901",
    "903",
    "905",
    "906",
    "909",
    "910",
    "912",
    "915",
    "916",
    "917",
    "919",
    "920",
    "921",
    "922",
    "925",
    "926",
    "927",
    "929",
    "950",
    "951",
    "952",
    "953",
    "960",
    "961",
    "962",
    "963",
    "964",
    "965",
    "977",
    "978",
    "980",
    "981",
    "982",
    "985",
    "987",
    "988",
    "989",
    "991",
    "993",
    "995",
    "996",
    "999",
)
# Landline area codes: Moscow and St Petersburg first, then regional centres (4-digit codes have 6-digit numbers).
LANDLINE_CODES = ("495", "499", "812", "343", "383", "846", "863", "831", "843", "3452", "4012")
LANDLINE_WEIGHTS = (30, 20, 20, 5, 5, 4, 4, 4, 4, 2, 2)
# How receptionists type one number: {a} area code, {b} {c} {d} the local groups.
MOBILE_FORMATS = (
    "8 {a} {b}-{c}-{d}",
    "+7({a}){b}{c}{d}",
    "{a}{b}{c}{d}",
    "8-{a}-{b}-{c}-{d}",
    "7 {a} {b}{c}{d}",
    "8{a}{b}{c}{d}",
    "+7 {a} {b} {c} {d}",
    "8 ({a}) {b}-{c}-{d}",
    "+7 ({a}) {b}-{c}-{d}",
    "8{a} {b} {c} {d}",
    "+7{a}{b}{c}{d}",
    "8 ({a}){b}{c}{d}",
    "8 {a}{b}{c}{d}",
    "+7-{a}-{b}-{c}-{d}",
)
LANDLINE_FORMATS = (
    "8 ({a}) {b}-{c}-{d}",
    "+7 ({a}) {b}-{c}-{d}",
    "8{a}{b}{c}{d}",
    "({a}) {b}-{c}-{d}",
    "7 {a} {b}{c}{d}",
    "8-{a}-{b}-{c}-{d}",
    "8 {a} {b} {c} {d}",
)
EXTENSION_FORMATS = (" доб. {n}", " доб.{n}", " вн. {n}", " #{n}", ", доб {n}")
PHONE_PREFIXES = ("", "", "", "", "", "", "т. ", "тел. ", "моб. ", "сот. ")
OWNER_NOTES = {"mother": (" мама", " (мама)", " (мать)"), "father": (" папа", " (папа)", " (отец)")}
# Separators between two numbers typed into one cell.
NUMBER_SEPARATORS = (", ", "; ", " / ", " или ", ",", "; ")
EMAIL_DOMAINS = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "inbox.ru", "rambler.ru", "ya.ru")
# Transliteration for e-mail logins (ь and ъ vanish).
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        (
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ),
        strict=True,
    )
)
# Latin letters that look like Cyrillic ones: typed by mistake on a switched keyboard layout.
_LATIN_LOOKALIKES = {"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "к": "k", "м": "m"}
_KEYBOARD_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
_HYPHEN_VARIANTS = (" - ", "–", " -", "- ", "—", " ")

# Specialties of the clinic (ФНСИ 1.2.643.5.1.13.13.11.1066) with the position (…11.1002) of a doctor
# in it and whom the doctor sees; the order is the order in which a clinic of that size hires.
SPECIALTIES = (
    ("27", "Терапия", "109", "Врач-терапевт", "adult"),
    ("22", "Педиатрия", "58", "Врач-педиатр", "child"),
    ("14", "Неврология", "45", "Врач-невролог", "both"),
    ("19", "Оториноларингология", "53", "Врач-оториноларинголог", "both"),
    ("20", "Офтальмология", "54", "Врач-офтальмолог", "both"),
    ("8", "Акушерство и гинекология", "13", "Врач-акушер-гинеколог", "adult"),
    ("118", "Кардиология", "34", "Врач-кардиолог", "adult"),
    ("10", "Дерматовенерология", "24", "Врач-дерматовенеролог", "both"),
    ("31", "Эндокринология", "125", "Врач-эндокринолог", "adult"),
    ("33", "Ультразвуковая диагностика", "116", "Врач ультразвуковой диагностики", "both"),
    ("28", "Травматология и ортопедия", "114", "Врач-травматолог-ортопед", "both"),
    ("30", "Хирургия", "122", "Врач-хирург", "adult"),
    ("79", "Гастроэнтерология", "19", "Врач-гастроэнтеролог", "adult"),
    ("145", "Урология", "117", "Врач-уролог", "adult"),
    ("77", "Аллергология и иммунология", "15", "Врач-аллерголог-иммунолог", "both"),
    ("35", "Функциональная диагностика", "121", "Врач функциональной диагностики", "both"),
    ("81", "Детская кардиология", "25", "Врач - детский кардиолог", "child"),
    ("83", "Детская эндокринология", "29", "Врач - детский эндокринолог", "child"),
    ("16", "Общая врачебная практика (семейная медицина)", "49", "Врач общей практики (семейный врач)", "both"),
    ("90", "Пульмонология", "90", "Врач-пульмонолог", "adult"),
    ("91", "Ревматология", "93", "Врач-ревматолог", "adult"),
    ("61", "Мануальная терапия", "43", "Врач мануальной терапии", "adult"),
)
# How many doctors of each specialty a larger clinic has, relative to one another.
SPECIALTY_WEIGHTS = (8, 6, 3, 3, 3, 3, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)

# Price list: nomenclature code (order 804n, ФНСИ 1.2.643.5.1.13.13.11.1070), official name, price in roubles,
# minutes, who it is for, specialty code performing it ("" for nurses and the laboratory). Most booked first.
SERVICES = (
    ("B01.047.001", "Прием (осмотр, консультация) врача-терапевта первичный", 2200, 30, "adult", "27"),
    ("B01.047.002", "Прием (осмотр, консультация) врача-терапевта повторный", 1800, 20, "adult", "27"),
    ("B01.031.001", "Прием (осмотр, консультация) врача-педиатра первичный", 2300, 30, "child", "22"),
    ("B01.031.002", "Прием (осмотр, консультация) врача-педиатра повторный", 1900, 20, "child", "22"),
    ("B01.023.001", "Прием (осмотр, консультация) врача-невролога первичный", 2600, 30, "both", "14"),
    ("B01.023.002", "Прием (осмотр, консультация) врача-невролога повторный", 2100, 20, "both", "14"),
    ("B01.028.001", "Прием (осмотр, консультация) врача-оториноларинголога первичный", 2500, 30, "both", "19"),
    ("B01.028.002", "Прием (осмотр, консультация) врача-оториноларинголога повторный", 2000, 20, "both", "19"),
    ("B01.029.001", "Прием (осмотр, консультация) врача-офтальмолога первичный", 2400, 30, "both", "20"),
    ("B01.029.002", "Прием (осмотр, консультация) врача-офтальмолога повторный", 1900, 20, "both", "20"),
    ("B01.001.001", "Прием (осмотр, консультация) врача-акушера-гинеколога первичный", 2700, 30, "adult", "8"),
    ("B01.001.002", "Прием (осмотр, консультация) врача-акушера-гинеколога повторный", 2200, 20, "adult", "8"),
    ("B01.015.001", "Прием (осмотр, консультация) врача-кардиолога первичный", 2800, 30, "adult", "118"),
    ("B01.015.002", "Прием (осмотр, консультация) врача-кардиолога повторный", 2300, 20, "adult", "118"),
    ("B01.008.001", "Прием (осмотр, консультация) врача-дерматовенеролога первичный", 2500, 30, "both", "10"),
    ("B01.008.002", "Прием (осмотр, консультация) врача-дерматовенеролога повторный", 2000, 20, "both", "10"),
    ("B01.058.001", "Прием (осмотр, консультация) врача-эндокринолога первичный", 2700, 30, "adult", "31"),
    ("B01.058.002", "Прием (осмотр, консультация) врача-эндокринолога повторный", 2200, 20, "adult", "31"),
    ("A04.16.001", "Ультразвуковое исследование органов брюшной полости (комплексное)", 2400, 30, "both", "33"),
    ("A04.22.001", "Ультразвуковое исследование щитовидной железы и паращитовидных желез", 1500, 20, "both", "33"),
    ("A04.28.001", "Ультразвуковое исследование почек и надпочечников", 1600, 20, "both", "33"),
    ("A04.20.001", "Ультразвуковое исследование матки и придатков трансабдоминальное", 2000, 30, "adult", "33"),
    ("A04.20.002", "Ультразвуковое исследование молочных желез", 1800, 20, "adult", "33"),
    ("A04.23.001", "Нейросонография", 1700, 20, "child", "33"),
    ("A04.10.002", "Эхокардиография", 2900, 40, "both", "33"),
    ("A05.10.006", "Регистрация электрокардиограммы", 700, 15, "both", "35"),
    ("A05.10.004", "Расшифровка, описание и интерпретация электрокардиографических данных", 600, 15, "both", "35"),
    ("B01.050.001", "Прием (осмотр, консультация) врача-травматолога-ортопеда первичный", 2500, 30, "both", "28"),
    ("B01.050.002", "Прием (осмотр, консультация) врача-травматолога-ортопеда повторный", 2000, 20, "both", "28"),
    ("B01.057.001", "Прием (осмотр, консультация) врача-хирурга первичный", 2300, 30, "adult", "30"),
    ("B01.004.001", "Прием (осмотр, консультация) врача-гастроэнтеролога первичный", 2700, 30, "adult", "79"),
    ("B01.053.001", "Прием (осмотр, консультация) врача-уролога первичный", 2600, 30, "adult", "145"),
    ("B01.002.001", "Прием (осмотр, консультация) врача-аллерголога-иммунолога первичный", 2600, 30, "both", "77"),
    ("A11.12.009", "Взятие крови из периферической вены", 250, 10, "both", ""),
    ("A11.05.001", "Взятие крови из пальца", 200, 10, "both", ""),
    ("B03.016.003", "Общий (клинический) анализ крови развернутый", 650, 10, "both", ""),
    ("B03.016.004", "Анализ крови биохимический общетерапевтический", 1900, 10, "both", ""),
    ("B03.016.006", "Общий (клинический) анализ мочи", 400, 10, "both", ""),
    ("A09.05.065", "Исследование уровня тиреотропного гормона (ТТГ) в крови", 550, 10, "both", ""),
    ("A09.05.083", "Исследование уровня гликированного гемоглобина в крови", 750, 10, "both", ""),
    ("A05.10.008", "Холтеровское мониторирование сердечного ритма", 3500, 30, "adult", "35"),
    ("A12.09.001", "Исследование неспровоцированных дыхательных объемов и потоков", 1500, 30, "both", "35"),
    ("B01.015.003", "Прием (осмотр, консультация) врача - детского кардиолога первичный", 2800, 30, "child", "81"),
    ("B01.058.003", "Прием (осмотр, консультация) врача - детского эндокринолога первичный", 2800, 30, "child", "83"),
    ("A04.04.001", "Ультразвуковое исследование сустава", 1700, 20, "both", "33"),
    ("A02.26.015", "Офтальмотонометрия", 500, 10, "both", "20"),
    ("A02.26.004", "Визометрия", 400, 10, "both", "20"),
    ("A09.05.076", "Исследование уровня ферритина в крови", 650, 10, "both", ""),
    ("A21.01.003", "Массаж шеи медицинский", 1200, 20, "both", ""),
    ("A21.01.001", "Общий массаж медицинский", 2800, 60, "both", ""),
)

# Planted duplicates: how a second card of the same person differs from the first.
COSMETIC_VARIANTS = ("case", "yo", "spaces", "hyphen", "latin")
STRUCTURAL_VARIANTS = ("swapped_names", "no_patronymic", "typo_first_name", "typo_surname")
STRUCTURAL_WEIGHTS = (15, 35, 25, 25)
STRUCTURAL_ORDER = ("typo_first_name", "typo_surname", "no_patronymic", "swapped_names")
PHONE_VARIANTS = ("phone_format", "phone_subset", "no_phone", "new_phone")
PHONE_VARIANT_WEIGHTS = (60, 10, 15, 15)


def feminine_surname(surname):
    """Иванов -> Иванова, Покровский -> Покровская, Толстой -> Толстая; Шевченко and Черных do not change."""
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith(("ий", "ый", "ой")):
        return surname[:-2] + "ая"
    return surname


def snils_from_body(body):
    """Eleven digits: the nine-digit body and its control number (PFR rules)."""
    total = sum(int(d) * w for d, w in zip(body, range(9, 0, -1), strict=True))
    if total > 101:
        total %= 101
    return f"{body}{0 if total in (100, 101) else total:02d}"


def format_snils_typed(digits, style):
    """SNILS as people write it: 112-233-445 95, 11223344595 or 112 233 445 95."""
    return (
        checksums.format_snils(digits),
        digits,
        f"{digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]}",
    )[style]


def _phone_groups(e164):
    """(area code, local groups) of a Russian E.164 number; 4-digit area codes have 6-digit numbers."""
    national = e164[2:]
    area_len = 4 if national[:4] in LANDLINE_CODES else 3
    area, local = national[:area_len], national[area_len:]
    if len(local) == 7:
        return area, (local[:3], local[3:5], local[5:])
    return area, (local[:2], local[2:4], local[4:])


def _spell(text, keep_yo):
    """Half the receptionists type ё, the other half е."""
    return text if keep_yo else text.replace("ё", "е").replace("Ё", "Е")


class _Rng(random.Random):
    """random.Random with the few draws the generator repeats everywhere."""

    def chance(self, probability):
        return self.random() < probability

    def date_between(self, start, end):
        return start + timedelta(days=self.randrange((end - start).days + 1))


class PatientGenerator:
    """Households of patients, then planted second cards of some of them.

    Cards are plain dicts; ``household``, ``copy_of``, ``variants`` and
    ``namesake_of`` are the ground truth, not patient data.
    """

    def __init__(self, seed=1, today=REFERENCE_DATE):
        self.rng = _Rng(seed)
        self.today = today
        self.surname_cum = list(accumulate(1 / (rank + 30) for rank in range(len(SURNAMES))))
        self.male_cum = list(accumulate(1 / (rank + 15) for rank in range(len(MALE_NAMES))))
        self.female_cum = list(accumulate(1 / (rank + 15) for rank in range(len(FEMALE_NAMES))))
        self.used_phones = set()
        self.used_snils = set()
        self.persons = []
        self.relations = []
        self.households = 0
        self.identities = {}

    # -- people ------------------------------------------------------------------------------

    def pick_surname(self):
        """A masculine surname, common ones more often."""
        return self.rng.choices(SURNAMES, cum_weights=self.surname_cum)[0]

    def pick_male_name(self):
        """(name, son's patronymic, daughter's patronymic)."""
        return self.rng.choices(MALE_NAMES, cum_weights=self.male_cum)[0]

    def pick_female_name(self):
        return self.rng.choices(FEMALE_NAMES, cum_weights=self.female_cum)[0]

    def pick_first_name(self, gender):
        return self.pick_male_name()[0] if gender == "male" else self.pick_female_name()

    def patronymic(self, gender, father=None):
        father = father or self.pick_male_name()
        return father[1] if gender == "male" else father[2]

    def years_ago(self, years):
        try:
            return self.today.replace(year=self.today.year - years)
        except ValueError:  # 29 February
            return self.today.replace(year=self.today.year - years, day=28)

    def birth_date(self, age):
        """A birth date of someone ``age`` years old today."""
        return self.rng.date_between(self.years_ago(age + 1) + timedelta(days=1), self.years_ago(age))

    def adult_age(self, low=ADULT_AGE, high=88):
        return int(self.rng.triangular(low, high + 1, min(max(38, low), high)))

    def new_mobile(self):
        while True:
            e164 = f"+7{self.rng.choice(MOBILE_CODES)}{self.rng.randrange(10**7):07d}"
            if e164 not in self.used_phones:
                self.used_phones.add(e164)
                return e164

    def new_landline(self):
        while True:
            code = self.rng.choices(LANDLINE_CODES, weights=LANDLINE_WEIGHTS)[0]
            rest = 9 - len(code)
            e164 = f"+7{code}{self.rng.randint(2, 9)}{self.rng.randrange(10**rest):0{rest}d}"
            if e164 not in self.used_phones:
                self.used_phones.add(e164)
                return e164

    def new_snils(self):
        while True:
            digits = snils_from_body(f"{self.rng.randrange(2_000_000, 10**9):09d}")
            if digits not in self.used_snils:
                self.used_snils.add(digits)
                return digits

    def _email(self, first_name, surname):
        login = "".join(_TRANSLIT.get(ch, ch) for ch in names.fold(surname))
        login = self.rng.choice(
            (f"{login}.{_TRANSLIT[names.fold(first_name)[0]]}", f"{login}{self.rng.randint(1, 99)}", login)
        )
        return f"{login}@{self.rng.choice(EMAIL_DOMAINS)}"

    def surname_for(self, gender, base, birth_date):
        """The surname a person of this gender bears; a few married women keep a double one."""
        if gender == "male":
            return base
        if birth_date <= self.years_ago(ADULT_AGE) and self.rng.chance(0.03):
            return f"{feminine_surname(base)}-{feminine_surname(self.pick_surname())}"
        return feminine_surname(base)

    def _identity_free(self, surname, first_name, patronymic, birth_date):
        """No one else has this full name and birth date (a missing patronymic matches any).

        With ~100 surnames and ~60 names such coincidences would be several
        times more frequent than among real people, and no matcher could tell
        the two apart: distinct people stay distinguishable by their data.
        """
        known = self.identities.get((names.fold(surname), names.fold(first_name), birth_date))
        return not known or bool(patronymic) and "" not in known and names.fold(patronymic) not in known

    def _person(self, gender, surname, first_name, patronymic, birth_date, household):
        adult = birth_date <= self.years_ago(ADULT_AGE)
        teen = birth_date <= self.years_ago(14)
        patronymic = "" if self.rng.chance(0.02) else patronymic
        while not self._identity_free(surname, first_name, patronymic, birth_date):
            first_name = self.pick_first_name(gender)
        identity = (names.fold(surname), names.fold(first_name), birth_date)
        self.identities.setdefault(identity, set()).add(names.fold(patronymic))
        person = {
            "key": len(self.persons),
            "surname": surname,
            "first_name": first_name,
            "patronymic": patronymic,
            "gender": gender,
            "birth_date": birth_date,
            "snils": self.new_snils() if self.rng.chance(0.3) else "",
            "email": self._email(first_name, surname) if adult and self.rng.chance(0.35) else "",
            "mobile": self.new_mobile() if self.rng.chance(0.95 if adult else 0.4 if teen else 0) else "",
            "household": household,
            "copy_of": None,
            "variants": [],
        }
        self.persons.append(person)
        return person

    def _relate(self, partner, relative, kinship, representative=False, payer=False):
        self.relations.append(
            {
                "partner": partner["key"],
                "relative": relative["key"],
                "kinship": kinship,
                "is_legal_representative": representative,
                "is_payer": payer,
            }
        )

    # -- households --------------------------------------------------------------------------

    def _household(self):
        """One household as [(person, home phone, [(kinship, parent)])]: a single adult, a couple, or
        parents with children sharing a surname and phones (twins included)."""
        self.households += 1
        hh = self.households
        kind = self.rng.choices(("single", "couple", "family", "single_parent"), weights=(45, 15, 28, 12))[0]
        landline = self.new_landline() if self.rng.chance(0.15 if kind == "single" else 0.3) else ""
        base = self.pick_surname()
        if kind == "single":
            gender = self.rng.choice(("male", "female"))
            birth = self.birth_date(self.adult_age())
            surname = self.surname_for(gender, base, birth)
            person = self._person(gender, surname, self.pick_first_name(gender), self.patronymic(gender), birth, hh)
            return [(person, landline, [])]
        father_age = self.adult_age(20, 85) if kind == "couple" else self.adult_age(23, 52)
        mother_age = max(ADULT_AGE + 4, father_age + self.rng.randint(-5, 2))
        mother_base = base if kind == "single_parent" or self.rng.chance(0.9) else self.pick_surname()
        birth = self.birth_date(mother_age)
        mother = self._person(
            "female",
            self.surname_for("female", mother_base, birth),
            self.pick_female_name(),
            self.patronymic("female"),
            birth,
            hh,
        )
        members = [(mother, landline, [])]
        father_name = self.pick_male_name()
        father = None
        if kind != "single_parent":
            birth = self.birth_date(father_age)
            father = self._person("male", base, father_name[0], self.patronymic("male"), birth, hh)
            father_name = MALE_NAME_FORMS[father["first_name"]]
            members.append((father, landline, []))
            self._relate(mother, father, "spouse")
        if kind == "couple":
            return members
        children_base = base if father or self.rng.chance(0.6) else self.pick_surname()
        youngest_parent = min(mother_age, father_age if father else mother_age)
        possible_ages = range(min(ADULT_AGE, youngest_parent - 19))
        ages = sorted(self.rng.sample(possible_ages, k=min(len(possible_ages), self.rng.choice((1, 1, 2, 2, 3)))))
        twins = self.rng.chance(0.02)
        contacts = [("mother", mother)] + ([("father", father)] if father else [])
        for index, age in enumerate(ages):
            birth = self.birth_date(age)
            for _twin in range(2 if twins and index == 0 else 1):
                gender = self.rng.choice(("male", "female"))
                taken = {p["first_name"] for p, _home, _contacts in members}
                name = self.pick_first_name(gender)
                while name in taken:
                    name = self.pick_first_name(gender)
                surname = self.surname_for(gender, children_base, birth)
                child = self._person(gender, surname, name, self.patronymic(gender, father_name), birth, hh)
                mother_pays = not father or self.rng.chance(0.6)
                self._relate(child, mother, "mother", representative=True, payer=mother_pays)
                if father:
                    self._relate(child, father, "father", representative=True, payer=not mother_pays)
                members.append((child, landline, contacts))
        return members

    # -- how the numbers were typed ----------------------------------------------------------

    def type_phone(self, e164, extension=""):
        """One number as a receptionist typed it, in one of the many real-world forms."""
        area, (b, c, d) = _phone_groups(e164)
        formats = MOBILE_FORMATS if e164[2] == "9" else LANDLINE_FORMATS
        text = self.rng.choice(PHONE_PREFIXES) + self.rng.choice(formats).format(a=area, b=b, c=c, d=d)
        if extension:
            text += self.rng.choice(EXTENSION_FORMATS).format(n=extension)
        return text

    def phone_cell(self, numbers, owners=()):
        """The phone cell of a card: one number, or several in one cell, maybe with whose number it is."""
        pieces = []
        for index, number in enumerate(numbers):
            extension = str(self.rng.randint(2, 999)) if number[2] != "9" and self.rng.chance(0.05) else ""
            text = self.type_phone(number, extension)
            owner = owners[index] if index < len(owners) else None
            if owner and self.rng.chance(0.4):
                text += self.rng.choice(OWNER_NOTES[owner])
            pieces.append(text)
        return self.rng.choice(NUMBER_SEPARATORS).join(pieces)

    def _card_phones(self, person, landline, contacts):
        """Numbers written on a card: one's own mobile, a parent's for a child, the home phone."""
        numbers, owners = [], []
        if person["mobile"]:
            numbers.append(person["mobile"])
            owners.append(None)
        for kinship, parent in contacts:
            if parent["mobile"] and (not numbers or self.rng.chance(0.3)):
                numbers.append(parent["mobile"])
                owners.append(kinship)
        if landline and (not numbers or self.rng.chance(0.4)):
            numbers.append(landline)
            owners.append(None)
        if len(numbers) > 1 and self.rng.chance(0.3):
            numbers, owners = numbers[:1], owners[:1]
        person["phones"] = numbers
        person["phone"] = self.phone_cell(numbers, owners) if numbers else ""

    # -- planted duplicates ------------------------------------------------------------------

    def _typo(self, word):
        """One wrong letter: a neighbouring key, a dropped letter or a doubled one."""
        lower = word.lower()
        while True:
            pos = self.rng.randrange(1, len(lower))
            kind = self.rng.choice(("neighbour", "drop", "double"))
            if kind == "neighbour":
                row = next((r for r in _KEYBOARD_ROWS if lower[pos] in r), "")
                if not row:
                    continue
                i = row.index(lower[pos])
                typed = lower[:pos] + row[i - 1 if i == len(row) - 1 or (i and self.rng.chance(0.5)) else i + 1]
                typed += lower[pos + 1 :]
            elif kind == "drop" and len(lower) > 3:
                typed = lower[:pos] + lower[pos + 1 :]
            else:
                typed = lower[:pos] + lower[pos] + lower[pos:]
            if names.fold(typed) != names.fold(lower):
                return typed[:1].upper() + typed[1:]

    def _cosmetic(self, card, variant):
        """Differences that tidy() and fold() must erase: case, spaces, hyphens, Latin look-alikes."""
        if variant == "case":
            change = self.rng.choice((str.upper, str.lower, str.swapcase))
            for part in NAME_PARTS:
                card[part] = change(card[part])
        elif variant == "spaces":
            for part in NAME_PARTS:
                if card[part]:
                    card[part] = self.rng.choice(("  {}", "{} ", " {}  ", "{}  ")).format(card[part])
        elif variant == "hyphen":
            card["surname"] = card["surname"].replace("-", self.rng.choice(_HYPHEN_VARIANTS))
        elif variant == "latin":
            spots = [(p, i) for p in NAME_PARTS for i, ch in enumerate(card[p]) if ch.lower() in _LATIN_LOOKALIKES]
            part, i = self.rng.choice(spots)
            latin = _LATIN_LOOKALIKES[card[part][i].lower()]
            card[part] = card[part][:i] + (latin.upper() if card[part][i].isupper() else latin) + card[part][i + 1 :]

    def _structural(self, card, variant):
        """Differences a matcher has to reason about."""
        if variant == "swapped_names":
            card["surname"], card["first_name"] = card["first_name"], card["surname"]
        elif variant == "no_patronymic":
            card["patronymic"] = ""
        elif variant == "typo_first_name":
            card["first_name"] = self._typo(card["first_name"])
        elif variant == "typo_surname":
            card["surname"] = self._typo(card["surname"])

    def _pick_variants(self, original):
        canonical = original["_canonical"]
        skip = set()
        if not any("ё" in canonical[p] for p in NAME_PARTS):
            skip.add("yo")
        if "-" not in canonical["surname"]:
            skip.add("hyphen")
        cosmetic = [v for v in COSMETIC_VARIANTS if v not in skip]
        cosmetic = self.rng.sample(cosmetic, k=self.rng.choice((1, 1, 2)))
        available = dict(zip(STRUCTURAL_VARIANTS, STRUCTURAL_WEIGHTS, strict=True))
        if not canonical["patronymic"]:
            del available["no_patronymic"]
        structural = []
        for _round in range(self.rng.choices((0, 1, 2), weights=(35, 50, 15))[0]):
            variant = self.rng.choices(list(available), weights=list(available.values()))[0]
            structural.append(variant)
            del available[variant]
        # Typos first, so that «typo_surname» always hits the surname even when the names are then swapped.
        structural.sort(key=STRUCTURAL_ORDER.index)
        return cosmetic, structural

    def _plant_copy(self, original):
        """A second card of the same person, typed by someone else on another day."""
        cosmetic, structural = self._pick_variants(original)
        card = dict(original, copy_of=original["key"], key=len(self.persons), **original["_canonical"])
        for variant in structural:
            self._structural(card, variant)
        keep_yo = original["_yo"] != ("yo" in cosmetic)
        for part in NAME_PARTS:
            card[part] = _spell(card[part], keep_yo)
        for variant in cosmetic:
            self._cosmetic(card, variant)
        phone_variant = self.rng.choices(PHONE_VARIANTS, weights=PHONE_VARIANT_WEIGHTS)[0]
        if not original["phones"] and phone_variant in ("phone_format", "phone_subset"):
            phone_variant = "no_phone"
        card["phones"] = {
            "phone_format": original["phones"],
            "phone_subset": original["phones"][-1:],
            "no_phone": [],
            "new_phone": [self.new_mobile()] if phone_variant == "new_phone" else [],
        }[phone_variant]
        card["phone"] = self.phone_cell(card["phones"]) if card["phones"] else ""
        if original["snils"] and self.rng.chance(0.5):
            card["snils_typed"] = format_snils_typed(original["snils"], self.rng.randrange(3))
            structural.append("same_snils")
        else:
            card["snils"] = card["snils_typed"] = ""
        card["email"] = original["email"] if self.rng.chance(0.3) else ""
        card["variants"] = cosmetic + structural + [phone_variant]
        self.persons.append(card)
        return card

    # -- the whole population ----------------------------------------------------------------

    def _namesake(self):
        """Same full name as someone already generated, another birth date and phone: never a duplicate."""
        model = self.rng.choice(self.persons)
        self.households += 1
        birth = model["birth_date"]
        while not self._identity_free(model["surname"], model["first_name"], model["patronymic"], birth):
            birth = self.birth_date(self.adult_age())
        person = self._person(
            model["gender"], model["surname"], model["first_name"], model["patronymic"], birth, self.households
        )
        person["namesake_of"] = model["key"]
        self._card_phones(person, "", [])
        return person

    def _finish_original(self, card):
        """The card as typed: ё kept or dropped by the receptionist, SNILS in one of its written forms."""
        card["_canonical"] = {p: card[p] for p in NAME_PARTS}
        card["_yo"] = self.rng.chance(0.5)
        for part in NAME_PARTS:
            card[part] = _spell(card[part], card["_yo"])
        card["snils_typed"] = format_snils_typed(card["snils"], self.rng.randrange(3)) if card["snils"] else ""

    def generate(self, count, duplicate_share=0.03, namesake_share=0.01):
        """``count`` cards, of which ``duplicate_share`` are planted second (rarely third) cards."""
        originals = count - round(count * duplicate_share)
        cards = []
        while len(cards) < originals:
            if self.persons and self.rng.chance(namesake_share):
                cards.append(self._namesake())
                continue
            for person, landline, contacts in self._household():
                self._card_phones(person, landline, contacts)
                cards.append(person)
        # The last household may overflow: its extra members are dropped (with their links, in _number).
        del cards[originals:]
        for card in cards:
            self._finish_original(card)
        pool, copied = list(cards), set()
        while len(cards) < count:
            original = self.rng.choice(pool)
            if original["key"] in copied and not self.rng.chance(0.1):
                continue
            copied.add(original["key"])
            cards.append(self._plant_copy(original))
        self.rng.shuffle(cards)
        return self._number(cards)

    def _number(self, cards):
        """Ids 1..n in the shuffled order; every reference translated to ids."""
        ids = {card["key"]: index for index, card in enumerate(cards, 1)}
        patients = []
        for card in cards:
            row = {k: v for k, v in card.items() if not k.startswith("_") and k not in ("key", "mobile")}
            row.update(id=ids[card["key"]], copy_of=ids.get(card["copy_of"]))
            if "namesake_of" in row:
                row["namesake_of"] = ids.get(row["namesake_of"])
            patients.append(row)
        relations = [
            dict(r, partner=ids[r["partner"]], relative=ids[r["relative"]])
            for r in self.relations
            if r["partner"] in ids and r["relative"] in ids
        ]
        return {
            "patients": patients,
            "duplicates": {p["id"]: p["copy_of"] for p in patients if p["copy_of"]},
            "relations": relations,
        }


def generate_patients(count, duplicate_share=0.03, seed=1, today=REFERENCE_DATE):
    """``count`` patient cards as typed at the front desk, with the ground truth.

    Returns ``{"patients": [...], "duplicates": {copy id: original id}, "relations": [...]}``.
    A patient holds ``id``, ``surname``, ``first_name``, ``patronymic`` (as typed), ``gender``,
    ``birth_date`` (date), ``phone`` (the cell as typed, maybe several numbers), ``phones`` (the
    E.164 numbers in it), ``snils`` (11 digits or ""), ``snils_typed`` (as written), ``email``,
    and the truth: ``household``, ``copy_of`` (id or None), ``variants`` (how a copy differs from
    its original), ``namesake_of``. A relation is ``{"partner": child or wife id, "relative": parent
    or husband id, "kinship", "is_legal_representative", "is_payer"}``, between original cards only.
    """
    return PatientGenerator(seed, today).generate(count, duplicate_share)


def generate_consents(population, seed=1, today=REFERENCE_DATE):
    """Consent events for the original cards: personal data and the medical intervention on the first
    visit, then service messages and marketing (sometimes withdrawn later).

    An event is ``{"partner", "representative" (id or None), "purpose", "channel", "action",
    "date" (datetime), "source"}``; a minor's consents are given by a legal representative.
    """
    rng = _Rng(seed)
    representative = {}
    for relation in population["relations"]:
        if relation["is_legal_representative"]:
            representative.setdefault(relation["partner"], relation["relative"])
    events = []
    for patient in population["patients"]:
        if patient["copy_of"] or rng.chance(0.1):
            continue
        first_visit = datetime.combine(rng.date_between(today - timedelta(days=3 * 365), today), time(9))
        first_visit += timedelta(minutes=rng.randrange(10 * 60))

        def add(purpose, channel, action, when, source, patient=patient):
            events.append(
                {
                    "partner": patient["id"],
                    "representative": representative.get(patient["id"]),
                    "purpose": purpose,
                    "channel": channel,
                    "action": action,
                    "date": when,
                    "source": source,
                }
            )

        add("personal_data", "all", "given", first_visit, rng.choice(("paper", "front_desk", "website", "import")))
        add("medical_intervention", "all", "given", first_visit, "paper")
        if rng.chance(0.7):
            channel = rng.choices(("whatsapp", "sms", "all", "email"), weights=(50, 25, 20, 5))[0]
            add("service_messages", channel, "given", first_visit, rng.choice(("paper", "message")))
        if rng.chance(0.25):
            add("marketing", "whatsapp", "given", first_visit, "paper")
            withdrawn = first_visit + timedelta(days=rng.randint(5, 300))
            if rng.chance(0.2) and withdrawn.date() <= today:
                add("marketing", "whatsapp", "withdrawn", withdrawn, "message")
    return events


def generate_doctors(count=10, seed=1, today=REFERENCE_DATE):
    """``count`` doctors (10-50): the specialties in hiring order, then more doctors of the busy ones.

    A doctor holds ``surname``, ``first_name``, ``patronymic``, ``gender``, ``birth_date``, ``snils``,
    ``mobile`` (E.164), ``specialty_code`` and ``specialty`` (ФНСИ 1066), ``position_code`` and
    ``position`` (ФНСИ 1002), ``age_group`` (adult/child/both) and ``practice_since``.
    """
    people = PatientGenerator(seed, today)
    rng = people.rng
    doctors = []
    for index in range(count):
        if index < len(SPECIALTIES):
            specialty = SPECIALTIES[index]
        else:
            specialty = rng.choices(SPECIALTIES, weights=SPECIALTY_WEIGHTS)[0]
        gender = rng.choices(("female", "male"), weights=(7, 3))[0]
        birth = people.birth_date(rng.randint(28, 66))
        doctors.append(
            {
                "surname": people.surname_for(gender, people.pick_surname(), birth),
                "first_name": people.pick_first_name(gender),
                "patronymic": people.patronymic(gender),
                "gender": gender,
                "birth_date": birth,
                "snils": people.new_snils(),
                "mobile": people.new_mobile(),
                "specialty_code": specialty[0],
                "specialty": specialty[1],
                "position_code": specialty[2],
                "position": specialty[3],
                "age_group": specialty[4],
                "practice_since": birth.replace(year=birth.year + rng.randint(24, 27), day=1),
            }
        )
    return doctors


def generate_services(count=40, seed=1):
    """The ``count`` most booked services of the price list, prices varied by the seed (rounded to 50 roubles).

    A service holds ``code`` (order 804n), ``name``, ``price``, ``duration_minutes``, ``age_group``
    and ``specialty_code`` ("" when a nurse or the laboratory performs it).
    """
    if count > len(SERVICES):
        raise ValueError(f"The price list has {len(SERVICES)} services, {count} asked")
    rng = _Rng(seed)
    return [
        {
            "code": code,
            "name": name,
            "price": round(price * rng.uniform(0.85, 1.25) / 50) * 50,
            "duration_minutes": minutes,
            "age_group": age_group,
            "specialty_code": specialty,
        }
        for code, name, price, minutes, age_group, specialty in SERVICES[:count]
    ]
