"""Values of a 1C 7.7 base as people typed them, brought to what Odoo stores.

Each parser returns the value and, when it could not read the input, a reason
code (see ``clinic.migration.planner._reason_texts`` for the words shown); the
caller keeps the raw input and reports it. Pure Python.
"""

import re
from datetime import date

from odoo.addons.clinic_base.tools import checksums, names
from odoo.addons.clinic_base.tools import phone as phone_tools

_DBF_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY_RE = re.compile(r"^(\d{1,2})\s*[./\-\s]\s*(\d{1,2})\s*[./\-\s]\s*(\d{4}|\d{2})(?:\s*г\.?)?$", re.IGNORECASE)
_YMD_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME_TAIL_RE = re.compile(r"[T\s]+\d{1,2}:\d{2}(:\d{2})?$")
_EMPTY_DATES = frozenset({"", "00000000", "00.00.0000", "00.00.00", "0000-00-00", "  .  .    ", "..", "  .  .  "})
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
_MALE_ENDINGS = ("вич", "оглы", "улы", "ич")
_FEMALE_ENDINGS = ("вна", "чна", "кызы", "гызы", "шна")
GENDERS = {
    "м": "male", "муж": "male", "мужской": "male", "m": "male", "male": "male", "1": "male",
    "ж": "female", "жен": "female", "женский": "female", "f": "female", "female": "female", "2": "female",
}  # fmt: skip
# The narrower words first: «безнал. перевод» is a bank transfer, a bare «безнал» a card.
PAYMENT_WORDS = (
    ("transfer", ("перевод", "банк", "р/с", "счет", "счёт")),
    ("card", ("карт", "эквайр", "терминал", "безнал")),
    ("cash", ("нал", "касс")),
)
_LOCAL_NUMBER_RE = re.compile(r"^\D*(\d[\d\s\-]{4,8}\d)\D*$")


def parse_date(raw, today):
    """(date or None, reason or None): DBF 'ГГГГММДД', 'ДД.ММ.ГГГГ', 'ДД.ММ.ГГ', 'ГГГГ-ММ-ДД'.

    A two-digit year is read in the past century when it would otherwise lie in the future.
    """
    text = _TIME_TAIL_RE.sub("", (raw or "").strip())
    if text in _EMPTY_DATES or not text.strip(" .-/0"):
        return None, None
    for pattern, order in ((_DBF_DATE_RE, "ymd"), (_YMD_RE, "ymd"), (_DMY_RE, "dmy")):
        match = pattern.match(text)
        if not match:
            continue
        first, second, third = (int(group) for group in match.groups())
        year, month, day = (first, second, third) if order == "ymd" else (third, second, first)
        if order == "dmy" and len(match.group(3)) == 2:
            year += 2000 if 2000 + year <= today.year else 1900
        try:
            value = date(year, month, day)
        except ValueError:
            return None, "no_such_date"
        if value > today or value.year < 1900:
            return None, "impossible_date"
        return value, None
    return None, "not_a_date"


def parse_number(raw):
    """(float or None, reason or None) from «1 500,00», «1500.5» or «1500»."""
    text = (raw or "").strip().replace("\xa0", "").replace(" ", "").replace(",", ".")
    if not text:
        return None, None
    if not _NUMBER_RE.match(text):
        return None, "not_a_number"
    return float(text), None


def parse_gender(raw, patronymic=""):
    """male, female or '' from «М», «жен.», «1»; without one, from the patronymic's ending."""
    key = (raw or "").strip().lower().rstrip(".")
    if key in GENDERS:
        return GENDERS[key]
    folded = names.fold(patronymic)
    if folded.endswith(_FEMALE_ENDINGS):
        return "female"
    if folded.endswith(_MALE_ENDINGS):
        return "male"
    return ""


def payment_method(raw):
    """cash, card or transfer from the words a 1C enum or a person used; cash when nothing says otherwise."""
    text = (raw or "").lower()
    return next((method for method, words in PAYMENT_WORDS if any(word in text for word in words)), "cash")


def person_name(full, surname="", first_name="", patronymic=""):
    """(surname, first name, patronymic), tidied; separate parts win over the one-string 1C name."""
    if (surname or "").strip() or (first_name or "").strip():
        surname, first_name, patronymic = names.with_initials(surname, first_name, patronymic)
        return names.tidy(surname), names.tidy(first_name), names.tidy(patronymic)
    return names.split_full_name(full)


