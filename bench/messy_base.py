"""A receptionist-kept patient base with known duplicates, written apart from ``clinic_base.tools.synthetic``.

The duplicate engine's unit tests and the demo use ``tools.synthetic``; this
generator grades the engine in ``bench/run dedupe``, so that the engine is not
measured on the data it was tuned with. It plants second (and third) cards of
one person the way a front desk makes them over years, and the look-alikes a
real base has: twins, children on a parent's phone, spouses on one phone, a son
named after his father, common-name namesakes.

Each card is ``{"card": n, "person": p, "kind": ..., "full_name": str or None,
"surname", "first_name", "patronymic", "birth_date": date or None, "snils",
"phone": str (as typed), "created": date}``; a card with ``full_name`` was typed in one field
(as 1C keeps it) and is split by the reader; ``created`` is the day the card was typed (a visit of
that patient: the first for an original card, a later one for a second card).
"""

import random
from datetime import date, timedelta

SURNAMES_M = (
    "Кузнецов Смирнов Иванов Попов Соколов Лебедев Козлов Новиков Морозов Петров Волков Соловьёв Васильев Зайцев "
    "Павлов Семёнов Голубев Виноградов Богданов Воробьёв Фёдоров Михайлов Беляев Тарасов Белов Комаров Орлов "
    "Киселёв Макаров Андреев Ковалёв Ильин Гусев Титов Кузьмин Кудрявцев Баранов Куликов Алексеев Степанов "
    "Яковлев Сорокин Сергеев Романов Захаров Борисов Королёв Герасимов Пономарёв Григорьев Лазарев Медведев "
    "Ершов Никитин Соболев Рябов Поляков Цветков Данилов Жуков Фролов Журавлёв Николаев Крылов Максимов Сидоров "
    "Осипов Белоусов Федотов Дорофеев Егоров Матвеев Бобров Дмитриев Калинин Анисимов Петухов Антонов Тимофеев "
    "Никифоров Веселов Филиппов Марков Большаков Суханов Миронов Ширяев Александров Коновалов Шестаков Казаков "
    "Ефимов Денисов Громов Фомин Давыдов Мельников Щербаков Блинов Колесников Карпов Афанасьев Власов Маслов"
).split()
# The long tail: most people do not carry one of the hundred commonest surnames (about a third of Russians
# do), so rarer ones are made from a root and a suffix.
ROOTS = (
    "Бел Чер Гор Мол Сух Крас Дуб Лис Мух Зар Бор Вер Глад Дол Жар Зим Кол Лук Мед Нос Пуш Рож Сед Тих Уш Хом "
    "Чиж Шум Щук Юр Ясн Бурл Вал Гриш Дем Ерм Жил Заб Ивш Кар Лап Мак Нал Остр Пан Руд Сав Тар Ус Фил Хар Цып "
    "Шап Бах Вах Гал Дят Ер Жур Зуб Кис Луж Мин Нек Ов Пес Рыб Сит Тол Ульян Фед Хлеб Чуд Шиш Ял Бук Вьюн Гуд"
).split()
SUFFIXES = ("ов", "ев", "ин", "инов", "ский", "ецкий", "ков", "аков", "янов", "ушкин", "онов", "ихин")
MALE = (
    "Александр Сергей Дмитрий Андрей Алексей Максим Евгений Иван Михаил Артём Николай Владимир Павел Роман "
    "Денис Игорь Олег Виктор Юрий Константин Никита Егор Антон Илья Кирилл Василий Григорий Тимофей Фёдор "
    "Станислав Вадим Леонид Борис Пётр Глеб Матвей Степан Ярослав Анатолий Геннадий"
).split()
FEMALE = (
    "Елена Ольга Наталья Татьяна Ирина Светлана Анна Мария Екатерина Юлия Анастасия Марина Людмила Галина "
    "Надежда Валентина Дарья Ксения Алина Виктория Полина Софья Вера Любовь Оксана Жанна Алёна Кристина Лариса "
    "Нина Евгения Тамара Маргарита Диана Вероника Елизавета Ульяна Зинаида Раиса Александра"
).split()
# Patronymic stems of the male names (the genitive-like base): Сергей -> Сергеевич / Сергеевна.
_PATRONYMIC_STEMS = {
    "Сергей": "Сергее", "Андрей": "Андрее", "Алексей": "Алексее", "Евгений": "Евгенье", "Николай": "Николае",
    "Юрий": "Юрье", "Василий": "Василье", "Григорий": "Григорье", "Тимофей": "Тимофее", "Анатолий": "Анатолье",
    "Геннадий": "Геннадье", "Игорь": "Игоре", "Илья": "Ильич", "Никита": "Никитич", "Фёдор": "Фёдоро",
    "Пётр": "Петро", "Лев": "Льво", "Артём": "Артёмо", "Дмитрий": "Дмитрие", "Михаил": "Михайло",
    "Павел": "Павло", "Ярослав": "Ярославо", "Станислав": "Станиславо",
}  # fmt: skip
LATIN = {"а": "a", "о": "o", "е": "e", "р": "p", "с": "c", "у": "y", "х": "x", "А": "A", "О": "O", "Е": "E",
         "Р": "P", "С": "C", "М": "M", "Т": "T", "К": "K", "Н": "H", "В": "B"}  # fmt: skip
