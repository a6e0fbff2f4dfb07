"""Russian full names: split, tidy and fold for matching."""

import re

# Latin letters that look like Cyrillic ones, typed by mistake in Russian names.
_HOMOGLYPHS = str.maketrans("aeopcxykmthbAEOPCXYKMTHB", "аеорсхукмтнвАЕОРСХУКМТНВ")
_CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
_HYPHENS_RE = re.compile(r"\s*[-‐‑‒–—]\s*")
_SPACES_RE = re.compile(r"\s+")
_PATRONYMIC_RE = re.compile(r"(вич|вна|ична|инична|оглы|кызы|улы|гызы)$", re.IGNORECASE)
# «Е.А.», «Е. А.», «Е.»: initials instead of the first name and patronymic.
_INITIALS_RE = re.compile(r"^([^\W\d_])\.\s*(?:([^\W\d_])\.?)?$")
_BRACKETS_RE = re.compile(r"[(\[{]([^)\]}]*)[)\]}]?")
_LETTER_RE = re.compile(r"[^\W\d_]")
# Words that make a «name» a note of the front desk or a test row, not a person.
SERVICE_WORDS = frozenset(
    "звонил звонила звонили позвонить перезвонить перезвонит записался записалась записать отказ отказался "
    "отказалась пришел пришёл пришла не дубль дубль удалить удален удалён ошибка ошибочно нет неизвестно аноним "
    "клиент пациент тест тестовый тестовая test проверка xxx ххх".split()
)
TEST_WORDS = frozenset("тест тестовый тестовая test проверка xxx ххх qwerty йцукен".split())
# Kinship words typed in a note about a card: «мама Кати».
KINSHIP_WORDS = {
    "мама": "mother", "мать": "mother", "папа": "father", "отец": "father", "бабушка": "grandmother",
    "дедушка": "grandfather", "муж": "spouse", "жена": "spouse", "сын": "child", "дочь": "child",
    "сестра": "sibling", "брат": "sibling", "опекун": "guardian",
}  # fmt: skip


def tidy(part):
    """Collapse spaces and hyphens, capitalise each piece: «иванова- петрова» -> «Иванова-Петрова».

    Latin look-alike letters inside a Cyrillic name («Pодионова») become Cyrillic.
    """
    text = _SPACES_RE.sub(" ", _HYPHENS_RE.sub("-", (part or "").strip()))
    if _CYRILLIC_RE.search(text):
        text = text.translate(_HOMOGLYPHS)
    if initials(text):
        return " ".join(i for i in initials(text) if i)
    return "-".join(" ".join(w[:1].upper() + w[1:].lower() for w in piece.split(" ")) for piece in text.split("-"))


def is_initial(key):
    """A folded name part of one letter is an initial («Е.» folds to «е»)."""
    return len(key) == 1


def initials(text):
    """(first initial, patronymic initial) of «Е.А.» / «Е. А.» / «Е.», or None when it is not initials."""
    match = _INITIALS_RE.match((text or "").strip())
    if not match:
        return None
    return match.group(1).upper() + ".", (match.group(2).upper() + ".") if match.group(2) else ""


def fold(part):
    """Matching key of one name part: case, ё/е, Latin homoglyphs, spaces and hyphens folded."""
    text = (part or "").lower().replace("ё", "е").translate(_HOMOGLYPHS)
    return re.sub(r"[\s\-‐‑‒–—.]+", "", text)


def name_key(surname, first_name, patronymic):
    """Word-order-free key of a full name: «ЛЕБЕДЕВА АЛЕКСАНДРА ОЛЕГОВНА» in any order gives one key."""
    return " ".join(sorted(k for k in (fold(surname), fold(first_name), fold(patronymic)) if k))


def with_initials(surname, first_name, patronymic):
    """«Е.А.» typed as the first name is two initials: (surname, «Е.», «А.»)."""
    found = initials(first_name) if not (patronymic or "").strip() else None
    if found:
        return surname, found[0], found[1]
    return surname, first_name, patronymic


def split_note(text):
    """(name, note): text in brackets is a remark of the front desk, not part of the name."""
    notes = [n.strip() for n in _BRACKETS_RE.findall(text or "") if n.strip()]
    return _SPACES_RE.sub(" ", _BRACKETS_RE.sub(" ", text or "")).strip(), "; ".join(notes)


def kinship_in(note):
    """(kinship, rest) when a note names a relative («мама Кати» -> ("mother", "Кати")), else None."""
    words = (note or "").split()
    if words and words[0].lower().strip(".,:") in KINSHIP_WORDS:
        return KINSHIP_WORDS[words[0].lower().strip(".,:")], " ".join(words[1:])
    return None


def junk_reason(surname, first_name, patronymic, has_other_data):
    """Why a row's name is not a person's name, or None: "no_letters", "service_note", "test_row", "one_word".

    ``has_other_data``: the row has a birth date, phone or SNILS (one word with those is a
    surname to complete, not junk).
    """
    text = " ".join(p for p in (surname, first_name, patronymic) if p and p.strip())
    if not _LETTER_RE.search(text):
        return "no_letters"
    words = [w.strip(".,;:!?-").lower() for w in re.split(r"[\s,;]+", text) if w.strip(".,;:!?-")]
    if words and all(w in TEST_WORDS for w in words):
        return "test_row"
    if "," in text or any(w in SERVICE_WORDS for w in words):
        return "service_note"
    if len(words) < 2 and not has_other_data:
        return "one_word"
    return None


def full_name(surname, first_name, patronymic):
    """Russian order: surname, first name, patronymic."""
    return " ".join(p for p in (tidy(surname), tidy(first_name), tidy(patronymic)) if p)


def split_full_name(text):
    """Split «Иванов Иван Иванович» (or «Иван Иванович Иванов») into its parts.

    Returns (surname, first name, patronymic); a patronymic is recognised by its
    ending, so a surname typed last is moved first.
    """
    words = [w for w in _SPACES_RE.split(_HYPHENS_RE.sub("-", (text or "").strip())) if w]
    words = [tidy(w) for w in words]
    if len(words) >= 2 and initials(" ".join(words[1:])):
        # «Егоров Е.А.», «Егоров Е. А.»
        first, patronymic = initials(" ".join(words[1:]))
        return words[0], first, patronymic
    if len(words) >= 3 and _PATRONYMIC_RE.search(words[1]) and not _PATRONYMIC_RE.search(words[2]):
        # «Иван Иванович Иванов»
        words = [words[2], words[0], " ".join(words[1:2] + words[3:])]
    elif len(words) > 3:
        # «Мамедов Али Гусейн оглы»: patronymic takes the tail
        words = [words[0], words[1], " ".join(words[2:])]
    words += [""] * (3 - len(words))
    return words[0], words[1], words[2]


def short_name(text):
    """«Петрова Анна Сергеевна» -> «Петрова А. С.», as under a signature; text without parts stays as typed."""
    surname, first_name, patronymic = split_full_name(text)
    initials = " ".join(f"{part[0]}." for part in (first_name, patronymic) if part)
    return f"{surname} {initials}".strip()
