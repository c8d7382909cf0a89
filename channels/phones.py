"""Chinese phone numbers in one form (E.164, +86…), so one caller is one caller whichever
way the number was written (138 1234 5678, +86 138…, 010-6512 3456, 0086…)."""
from __future__ import annotations

import phonenumbers


def normalize_phone(raw: str, region: str = "CN") -> str | None:
    """E.164 form of a valid number, or None when it is not a phone number."""
    text = (raw or "").strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """+8613812345678 → 138****5678 (for people who need to recognise, not to dial)."""
    digits = e164[3:] if e164.startswith("+86") else e164.lstrip("+")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
