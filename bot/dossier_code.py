"""The dossier code (mã hồ sơ) printed on the receipt: <agency code>-<yymmdd>-<serial>.

The agency code has the national agency-identifier shape (000.00.12.H25), the serial four to
six digits: 000.00.12.H25-250103-0042. This is the one definition: the NLU regex in
`nlu_data/nlu.yml` must equal `NLU_REGEX` (a test checks it), and the tokenizer, the actions,
the channels and the database all use the pattern or the functions below.
"""

from __future__ import annotations

import re
import unicodedata

DOSSIER_CODE = r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4,6}"
NLU_REGEX = rf"\b{DOSSIER_CODE}\b"  # `regex: dossier_code` in nlu_data/nlu.yml
EXAMPLE_CODE = "000.00.12.H25-250103-0042"

_SHAPE = re.compile(DOSSIER_CODE)
_IN_TEXT = re.compile(rf"(?<![\w.]){DOSSIER_CODE}(?!\d)", re.IGNORECASE)
_SEPARATOR_SPACES = re.compile(r"\s*([.\-])\s*")


def normalize_dossier_code(code: str) -> str:
    """Upper-case, without any whitespace: " 000.00.12.h25-250103-0042 " → "000.00.12.H25-250103-0042"."""
    return "".join(unicodedata.normalize("NFKC", code).split()).upper()


def is_dossier_code(code: str) -> bool:
    """Whether a normalised code has the national shape."""
    return bool(_SHAPE.fullmatch(code))


def find_dossier_code(text: str) -> str | None:
    """The dossier code in a message, normalised, or None; spaces typed around its dots
    and dashes ("000.00.12.H25 - 250103 - 0042") are tolerated."""
    match = _IN_TEXT.search(_SEPARATOR_SPACES.sub(r"\1", text or ""))
    return normalize_dossier_code(match.group(0)) if match else None