KEYS = "йцукенгшщзхфывапролджэячсмитьбю"

KINDS = (
    ("cosmetic", 8), ("birth_missing", 10), ("initials", 8), ("reversed_caps", 8), ("latin", 8),
    ("swapped_day_month", 8), ("birth_visit_date", 8), ("surname_married", 8), ("typo", 10), ("swapped_names", 6),
    ("no_patronymic", 8), ("new_phone", 6), ("copy_and_copy", 8),
)  # fmt: skip
FIRST_VISIT, LAST_VISIT = date(2010, 1, 1), date(2025, 12, 31)


def _patronymic(father, feminine):
    stem = _PATRONYMIC_STEMS.get(father, father + "о")
    if stem.endswith("ич"):  # Ильич / Ильинична, Никитич / Никитична
        return stem + "на" if feminine else stem
    return stem + ("вна" if feminine else "вич")


def _feminine(surname):
    if surname.endswith("ий"):
        return surname[:-2] + "ая"
    return surname + "а" if surname.endswith(("ов", "ёв", "ев", "ин")) else surname


def _surname(rng):
    if rng.random() < 0.35:
        return _zipf(rng, SURNAMES_M, 0.6)
    return rng.choice(ROOTS) + rng.choice(SUFFIXES)


def _zipf(rng, items, skew=1.0):
    weights = [1 / (rank + 1) ** skew for rank in range(len(items))]
    return rng.choices(items, weights)[0]


def _snils(rng):
    body = rng.randint(2_000_000, 999_999_999)
    digits = f"{body:09d}"
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits))
    check = total % 101 % 100
    return digits + f"{check:02d}"


def _mobile(rng):
    return f"9{rng.randint(0, 99):02d}{rng.randint(0, 9_999_999):07d}"


def _typed_phone(rng, ten):
    """A mobile number as the front desk types it."""
    a, b, c, d = ten[:3], ten[3:6], ten[6:8], ten[8:]
    style = rng.randrange(6)
    return (
        f"8{ten}", f"8 ({a}) {b}-{c}-{d}", f"+7 {a} {b} {c} {d}", f"8-{a}-{b}-{c}-{d}", f"+7({a}){b}{c}{d}",
        f"{ten}",
    )[style]  # fmt: skip


class _Person:
    __slots__ = ("id", "surname", "first", "patronymic", "birth", "female", "phone", "snils")


def _date_between(rng, start, end):
    return start + timedelta(days=rng.randrange((end - start).days))


