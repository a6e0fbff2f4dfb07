"""Russian full names: split, tidy and fold for matching."""

import re

# Latin letters that look like Cyrillic ones, typed by mistake in Russian names.
_HOMOGLYPHS = str.maketrans("aeopcxykmthbAEOPCXYKMTHB", "аеорсхукмтнвАЕОРСХУКМТНВ")
_CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
_HYPHENS_RE = re.compile(r"\s*[-‐‑‒–—]\s*")
_SPACES_RE = re.compile(r"\s+")
_PATRONYMIC_RE = re.compile(r"(вич|вна|ична|инична|оглы|кызы|улы|гызы)$", re.IGNORECASE)


def tidy(part):
    """Collapse spaces and hyphens, capitalise each piece: «иванова- петрова» -> «Иванова-Петрова».

    Latin look-alike letters inside a Cyrillic name («Pодионова») become Cyrillic.
    """
    text = _SPACES_RE.sub(" ", _HYPHENS_RE.sub("-", (part or "").strip()))
    if _CYRILLIC_RE.search(text):
        text = text.translate(_HOMOGLYPHS)
    return "-".join(" ".join(w[:1].upper() + w[1:].lower() for w in piece.split(" ")) for piece in text.split("-"))


def fold(part):
    """Matching key of one name part: case, ё/е, Latin homoglyphs, spaces and hyphens folded."""
    text = (part or "").lower().replace("ё", "е").translate(_HOMOGLYPHS)
    return re.sub(r"[\s\-‐‑‒–—.]+", "", text)


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