def snils(raw):
    """(11 digits or '', reason or None)."""
    digits = checksums.clean_digits(raw)
    if not (raw or "").strip():
        return "", None
    if len(digits) != 11:
        return "", "snils_length"
    if not checksums.snils_is_valid(digits):
        return "", "snils_checksum"
    return digits, None


def inn(raw):
    digits = checksums.clean_digits(raw)
    if not (raw or "").strip():
        return "", None
    if not checksums.inn_is_valid(digits) or len(digits) != 12:
        return "", "inn_invalid"
    return digits, None


def email(raw):
    text = (raw or "").strip()
    if not text:
        return "", None
    if not _EMAIL_RE.match(text):
        return "", "email_invalid"
    return text.lower(), None


def _note(piece):
    """Whose number it is, typed after it: «… мама», «… (раб.)»."""
    tail = re.sub(r"^[^\d]*[\d\s()+\-]+\d", "", piece.strip())
    tail = re.sub(r"(?i)(доб|вн|ext|x|#)\.?\s*\d+", "", tail)
    return tail.strip(" ()[],.;") if re.search(r"[А-Яа-яA-Za-z]", tail) else ""


def phones(cell, default_area_code=""):
    """(lines, problems) for a phone cell of one or several numbers.

    A line is ``{"number": E.164, "extension", "kind", "country", "raw_input", "note"}``;
    a problem is ``(piece as typed, reason code, country)``. A bare city number gets
    ``default_area_code`` when one is set; a number outside Russia is kept and reported.
    """
    lines, problems = [], []
    for piece in phone_tools.split_numbers(cell or ""):
        candidate = piece
        local = _LOCAL_NUMBER_RE.match(piece)
        if default_area_code and local and len(re.sub(r"\D", "", local.group(1))) == 7:
            candidate = f"8 {default_area_code} {local.group(1)}"
        try:
            parsed = phone_tools.normalize(candidate)
        except phone_tools.PhoneError:
            problems.append((piece.strip(), "phone_no_area_code" if local else "phone_invalid", ""))
            continue
        if any(line["number"] == parsed["e164"] for line in lines):
            continue
        lines.append(
            {
                "number": parsed["e164"],
                "extension": parsed["extension"],
                "kind": parsed["kind"],
                "country": parsed["country"],
                "raw_input": piece.strip(),
                "note": _note(piece),
            }
        )
        if parsed["country"] != "RU":
            problems.append((piece.strip(), "phone_foreign", parsed["country"]))
    return lines, problems


# -- addresses -------------------------------------------------------------------------------

# Type words by the part of the address they introduce; SOCRBASE adds the classifier's own.
ADDRESS_TYPES = {
    "region": ("обл", "область", "край", "респ", "республика", "ао", "аобл", "автономный округ"),
    "district": ("р-н", "район", "улус"),
    "city": ("г", "гор", "город"),
    "settlement": ("пгт", "рп", "п", "пос", "поселок", "посёлок", "с", "село", "дер", "деревня", "ст-ца",
                   "станица", "х", "хутор", "снт", "аул", "кп", "дп", "сл", "слобода"),
    "street": ("ул", "улица", "пр-кт", "просп", "проспект", "пр", "пер", "переулок", "ш", "шоссе", "б-р", "бул",
               "бульвар", "пл", "площадь", "наб", "набережная", "проезд", "пр-д", "туп", "тупик", "аллея", "ал",
               "линия", "мкр", "микрорайон", "кв-л", "квартал", "тракт", "км", "тер"),
    "house": ("д", "дом", "вл", "влад", "владение"),
    "building": ("корп", "корпус", "к", "стр", "строение", "лит", "литера"),
    "flat": ("кв", "квартира", "оф", "офис", "пом", "помещение", "комн", "комната"),
}  # fmt: skip
FEDERAL_CITIES = ("москва", "санкт-петербург", "севастополь", "байконур")
ADDRESS_PARTS = ("zip", "region", "district", "city", "settlement", "street", "house", "building", "flat")
_ZIP_RE = re.compile(r"^\d{6}$")
_HOUSE_RE = re.compile(r"^\d+[а-яa-z]?(/\d+[а-яa-z]?)?$", re.IGNORECASE)
_HOUSE_FLAT_RE = re.compile(r"^(\d+[а-яa-z]?(?:/\d+)?)\s*-\s*(\d+)$", re.IGNORECASE)
_NAME_NUMBER_RE = re.compile(r"^(.*[^\d\s].*?)\s+(\d+[а-яa-z]?(?:/\d+)?)(?:\s*-\s*(\d+))?$", re.IGNORECASE)