def _households(rng, count):
    """People in families: a couple and children on one home or parent's phone, now and then twins or a junior."""
    people, next_id = [], 0

    def person(surname, first, patronymic, birth, female, phone):
        nonlocal next_id
        p = _Person()
        p.id, p.surname, p.first, p.patronymic, p.birth, p.female = next_id, surname, first, patronymic, birth, female
        p.phone, p.snils = phone, _snils(rng) if rng.random() < 0.25 else ""
        next_id += 1
        people.append(p)
        return p

    while len(people) < count:
        surname = _surname(rng)
        father_name = _zipf(rng, MALE, 0.8)
        dad = person(surname, father_name, _patronymic(_zipf(rng, MALE, 0.8), False),
                     _date_between(rng, date(1940, 1, 1), date(2000, 1, 1)), False, _mobile(rng))  # fmt: skip
        if rng.random() < 0.55:
            mum_birth = dad.birth + timedelta(days=rng.randint(-2500, 2500))
            mum = person(_feminine(surname), _zipf(rng, FEMALE, 0.8), _patronymic(_zipf(rng, MALE, 0.8), True),
                         min(mum_birth, date(2003, 1, 1)), True,
                         dad.phone if rng.random() < 0.2 else _mobile(rng))  # fmt: skip
            parent_phone = mum.phone
        else:
            parent_phone = dad.phone
        children = rng.choice((0, 0, 1, 1, 2, 3)) if dad.birth.year < 1998 else 0
        earliest = max(dad.birth + timedelta(days=20 * 365), date(1960, 1, 1))
        used = set()  # no two children of one family get one name
        for _child in range(children):
            if earliest >= date(2025, 6, 1):
                break
            birth = _date_between(rng, earliest, min(earliest + timedelta(days=25 * 365), date(2025, 6, 1)))
            twins = 2 if rng.random() < 0.04 else 1
            for _twin in range(twins):
                female = rng.random() < 0.5
                if not female and father_name not in used and rng.random() < 0.05:
                    first = father_name  # named after his father: the same full name as a son of «Иван»
                else:
                    first = _zipf(rng, [n for n in (FEMALE if female else MALE) if n not in used], 0.8)
                used.add(first)
                adult = (date(2026, 1, 1) - birth).days > 18 * 365
                phone = _mobile(rng) if adult and rng.random() < 0.8 else parent_phone
                person(_feminine(surname) if female else surname, first, _patronymic(father_name, female), birth,
                       female, phone)  # fmt: skip
    return people[:count]


def _cosmetic(rng, text):
    """Case, ё, doubled spaces: what the same person types differently on another day."""
    choice = rng.randrange(4)
    if choice == 0:
        text = text.upper()
    elif choice == 1:
        text = text.lower()
    elif choice == 2:
        text = text.replace("ё", "е").replace("Ё", "Е")
    return text.replace(" ", "  ", 1) if rng.random() < 0.3 else text


def _typo(rng, word):
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    action = rng.randrange(4)
    if action == 0:
        return word[:i] + word[i + 1 :]
    if action == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if action == 2:
        return word[:i] + rng.choice(KEYS) + word[i + 1 :]
    return word[:i] + rng.choice(KEYS) + word[i:]


def _latin(rng, word):
    spots = [i for i, ch in enumerate(word) if ch in LATIN]
    for i in rng.sample(spots, min(len(spots), rng.randint(1, 2))):
        word = word[:i] + LATIN[word[i]] + word[i + 1 :]
    return word


def _card(person, number, created, kind="original"):
    return {
        "card": number, "person": person.id, "kind": kind, "full_name": None, "surname": person.surname,
        "first_name": person.first, "patronymic": person.patronymic, "birth_date": person.birth,
        "snils": person.snils, "phone": person.phone, "female": person.female, "created": created,
    }  # fmt: skip


def _cosmetic_copy(rng, copy, card, person):
    copy.update({part: _cosmetic(rng, copy[part]) for part in ("surname", "first_name", "patronymic")})
    return True


def _birth_missing(rng, copy, card, person):
    copy["birth_date"] = None
    return bool(card["phone"] and card["birth_date"])


def _initials(rng, copy, card, person):
    s, f, p = copy["surname"], copy["first_name"], copy["patronymic"]
    sep = rng.choice((".", ". "))
    copy.update(full_name=f"{s} {f[0]}{sep}{p[0]}." if p else f"{s} {f[0]}.", surname=None)
    return True


def _reversed_caps(rng, copy, card, person):
    s, f, p = copy["surname"], copy["first_name"], copy["patronymic"]
    if rng.random() < 0.5:
        copy.update(full_name=f"{f} {p} {s}".upper().strip(), surname=None)
    else:  # typed into the wrong fields, in capitals
        copy.update(surname=f.upper(), first_name=(p or s).upper(), patronymic=s.upper() if p else "")
    return True


def _latin_copy(rng, copy, card, person):
    copy["surname"] = _latin(rng, copy["surname"])
    if rng.random() < 0.5:
        copy["first_name"] = _latin(rng, copy["first_name"])
    return True


