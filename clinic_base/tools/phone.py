"""Phone numbers as Russian clinics receive them: E.164 storage, Russian display.

A phone is a contact, never an identity key: a parent's mobile serves several children.
"""

import re

import phonenumbers

DEFAULT_REGION = "RU"

# "доб. 12", "доб12", "(доб. 12)", "вн. 12", "ext 12", "x12", "#12"
_EXT_MARK = r"(?:доб(?:авочный)?\.?|вн(?:утр(?:енний)?)?\.?|ext\.?|x|#)"
_EXT_RE = re.compile(r"(?:\s*[,;]?\s*)\(?\s*" + _EXT_MARK + r"\s*(\d{1,6})\s*\)?\s*$", re.IGNORECASE)
_EXT_START_RE = re.compile(r"^\(?\s*" + _EXT_MARK + r"\s*\d", re.IGNORECASE)
# Words people type around a number: «моб.», «тел.», «мама», «раб.»; dropped before parsing.
_NOTE_RE = re.compile(r"^[^\d+(]*|[^\d)]*$")
# Separators between several numbers typed into one cell.
_SPLIT_RE = re.compile(r"\s*(?:[;,/\\|\n]|\s{3,}|\s+или\s+|\s+и\s+)\s*", re.IGNORECASE)
_DIGIT_RE = re.compile(r"\d")

KIND_BY_TYPE = {
    phonenumbers.PhoneNumberType.MOBILE: "mobile",
    phonenumbers.PhoneNumberType.FIXED_LINE: "home",
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "mobile",
    phonenumbers.PhoneNumberType.TOLL_FREE: "work",
}


class PhoneError(ValueError):
    """Input that is not a phone number; the message quotes the input."""


def split_extension(raw):
    """Return (number part, extension or '') for one typed number."""
    text = (raw or "").strip()
    match = _EXT_RE.search(text)
    if not match:
        # «+7 960 280-20-43 мама»: a note after the number is not part of it.
        text = _NOTE_RE.sub("", text) if _DIGIT_RE.search(text) else text
        match = _EXT_RE.search(text)
    if match and len(_DIGIT_RE.findall(text[: match.start()])) >= 7:
        return text[: match.start()].strip(), match.group(1)
    return text, ""


def normalize(raw, region=DEFAULT_REGION):
    """Parse one typed phone number.

    Returns a dict with ``e164``, ``extension``, ``kind`` (mobile/home/work)
    and ``country`` (ISO code); raises PhoneError quoting the input otherwise.
    """
    number_part, extension = split_extension(raw)
    digits = "".join(_DIGIT_RE.findall(number_part))
    if not digits:
        raise PhoneError(f"«{raw}» is not a phone number")
    candidate = number_part
    # Russian habits: 8 as trunk prefix, or ten digits without any prefix.
    if not number_part.lstrip().startswith("+"):
        if len(digits) == 11 and digits[0] in "78":
            candidate = "+7" + digits[1:]
        elif len(digits) == 10 and digits[0] in "3489":
            candidate = "+7" + digits
    try:
        parsed = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(f"«{raw}» is not a phone number") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneError(f"«{raw}» is not a valid phone number")
    number_type = phonenumbers.number_type(parsed)
    return {
        "e164": phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        "extension": extension,
        "kind": KIND_BY_TYPE.get(number_type, "home"),
        "country": phonenumbers.region_code_for_number(parsed) or "",
    }


def split_numbers(raw):
    """Several numbers typed in one field: return the pieces that hold digits.

    An extension typed after a comma («…34-34, доб 516») stays with its number,
    and two numbers separated only by a few spaces are told apart by their length.
    """
    pieces = []
    for piece in _SPLIT_RE.split(raw or ""):
        if not _DIGIT_RE.search(piece or ""):
            continue
        if pieces and _EXT_START_RE.search(piece.strip()):
            pieces[-1] = f"{pieces[-1]} {piece.strip()}"
            continue
        words = re.split(r"\s{2,}", piece.strip())
        if len(words) > 1 and all(len(_DIGIT_RE.findall(w)) >= 10 for w in words):
            pieces.extend(words)
        else:
            pieces.append(piece)
    return pieces


def format_ru(e164, extension=""):
    """Russian display: ``+7 (912) 345-67-89 доб. 12``; other countries as international."""
    if not e164:
        return ""
    if e164.startswith("+7") and len(e164) == 12:
        d = e164[2:]
        text = f"+7 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}"
    else:
        try:
            parsed = phonenumbers.parse(e164, None)
            text = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        except phonenumbers.NumberParseException:
            text = e164
    return f"{text} доб. {extension}" if extension else text