def type_vocabulary(extra=None):
    """{type word: part}; ``extra`` ({part: [words]}, e.g. from SOCRBASE) adds words the built-in list lacks."""
    vocabulary = {word: part for part, words in ADDRESS_TYPES.items() for word in words}
    for part, words in (extra or {}).items():
        for word in words:
            vocabulary.setdefault(word.lower().rstrip("."), part)
    return vocabulary


def _type_regex(vocabulary):
    words = sorted(vocabulary, key=len, reverse=True)
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"(?<![\w-])({alternatives})(?:\.|(?=\s|\d|$))", re.IGNORECASE)


class AddressParser:
    """Split a one-line Russian address into its parts."""

    def __init__(self, extra_types=None):
        self.vocabulary = type_vocabulary(extra_types)
        self.regex = _type_regex(self.vocabulary)

    def _pieces(self, chunk):
        """(type part or None, value) pieces of one comma-separated chunk, split at every type word."""
        marks = list(self.regex.finditer(chunk))
        if not marks:
            return [(None, chunk.strip())]
        pieces = []
        if chunk[: marks[0].start()].strip():
            pieces.append((None, chunk[: marks[0].start()].strip()))
        for index, mark in enumerate(marks):
            end = marks[index + 1].start() if index + 1 < len(marks) else len(chunk)
            value = chunk[mark.end() : end].strip(" .")
            part = self.vocabulary[mark.group(1).lower()]
            if not value and pieces and pieces[-1][0] is None:
                # «Ленина ул», «Московская обл»: the type typed after the name.
                pieces[-1] = (part, pieces[-1][1])
            else:
                pieces.append((part, value))
        return pieces

    def parse(self, text):
        """({part: value}, leftovers): parts are those of ADDRESS_PARTS."""
        parts, leftovers = {}, []
        for chunk in re.split(r"[,;]", text or ""):
            for part, value in self._pieces(chunk):
                if not value:
                    continue
                if part == "house" and not value[:1].isdigit() and not parts.get("street"):
                    # «д. Ивановка» is a village when no street came before.
                    part = "settlement"
                found = self._guess(parts, value) if part is None else self._split_number(part, value)
                if not found or any(parts.get(key) for key in found):
                    leftovers.append(value)
                else:
                    parts.update(found)
        if not parts.get("region") and (parts.get("city") or "").lower() in FEDERAL_CITIES:
            parts["region"] = parts["city"]
        return parts, leftovers

    @staticmethod
    def _split_number(part, value):
        """«ул. Ленина 5-12»: the house (and flat) typed after the street name without their own words."""
        name_number = _NAME_NUMBER_RE.match(value) if part == "street" else None
        if not name_number:
            return {part: value}
        found = {"street": name_number.group(1).strip(), "house": name_number.group(2)}
        if name_number.group(3):
            found["flat"] = name_number.group(3)
        return found

    @classmethod
    def _guess(cls, parts, value):
        """{part: value} for a piece typed without a type word; {} when it fits nowhere."""
        if _ZIP_RE.match(value):
            return {"zip": value}
        house_flat = _HOUSE_FLAT_RE.match(value)
        if house_flat and parts.get("street") and not parts.get("house"):
            return {"house": house_flat.group(1), "flat": house_flat.group(2)}
        if _HOUSE_RE.match(value):
            if parts.get("street") and not parts.get("house"):
                return {"house": value}
            if parts.get("house") and not parts.get("flat"):
                return {"flat": value}
            return {}
        if not parts.get("street") and (parts.get("city") or parts.get("settlement")):
            return cls._split_number("street", value)
        if not any(parts.get(key) for key in ("city", "settlement", "street")):
            return {"city": value}
        return {}
