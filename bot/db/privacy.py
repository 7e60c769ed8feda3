"""Personal data handling: what of a phone or identity number may be kept, and name masking.

A full phone or identity number is never stored nor logged: only its last 4 digits (what a
citizen is asked for to prove a dossier is theirs) and a salted SHA-256 of the normalised
number (to match a number given later without keeping it). The salt comes from
`ASSISTANT_HASH_SALT` (`bot.settings`); set a secret one in production, since 10-digit phone
numbers are few enough to be brute-forced from an unsalted hash (production processes refuse
to start with the development salt).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import NamedTuple

from bot.settings import get_settings

_NOT_DIGIT = re.compile(r"\D")


def _salt() -> bytes:
    return get_settings().hash_salt.encode()


def only_digits(text: str) -> str:
    return _NOT_DIGIT.sub("", text)


def normalize_phone(phone: str) -> str:
    """Digits only, with the international prefix 84 turned into the national 0."""
    digits = only_digits(phone)
    if digits.startswith("84") and len(digits) == 11:
        return "0" + digits[2:]
    return digits


def salted_hash(value: str) -> str:
    """Hex SHA-256 of the salt and `value`."""
    return hashlib.sha256(_salt() + b"\x00" + value.encode()).hexdigest()


class Identifier(NamedTuple):
    """What is kept of a phone or identity number."""

    last4: str
    hash: str


def protect_phone(phone: str) -> Identifier:
    digits = normalize_phone(phone)
    return Identifier(digits[-4:], salted_hash(digits))


def protect_id_number(id_number: str | None) -> Identifier | None:
    if not id_number:
        return None
    digits = only_digits(id_number)
    return Identifier(digits[-4:], salted_hash(digits))


def mask_name(full_name: str) -> str:
    """Family name kept, every other name reduced to its initial: "Nguyễn Văn An" → "Nguyễn V. A."."""
    parts = unicodedata.normalize("NFC", full_name).split()
    if not parts:
        return ""
    initials = [part[0].upper() + "." for part in parts[1:]]
    if not initials:  # a single name is the given name: mask it too
        return parts[0][0].upper() + "."
    return " ".join([parts[0], *initials])