def _swapped_day_month(rng, copy, card, person):
    b = copy["birth_date"]
    if not b or b.day > 12 or b.day == b.month:  # noqa: PLR2004
        return False
    copy["birth_date"] = b.replace(day=b.month, month=b.day)
    return True


def _birth_visit_date(rng, copy, card, person):
    # The date of the visit the card is typed on, in the wrong field.
    copy["birth_date"] = copy["created"]
    return bool(card["birth_date"])


def _surname_married(rng, copy, card, person):
    if not card["female"] or not copy["patronymic"] or person.birth.year > 2004:  # noqa: PLR2004
        return False
    copy["surname"] = _feminine(_surname(rng))
    copy["phone"] = card["phone"] if rng.random() < 0.7 else _mobile(rng)
    return copy["surname"] != card["surname"]


def _typo_copy(rng, copy, card, person):
    part = "surname" if rng.random() < 0.5 else "first_name"
    copy[part] = _typo(rng, copy[part])
    return True


def _swapped_names(rng, copy, card, person):
    copy.update(surname=card["first_name"], first_name=card["surname"])
    return True


def _no_patronymic(rng, copy, card, person):
    copy["patronymic"] = ""
    return True


def _new_phone(rng, copy, card, person):
    copy["phone"] = _mobile(rng)
    return True


_MUTATIONS = {
    "cosmetic": _cosmetic_copy, "birth_missing": _birth_missing, "initials": _initials,
    "reversed_caps": _reversed_caps, "latin": _latin_copy, "swapped_day_month": _swapped_day_month,
    "birth_visit_date": _birth_visit_date, "surname_married": _surname_married, "typo": _typo_copy,
    "swapped_names": _swapped_names, "no_patronymic": _no_patronymic, "new_phone": _new_phone,
}  # fmt: skip


def _mutate(rng, card, kind, person):
    """The copy of ``card`` a receptionist makes, of the given kind; None when the kind does not apply."""
    if card["full_name"]:
        return None
    copy = dict(card, kind=kind, snils=card["snils"] if rng.random() < 0.3 else "")
    # A second card is typed on a later visit (or later the same day).
    copy["created"] = _date_between(rng, card["created"], LAST_VISIT + timedelta(days=1))
    if not _MUTATIONS[kind](rng, copy, card, person):
        return None
    if kind not in ("birth_missing", "surname_married", "new_phone"):
        roll = rng.random()
        if roll < 0.12:
            copy["phone"] = ""
        elif roll < 0.22:
            copy["phone"] = _mobile(rng)
    return copy


def generate(count, duplicate_share=0.035, seed=2024):
    """``{"cards": [...], "kinds": {card number: kind}}``: ``count`` cards, of which about ``duplicate_share``
    are second cards of someone already on file."""
    rng = random.Random(seed)
    copies_wanted = int(count * duplicate_share)
    people = _households(rng, count - copies_wanted)
    # The day each card was typed: the patient's first visit, not before birth.
    cards = [
        _card(person, number, _date_between(rng, max(FIRST_VISIT, person.birth + timedelta(days=1)), LAST_VISIT))
        for number, person in enumerate(people)
    ]
    for card in cards:  # cards typed in a hurry: no birth date, no phone
        roll = rng.random()
        if roll < 0.03:
            card["birth_date"] = None
        elif roll < 0.08:
            card["phone"] = ""
    by_person = {person.id: person for person in people}
    kinds, weights = zip(*KINDS, strict=True)
    extra = []
    while len(extra) < copies_wanted:
        original = rng.choice(cards)
        person = by_person[original["person"]]
        kind = rng.choices(kinds, weights)[0]
        if kind == "copy_and_copy":
            first = _mutate(rng, original, rng.choice(kinds[:-1]), person)
            second = first and _mutate(rng, first, rng.choice(kinds[:-1]), person)
            if not second:
                continue
            first["kind"], second["kind"] = "copy_and_copy", "copy_and_copy"
            extra += [first, second]
            continue
        copy = _mutate(rng, original, kind, person)
        if copy:
            extra.append(copy)
    for card in extra:
        card["card"] = len(cards)
        cards.append(card)
    for card in cards:
        card["phone"] = _typed_phone(rng, card["phone"]) if card["phone"] else ""
    order = list(range(len(cards)))
    rng.shuffle(order)
    return {"cards": [cards[i] for i in order]}
