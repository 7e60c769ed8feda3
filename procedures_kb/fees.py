"""The fee model: what the catalogue says a procedure costs, and the fee payable on a date.

The portal's fee cell is often not the truth: the note beside it gives the real amount, a
reduced rate for some months, an exemption, or says that the law or the provincial People's
Council sets the amount. `annotate_methods` (called by the importer) reads the cell and the
note of every method into `fees`, `fee_basis` and `fee_flags`; `fees_in_force` works out,
per channel, the fee payable on a date. See docs/fee-model.md.

Reading the notes favours correctness over coverage: an amount is only taken when the
note states it with its currency; a percentage only when its base is stated; a period only
when both ends (or the end) are dated. What cannot be read stays in the note's own words.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from bot import wording
from vntext import fold, normalize

VIETNAM_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
TODAY_VARIABLE = "ASSISTANT_TODAY"
ONLINE = "Trực tuyến"
ONLINE_ONLY = "nộp trực tuyến"
MAX_CONDITION_CHARS = 160
# Cell amounts in đồng below this are the portal's thousands ("900 VNĐ" for 900.000 đồng)
# or a misread cell: no national fee is a few hundred đồng.
PLAUSIBLE_VND = 1000


# --- Today -----------------------------------------------------------------------------------


def today() -> date:
    """Today in Vietnam, or the date in ASSISTANT_TODAY (YYYY-MM-DD) for tests and demos.

    A malformed ASSISTANT_TODAY raises ValueError: silently falling back to the clock would
    make a demo state the wrong fees.
    """
    value = os.environ.get(TODAY_VARIABLE, "").strip()
    if not value:
        return datetime.now(VIETNAM_TZ).date()
    try:
        return parse_date(value)
    except ValueError:
        raise ValueError(f"{TODAY_VARIABLE}={value!r} không phải ngày dạng YYYY-MM-DD") from None


def parse_date(value: str) -> date:
    """A strict YYYY-MM-DD date (ValueError otherwise)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(value)
    return date.fromisoformat(value)


# --- Reading the cell and the note -----------------------------------------------------------

_NUMBER = r"\d{1,3}(?:[.,]\d{3})+|\d+"
_MONEY = re.compile(
    rf"(?<![\d.,/])({_NUMBER})\s*(triệu\s*|nghìn\s*|ngàn\s*)?(đồng|đ|vnđ|vnd|usd)(?![^\W\d_])",
    re.IGNORECASE,
)
_MULTIPLIERS = {"triệu": 1_000_000, "nghìn": 1_000, "ngàn": 1_000}
_CELL = re.compile(rf"({_NUMBER}) ?(Việt Nam Đồng|VNĐ|Đồng|USD)")
_DATE = r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})|(\d{1,2}) tháng (\d{1,2}) năm (\d{4})"
_PERIOD = re.compile(
    rf"(?:kể\s+)?từ\s+(?:ngày\s+)?(?:{_DATE})\s*,?\s*(?:đến|tới)\s+(?:hết\s+)?(?:ngày\s+)?(?:{_DATE})"
    rf"|(?:áp dụng\s+)?đến\s+hết\s+(?:ngày\s+)?(?:{_DATE})",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"Thông tư(?:\s+số)?\s*(\d+/\d{4}/TT-[A-ZĐ]+)", re.IGNORECASE)
# "bằng 50% mức thu nêu trên": a share of the amount stated before it. "... quy định tại
# điểm 1 Biểu phí" names no amount, so it is not read.
_SHARE_OF_BASE = r"bằng\s+(\d+(?:[.,]\d+)?)\s*%\s*mức\s+(?:thu|phí|lệ phí)(?:\s+(?:phí|lệ phí))?\s*"
_SHARE_OF_STATED = re.compile(rf"{_SHARE_OF_BASE}(?:nêu trên|quy định(?!\s+tại))", re.IGNORECASE)
# "Bằng 50% mức thu phí quy định tại Mục VIII …": a share of a base the note does not state.
_SHARE_OF_UNSTATED = re.compile(rf"{_SHARE_OF_BASE}quy định\s+tại", re.IGNORECASE)
_SHARE_OF_AMOUNT = re.compile(
    rf"(\d+(?:[.,]\d+)?)\s*%\s*(?:của|x|×)\s*({_NUMBER})\s*(đồng|usd)", re.IGNORECASE
)
_EXEMPT_PERIOD = re.compile(
    r"miễn(?:\s+(?:lệ\s+)?phí)?\s*(?:\(|,)?\s*(?:kể\s+)?từ\s+ngày", re.IGNORECASE
)
_EXEMPT = re.compile(
    r"\b(?:miễn|không thu)\s+(?:lệ\s+)?phí\b(?!\s*,?\s*lệ phí nhằm)(?!\s*(?:kể\s+)?từ)",
    re.IGNORECASE,
)
_PROVINCIAL = re.compile(
    r"(?:hội đồng nhân dân|hđnd)[^.;]{0,80}?(?:quyết định|quy định)(?!\s+tại)|(?:quyết định|quy định) của (?:hội đồng nhân dân|hđnd)",
    re.IGNORECASE,
)
_REGULATION = re.compile(
    r"luật phí và lệ phí|pháp luật về phí|TT-BTC|theo quy định (?:của|tại) (?:pháp luật|nghị định|thông tư)"
    r"|quy định(?:\s+cụ\s+thể)?\s+tại\s+[^.;]{0,80}?(?:nghị định|thông tư)",
    re.IGNORECASE,
)
# A dated clause that only says which rule sets the fee in that period ("Từ ngày 01/7/2025 đến hết ngày
# 31/12/2026 áp dụng theo quy định tại Thông tư số 64/2025/TT-BTC").
_RULE_FOR_PERIOD = re.compile(r"(?:áp dụng|thực hiện)\s+theo\s+quy\s+định\s+tại", re.IGNORECASE)
# The words before an amount that make it a bound of the amount before it, not a case
# ("(mức thu tối thiểu không dưới 300.000 đồng)", "tối đa thu không quá 200.000 đồng/bản").
_BOUND = re.compile(r"\b(?:toi thieu|toi da|khong duoi|khong qua)\b")
# A sentence about an optional extra ("Phí cấp bản sao … (nếu có yêu cầu) thực hiện theo …").
_OPTIONAL_EXTRA = re.compile(r"\bneu co yeu cau\b")
# An exemption naming online filing ("đăng ký qua mạng điện tử", "nộp hồ sơ trực tuyến").
_ONLINE_FILING = re.compile(r"\b(?:qua mang|truc tuyen|dien tu)\b")
_UNREAD_MONEY = re.compile(r"\d[\d.,]*\s*(?:đồng|đ\b|usd|vnđ)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[-+*•A-ZĐÀ-Ỹ(])|\n|\s(?=[-+•*]\s)")
_CLAUSE_END = re.compile(r";|[()]")
# Label words that only name the fee, not a case ("Lệ phí: 135.000 đồng").
_GENERIC_LABEL_WORDS = {
    "le",
    "phi",
    "muc",
    "thu",
    "ap",
    "dung",
    "nop",
    "la",
    "va",
    "cap",
    "moi",
    "lan",
    "gia",
    "dich",
    "vu",
    "tien",
}
# Words that end a unit ("135.000 đồng/lần đối với …" → "lần"): not part of it.
_WORDS_AFTER_A_UNIT = {
    "trường",
    "đối",
    "kể",
    "theo",
    "đồng",
    "vnđ",
    "áp",
    "từ",
    "và",
    "hoặc",
    "nộp",
    "khi",
    "cho",
    "của",
    "trong",
    "tại",
    "thu",
    "không",
}
_FEE_WORD = re.compile(r"\b(?:phi|le phi)\b")
_PLAIN_EXEMPTIONS = {"mien phi", "mien le phi", "khong thu phi", "khong thu le phi"}
_NO_AMOUNT_BASES = ("provincial", "by_regulation", "unknown")
# A note that is empty or only gives the time limit of one step (folded).
_STEP_TIME_NOTE = re.compile(r"^[-+*•\s]*(?:$|thoi han\b|thoi gian\b)")
_PARENTHESISED_WORDS = re.compile(r"\((?:[^()\d]*?)(?:đồng|USD)\)", re.IGNORECASE)
# A fee cell listing one amount per case, cut by the crawl after its first figure: the cell keeps
# "250,000 VNĐ", the note starts with the rest ("Đồng (Sát hạch thực hành) Phí: 400000 Đồng
# (Sát hạch cấp giấy phép lần đầu)"). Each amount is named by the parenthesis after it.
_CELL_CASE_LIST = re.compile(r"^\W*(?:Đồng|VNĐ|USD)\s*\(\s*-?\s*([^()]+?)\s*\)")
_LISTED_CASE = re.compile(r"Phí:\s*(\d+)\s*(?:Đồng|VNĐ|USD)\s*\(\s*-?\s*([^()]+?)\s*\)")


@dataclass
class _Amount:
    amount: float | None
    currency: str
    unit: str | None = None
    condition: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    source: str = "note"
    reference: str | None = None
    online_only: bool = False
    label: str | None = None
    share: float | None = None  # the percentage of a base the note does not state (amount None)
    origin: str | None = None  # the clause a bare end date dates ("… 320.000đ (áp dụng đến hết …)")

    def entry(self) -> dict[str, Any]:
        condition = ONLINE_ONLY if self.online_only else self.condition
        amount = None if self.amount is None else _whole(self.amount)
        return {
            "amount": amount,
            "currency": self.currency,
            "unit": self.unit,
            "condition": condition,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "source": self.source,
            "reference": self.reference,
            "share": None if self.share is None else _whole(self.share),
        }

    @property
    def dated(self) -> bool:
        return self.valid_from is not None or self.valid_to is not None


def _whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def _number(text: str) -> float:
    return float(re.sub(r"[.,]", "", text))


def _number_with_decimals(text: str) -> float:
    return float(text.replace(",", "."))


def _money_value(match: re.Match[str]) -> tuple[float, str]:
    multiplier = _MULTIPLIERS.get((match.group(2) or "").strip().lower(), 1)
    currency = "USD" if match.group(3).lower() == "usd" else "VND"
    return _number(match.group(1)) * multiplier, currency


def _unit_after(text: str) -> str | None:
    """What one amount pays for: the words after "/" ("đồng/thẻ căn cước" → "thẻ căn cước")."""
    match = re.match(r"\s*/\s*(?:0?1\s+)?((?:[^\W\d_][\w-]*\s*){1,3})", text)
    if not match:
        return None
    unit_words = []
    for word in match.group(1).split():
        if word.lower() in _WORDS_AFTER_A_UNIT:
            break
        unit_words.append(word.lower())
    return " ".join(unit_words) or None


def _iso(groups: tuple[str | None, ...]) -> str | None:
    day, month, year = [g for g in groups if g is not None][:3]
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _period(match: re.Match[str]) -> tuple[str | None, str | None]:
    groups = match.groups()
    if any(groups[:12]):
        return _iso(groups[0:6]), _iso(groups[6:12])
    return None, _iso(groups[12:18])


def cell_amount(method: dict[str, Any]) -> _Amount | None:
    """The fee cell as an amount ("Miễn phí" is 0 đồng), or None when it states none."""
    fee_text = method.get("fee_text") or ""
    if fee_text == "Miễn phí":
        return _Amount(0, "VND", source="cell")
    match = _CELL.fullmatch(fee_text)
    if not match:
        return None
    currency = "USD" if match.group(2) == "USD" else "VND"
    value = float(match.group(1).replace(",", "")) if currency == "USD" else _number(match.group(1))
    return _Amount(value, currency, source="cell")


def _sentences(note: str) -> list[str]:
    text = _PARENTHESISED_WORDS.sub("", note)
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def _clauses(sentence: str) -> list[str]:
    return [part.strip() for part in _CLAUSE_END.split(sentence) if part.strip(" .,:")]


def _label(before: str, keep_start: bool = False) -> str | None:
    """The words naming an amount ("Lệ phí cấp mới", "Thẻ tạm trú có thời hạn không quá 02 năm"):
    the words nearest the amount, or the start of a sentence naming a case (`keep_start`)."""
    label = before.strip(" -+*•:.,").strip()
    label = re.sub(r"^(?:[a-zđ]\)|\d+\.)\s*", "", label).strip()
    if not label:
        return None
    if len(label) > MAX_CONDITION_CHARS and keep_start:
        return label[:MAX_CONDITION_CHARS].rsplit(" ", 1)[0] + "…"
    if len(label) > MAX_CONDITION_CHARS:
        return "…" + label[-MAX_CONDITION_CHARS:].split(" ", 1)[-1]
    return label


def _names_a_case(label: str | None) -> bool:
    """Does a label name a case, rather than only the fee ("Lệ phí", "Mức thu")?"""
    return bool(label) and not set(re.findall(r"\w+", fold(label or ""))) <= _GENERIC_LABEL_WORDS


def _is_online_only(before: str) -> bool:
    folded = fold(before)
    return "truc tuyen" in folded and "truc tiep" not in folded and "buu chinh" not in folded


def _dated_amount(clause: str, period: re.Match[str], base: _Amount | None) -> _Amount | None:
    """The rate a dated clause sets: an amount, a share of the base, or 0 for an exemption."""
    valid_from, valid_to = _period(period)
    if valid_from is None and valid_to is None:  # an impossible date ("31/6/2026"): not guessed
        return None
    reference = _REFERENCE.search(clause)
    common: dict[str, Any] = {
        "valid_from": valid_from,
        "valid_to": valid_to,
        "reference": reference.group(1).upper() if reference else None,
    }
    exempt = _EXEMPT_PERIOD.search(clause)
    if exempt and exempt.end() >= period.start() and exempt.start() <= period.start():
        online = _is_online_only(clause[: exempt.start()])
        return _Amount(0, base.currency if base else "VND", online_only=online, **common)
    share = _SHARE_OF_STATED.search(clause)
    money = list(_MONEY.finditer(clause))
    if share:
        online = _is_online_only(clause[: share.start()])
        if base is None or base.amount is None:
            return _Amount(None, "VND", online_only=online, **common)
        value = base.amount * float(share.group(1).replace(",", ".")) / 100
        return _Amount(value, base.currency, unit=base.unit, online_only=online, **common)
    if not money:
        return None
    # The rate is the amount nearest the period ("áp dụng mức phí 400.000 đồng ... kể từ").
    nearest = min(
        money, key=lambda m: min(abs(m.start() - period.end()), abs(m.end() - period.start()))
    )
    value, currency = _money_value(nearest)
    online = _is_online_only(clause[: min(nearest.start(), period.start())])
    return _Amount(
        value, currency, unit=_unit_after(clause[nearest.end() :]), online_only=online, **common
    )


def _undated_amounts(clause: str, sentence: str) -> list[_Amount]:
    """Amounts stated for the general case or for a named case, with the words naming it."""
    unstated = _SHARE_OF_UNSTATED.search(clause)
    if unstated and not _MONEY.search(clause):
        return [
            _Amount(
                None,
                "VND",
                share=_number_with_decimals(unstated.group(1)),
                label=_label(clause[: unstated.start()]),
            )
        ]
    found: list[_Amount] = []
    taken: list[tuple[int, int]] = []
    for share in _SHARE_OF_AMOUNT.finditer(clause):
        currency = "USD" if share.group(3).lower() == "usd" else "VND"
        value = _number(share.group(2)) * float(share.group(1).replace(",", ".")) / 100
        found.append(_Amount(value, currency, label=_label(clause[: share.start()])))
        taken.append(share.span())
    previous_end = 0
    for money in _MONEY.finditer(clause):
        if any(start <= money.start() < end for start, end in taken):
            continue
        value, currency = _money_value(money)
        before = clause[previous_end : money.start()]
        found.append(
            _Amount(value, currency, unit=_unit_after(clause[money.end() :]), label=_label(before))
        )
        previous_end = money.end()
    if not found and _EXEMPT.search(clause):
        whole = fold(clause).strip(" .-")
        rest_of_sentence = sentence[max(sentence.find(clause), 0) :]
        condition = (
            None if whole in _PLAIN_EXEMPTIONS else _label(rest_of_sentence, keep_start=True)
        )
        found.append(_Amount(0, "VND", condition=condition, label=condition))
    return found


@dataclass
class _NoteReading:
    undated: list[_Amount] = field(default_factory=list)
    dated: list[_Amount] = field(default_factory=list)


def read_note(note: str, base: _Amount | None) -> _NoteReading:
    """Every amount the note states, undated ones first met being the base of later shares."""
    reading = _NoteReading()
    for sentence in _sentences(note):
        previous: list[_Amount] = []
        in_sentence: list[_Amount] = []
        for clause in _clauses(sentence):
            period = _PERIOD.search(clause)
            if not period:
                # a bound bounds the amount before it, even past a " - " the portal put inside it ("đồng/GT - lần")
                previous = _without_bounds(
                    _undated_amounts(clause, sentence), in_sentence or reading.undated
                )
                for amount in previous:
                    amount.origin = clause
                in_sentence += previous
                reading.undated.extend(previous)
                continue
            current_base = next(
                (a for a in reversed(reading.undated) if a.condition is None and a.amount), base
            )
            rest = sentence[max(sentence.find(clause), 0) :]
            dated = (
                _dated_amount(clause, period, current_base)
                or _dated_before(clause, period, previous)
                or _dated_share(rest, period, previous)
                or _dated_rule(clause, rest, period, current_base)
            )
            if dated is not None:
                reading.undated = [a for a in reading.undated if a is not dated]
                reading.dated.append(dated)
            previous = []
    _drop_dated_parts(reading.dated)
    return reading


def _without_bounds(amounts: list[_Amount], earlier: list[_Amount]) -> list[_Amount]:
    """Amounts that bound the one before them ("tối thiểu không dưới 300.000 đồng") become part
    of its condition: they are not cases of their own."""
    kept: list[_Amount] = []
    for amount in amounts:
        before = kept or earlier
        bounded = before[-1] if before else None
        if bounded is None or amount.amount is None or not _BOUND.search(fold(amount.label or "")):
            kept.append(amount)
            continue
        words = re.sub(r"^/\S*\s*,?\s*", "", amount.label or "")
        bound = f"({words} {_amount_text(amount.amount, amount.currency, amount.unit)})"
        bounded.label = f"{bounded.label} {bound}" if bounded.label else bound
    return kept


def _dated_share(rest: str, period: re.Match[str], previous: list[_Amount]) -> _Amount | None:
    """ "Bằng 50% mức thu phí quy định tại … (Kể từ ngày … đến hết ngày …, …)": a period after a
    share of an unstated base dates that share (its amount stays unknown)."""
    shares = [a for a in previous if a.share is not None and a.amount is None]
    if not shares:
        return None
    valid_from, valid_to = _period(period)
    if valid_from is None and valid_to is None:
        return None
    reference = _REFERENCE.search(rest)
    share = shares[-1]
    share.valid_from, share.valid_to = valid_from, valid_to
    share.reference = reference.group(1).upper() if reference else None
    return share


def _dated_rule(
    clause: str, rest: str, period: re.Match[str], base: _Amount | None
) -> _Amount | None:
    """ "Từ ngày 01/7/2025 đến hết ngày 31/12/2026 áp dụng theo quy định tại Thông tư số 64/2025/TT-BTC"
    beside a stated amount: in that period another rule sets the fee, and the note does not say
    how much. An amount-less dated rate (the stated amount is not presented as due then)."""
    if base is None or not base.amount or not _RULE_FOR_PERIOD.search(clause):
        return None
    reference = _REFERENCE.search(rest)
    if reference is None:
        return None
    valid_from, valid_to = _period(period)
    if valid_from is None or valid_to is None:
        return None
    return _Amount(
        None,
        base.currency,
        valid_from=valid_from,
        valid_to=valid_to,
        reference=reference.group(1).upper(),
    )


def _drop_dated_parts(dated: list[_Amount]) -> None:
    """Dated amounts of one period that add up to another of the same period ("Áp dụng mức phí
    2.000.000 đồng … Bao gồm: … 500.000 đồng …; … 1.500.000 đồng …") are its parts, not rates."""
    for whole in list(dated):
        parts = [
            a
            for a in dated
            if a is not whole and (a.valid_from, a.valid_to) == (whole.valid_from, whole.valid_to)
        ]
        amounts = [a.amount for a in parts if a.amount is not None]
        if (
            whole.amount
            and len(parts) >= 2
            and len(amounts) == len(parts)
            and sum(amounts) == whole.amount
        ):
            for part in parts:
                dated.remove(part)


def _dated_before(clause: str, period: re.Match[str], previous: list[_Amount]) -> _Amount | None:
    """ "25.000đ/tem (áp dụng đến hết ngày 31/12/2026 theo Thông tư …)": a bare end date in
    parentheses dates the amount just before it. A full period without an amount ("Từ ngày …
    đến hết ngày … áp dụng theo quy định tại Thông tư …") names no rate and dates nothing."""
    valid_from, valid_to = _period(period)
    if valid_from is not None or valid_to is None or not previous or not previous[-1].amount:
        return None
    amount = previous[-1]
    reference = _REFERENCE.search(clause)
    amount.valid_to = valid_to
    amount.reference = reference.group(1).upper() if reference else None
    return amount


# --- One method: fees, basis, flags ---------------------------------------------------------


def _same(left: _Amount, right: _Amount) -> bool:
    return left.currency == right.currency and left.amount == right.amount


def _read_method(
    method: dict[str, Any], elsewhere: list[_Amount]
) -> tuple[list[_Amount], str, list[str]]:
    """The amounts, basis and flags of one row. `elsewhere`: the undated amounts the notes of the
    record's other rows state (they may confirm a cell in thousands, and nothing else)."""
    cell = cell_amount(method)
    note = method.get("note") or ""
    stated = [a for a in read_note(note, None).undated if a.amount]
    flags: list[str] = []
    general = _general_from_cell(cell, note, stated, elsewhere, flags)
    reading = read_note(note, general)
    cell_case = _cell_case(note, general)
    if (
        cell_case is not None and general is not None
    ):  # the cell is one case of a list of amounts per case
        reading.undated.insert(0, replace(general, condition=cell_case))
        general = None
        _name_listed_cases(note, reading.undated)
    if "cell_implausible" in flags and cell is not None and cell.amount is not None:
        _drop_inconsistent_rates(reading.dated, cell.amount * 1000)
    unstated = [
        a for a in reading.undated if a.amount is None
    ]  # shares of a base the note does not state
    undated = [
        a
        for a in reading.undated
        if a.amount is not None and (general is None or not (_same(a, general) or a is general))
    ]
    if (
        general is None
        and cell is not None
        and cell.amount == 0
        and (any(a.amount for a in undated) or any(a.amount for a in reading.dated))
    ):
        flags.append("cell_free_note_amount")
    general = (
        general
        or _online_exemption(undated, method["channel"])
        or _general_from_note(undated, None if flags else cell)
    )
    note_exempts = (
        general is not None
        and general.amount == 0
        and general.source == "note"
        and not general.dated
    )
    if note_exempts and cell is not None and cell.amount == 0:
        general = cell  # the note confirms the cell's "Miễn phí"
    if general is not None:
        undated = [a for a in undated if a is not general and not _same(a, general)]
        general.condition = None
    if (
        general is not None
        and general.amount
        and sum(a.amount or 0 for a in undated) == general.amount
    ):
        undated = []  # the parts the general amount is made of ("gồm 3.000.000 đồng …; 1.500.000 đồng …")
    if general is cell and cell is not None:
        _date_a_cell_stated_only_in_a_dated_clause(cell, reading.dated)
    for amount in undated:
        amount.condition = amount.condition or amount.label or "trường hợp khác"
    fees = ([general] if general else []) + undated + unstated + reading.dated
    basis = _basis(fees, cell, note, flags, note_exempts)
    if basis in _NO_AMOUNT_BASES:  # the cell's "Miễn phí" is not what the note says
        fees = [amount for amount in fees if amount.source != "cell" or amount.amount]
    return fees, basis, flags


def _general_from_cell(
    cell: _Amount | None,
    note: str,
    stated: list[_Amount],
    elsewhere: list[_Amount],
    flags: list[str],
) -> _Amount | None:
    """The general amount the cell gives, as the notes confirm or correct it (flags are added)."""
    if cell is None or not cell.amount:
        return None
    matching = next((a for a in stated if _same(a, cell)), None)
    if matching:
        return _Amount(
            cell.amount, cell.currency, unit=matching.unit, source="cell", label=matching.label
        )
    in_usd = next(
        (a for a in stated if a.currency == "USD" != cell.currency and a.amount == cell.amount),
        None,
    )
    if cell.currency == "VND" and cell.amount < PLAUSIBLE_VND:
        # "20 VNĐ": only a note of this row, or of another row of the record, stating "20.000 đồng" confirms it.
        thousands = next(
            (
                a
                for a in stated + elsewhere
                if a.currency == "VND" and a.amount == cell.amount * 1000
            ),
            None,
        )
        if thousands:
            flags.append("cell_in_thousands")
            general = replace(
                thousands, condition=None, valid_from=None, valid_to=None, reference=None
            )
            general.unit = general.unit or _unit_after(note)
            return general
        if not in_usd:
            flags.append("cell_implausible")
            return None
    if in_usd:
        flags.append("cell_currency")
        in_usd.unit = in_usd.unit or _unit_after(note)
        return in_usd
    cell.unit = _unit_after(note) or _unit_after(re.sub(r"^\s*(?:đồng|VNĐ)", "", note))
    return cell


def _cell_case(note: str, general: _Amount | None) -> str | None:
    """The case the cell's amount is for, when the note goes on with a list of amounts per case."""
    listed = _CELL_CASE_LIST.match(note)
    if general is None or general.source != "cell" or not general.amount or not listed:
        return None
    case = listed.group(1)
    if not _names_a_case(case) or _PERIOD.search(case) or "mien" in fold(case):
        return None  # "Đồng (Miễn phí từ ngày 07/4/2026 …)" dates the cell; it names no case
    return case


def _name_listed_cases(note: str, undated: list[_Amount]) -> None:
    """ "Phí: 400000 Đồng (Sát hạch bổ sung năng định)": the amount's case is the parenthesis after it."""
    for listed in _LISTED_CASE.finditer(note):
        for amount in undated:
            if amount.amount == float(listed.group(1)) and not _names_a_case(amount.label):
                amount.label = listed.group(2)


def _online_exemption(undated: list[_Amount], channel: str) -> _Amount | None:
    """On the online channel, an exemption for filing online ("… đăng ký hoạt động qua mạng điện tử
    được miễn lệ phí") is the channel's own general case."""
    if channel != ONLINE:
        return None
    return next(
        (a for a in undated if a.amount == 0 and _ONLINE_FILING.search(fold(a.condition or ""))),
        None,
    )


def _date_a_cell_stated_only_in_a_dated_clause(cell: _Amount, dated: list[_Amount]) -> None:
    """ "+ 160.000/hộ chiếu, trường hợp cấp lại …: 320.000đ/hộ chiếu (áp dụng đến hết ngày 31/12/2023 …)"
    beside the cell "160,000": the cell is a rate of that period, not the regular rate, so it
    ends with it (an expired rate is never presented as current)."""
    if cell.amount is None:
        return
    figure = re.compile(rf"(?<![\d.,]){_thousands_pattern(cell.amount)}(?![.,]?\d)")
    source = next(
        (a for a in dated if a.amount is not None and a.origin and figure.search(a.origin)), None
    )
    if source is not None:
        cell.valid_from, cell.valid_to, cell.reference = (
            source.valid_from,
            source.valid_to,
            source.reference,
        )


def _thousands_pattern(amount: float) -> str:
    """A whole amount as the catalogue writes it: "160.000", "160,000" or "160000"."""
    grouped = f"{int(amount):,}"
    return grouped.replace(",", "[.,]?") if float(amount).is_integer() else re.escape(str(amount))


def _drop_inconsistent_rates(dated: list[_Amount], thousands: float) -> None:
    """Beside a cell in thousands the note does not confirm ("25 VNĐ"), a dated rate is only
    believed when it reads as a reduction of that cell ×1000 (20–100 %): "25.000.000đ" beside
    "25 VNĐ" is a typo of one of them, and which one cannot be told."""
    for amount in dated:
        if amount.amount and not 0.2 * thousands <= amount.amount <= thousands:
            amount.amount = None


def _general_from_note(undated: list[_Amount], cell: _Amount | None) -> _Amount | None:
    """The note's general amount: its only amount (or its only unnamed one), else the cell's
    "Miễn phí" when nothing contradicts it."""
    if len({(a.amount, a.currency) for a in undated}) == 1 and undated[0].amount:
        return undated[0]
    unnamed = [a for a in undated if not _names_a_case(a.label) and a.condition is None]
    if len({(a.amount, a.currency) for a in unnamed}) == 1:
        return unnamed[0]
    if cell is not None and cell.amount == 0 and not any(a.amount for a in undated):
        return cell
    return None


def _basis(
    fees: list[_Amount], cell: _Amount | None, note: str, flags: list[str], note_exempts: bool
) -> str:
    if any(
        a.amount is None and not a.dated for a in fees
    ):  # "bằng 50% mức thu quy định tại …", undated
        return "unknown"
    if any(a.amount for a in fees):
        return "fixed"
    if (
        "cell_implausible" in flags
    ):  # "20 VNĐ" that no note confirms: not a figure, whatever the note cites
        return "unknown"
    if _UNREAD_MONEY.search(note):  # an amount written in a way not read ("10.000.0000 đồng")
        return "unknown"
    if _PROVINCIAL.search(note):
        return "provincial"
    if _cites_fee_rule(note) and not note_exempts:
        return "by_regulation"
    if cell is not None and cell.amount == 0 or note_exempts:
        return "free"
    return "unknown"


def _cites_fee_rule(note: str) -> bool:
    """Does a sentence of the note cite a law or circular for the fee ("Luật phí và lệ phí")?
    A sentence about an optional extra ("Phí cấp bản sao … (nếu có yêu cầu) …") does not count."""
    return any(
        _REGULATION.search(s)
        and re.search(r"\b(?:phi|muc thu|gia dich vu)\b", fold(s))
        and not _OPTIONAL_EXTRA.search(fold(s))
        for s in _sentences(note)
    )


def annotate_methods(methods: list[dict[str, Any]]) -> None:
    """Add `fees`, `fee_basis` and `fee_flags` to every method of one record, in place.

    When a channel has several rows with different amounts (one per case, e.g. per card
    duration), each row's general amount becomes a case of that channel, named by the row's
    own words.
    """
    stated = [
        [a for a in read_note(method.get("note") or "", None).undated if a.amount]
        for method in methods
    ]
    readings = [
        _read_method(method, [a for j, amounts in enumerate(stated) if j != i for a in amounts])
        for i, method in enumerate(methods)
    ]
    charged = [any(a.amount for a in fees if _is_general(a)) for fees, _, _ in readings]
    readings = [
        _contradicted_free_cell(method, reading) if any(charged[:i] + charged[i + 1 :]) else reading
        for i, (method, reading) in enumerate(zip(methods, readings, strict=False))
    ]
    generals: dict[str, set[tuple[float | None, str]]] = {}
    for method, (fees, basis, _) in zip(methods, readings, strict=False):
        if _states_no_fee(method, fees, basis):
            continue  # a row for another step ("Thời hạn Cảng vụ …", fee "Không có thông tin") names no case
        row_general = {(a.amount, a.currency) for a in fees if _is_general(a)} or {(None, "")}
        generals.setdefault(method["channel"], set()).update(row_general)
    for method, (fees, basis, flags) in zip(methods, readings, strict=False):
        if len(generals.get(method["channel"], set())) > 1:
            for amount in filter(_is_general, fees):
                amount.condition = _row_case(method, amount)
        method["fees"] = [amount.entry() for amount in fees]
        method["fee_basis"] = basis
        method["fee_flags"] = flags


def _states_no_fee(method: dict[str, Any], fees: list[_Amount], basis: str) -> bool:
    """A row that gives no fee and names no case: its cell states none and its note is empty or
    only gives the time of a step ("- Thời hạn Cảng vụ Hàng hải …: Trong thời hạn 05 ngày …")."""
    note = fold(method.get("note") or "")
    return (
        not fees
        and basis == "unknown"
        and cell_amount(method) is None
        and bool(_STEP_TIME_NOTE.match(note))
    )


def _contradicted_free_cell(
    method: dict[str, Any], reading: tuple[list[_Amount], str, list[str]]
) -> tuple[list[_Amount], str, list[str]]:
    """A "Miễn phí" cell whose note speaks of a fee without exempting it ("Phí, lệ phí", "Trả
    phí cho đơn vị cung cấp dịch vụ") while another channel of the record charges one: the
    catalogue contradicts itself, so the cell is not repeated as "miễn phí" (basis unknown)."""
    fees, basis, flags = reading
    note = fold(method.get("note") or "")
    if basis != "free" or "mien" in note or not _FEE_WORD.search(note):
        return reading
    return (
        [a for a in fees if a.source != "cell"],
        "unknown",
        [*flags, "cell_free_other_channel_charges"],
    )


def _is_general(amount: _Amount) -> bool:
    return (
        amount.condition is None
        and not amount.online_only
        and not amount.dated
        and amount.amount is not None
    )


def _row_case(method: dict[str, Any], amount: _Amount) -> str:
    if amount.label and _names_a_case(amount.label):
        return amount.label
    first = _sentences(method.get("note") or "")
    return (
        _label(first[0], keep_start=True) if first else None
    ) or f"mức {method['fee_text'] or 'khác'}"


# --- The fee in force on a date --------------------------------------------------------------


@dataclass(frozen=True)
class FeeInForce:
    channel: str
    amount: float | None
    currency: str
    basis: str
    valid_until: date | None
    text: str
    cases: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["valid_until"] = self.valid_until.isoformat() if self.valid_until else None
        return data


def format_amount(amount: float, currency: str) -> str:
    if currency == "USD":
        return f"{_whole(amount)} USD".replace(".", ",")
    return f"{int(round(amount)):,}".replace(",", ".") + " đồng"


def _in_force(entry: dict[str, Any], on: date) -> bool:
    starts = entry["valid_from"] is None or date.fromisoformat(entry["valid_from"]) <= on
    ends = entry["valid_to"] is None or on <= date.fromisoformat(entry["valid_to"])
    return starts and ends


def _applies_to(entry: dict[str, Any], channel: str) -> bool:
    return entry["condition"] is None or (entry["condition"] == ONLINE_ONLY and channel == ONLINE)


def fees_in_force(record: Mapping[str, Any], on: date) -> list[FeeInForce]:
    """Per channel, in the record's channel order, the general-case fee payable on `on`."""
    channels = list(dict.fromkeys(method["channel"] for method in record["methods"]))
    return [
        _channel_fee(channel, [m for m in record["methods"] if m["channel"] == channel], on)
        for channel in channels
    ]


def _channel_fee(channel: str, rows: list[dict[str, Any]], on: date) -> FeeInForce:
    entries = [entry for row in rows for entry in row.get("fees", [])]
    current = [e for e in entries if _in_force(e, on)]
    regular = next(
        (
            e
            for e in current
            if _applies_to(e, channel) and e["valid_to"] is None and e["valid_from"] is None
        ),
        None,
    )
    dated = [e for e in current if _applies_to(e, channel) and (e["valid_to"] or e["valid_from"])]
    cases = [
        dict(case)
        for case in dict.fromkeys(
            (
                ("condition", e["condition"]),
                ("amount", e["amount"]),
                ("currency", e["currency"]),
                ("unit", e["unit"]),
            )
            for e in current
            if not _applies_to(e, channel)
            and e["condition"] != ONLINE_ONLY
            and e["amount"] is not None
        )
    ]
    note = next((row["note"] for row in rows if row.get("note")), None)
    unstated_share = next(
        (e for e in current if _applies_to(e, channel) and e["amount"] is None and e.get("share")),
        None,
    )
    if unstated_share is not None and not (
        unstated_share["valid_from"] or unstated_share["valid_to"]
    ):
        return _share_fee(channel, unstated_share, cases, note)
    if dated:
        return _dated_fee(channel, dated, regular, cases, note)
    if regular is not None and regular["amount"] is not None:
        basis = "catalogue" if regular["source"] == "cell" else "note"
        text = _amount_text(regular["amount"], regular["currency"])
        return FeeInForce(
            channel,
            regular["amount"],
            regular["currency"],
            basis,
            None,
            _with_cases(text, cases),
            cases,
        )
    bases = [row.get("fee_basis") for row in rows]
    row_basis = next((b for b in bases if b in _NO_AMOUNT_BASES), "unknown")
    basis = "note" if cases else row_basis  # amounts per case are what the catalogue states
    return FeeInForce(
        channel, None, "VND", basis, None, _no_amount_text(row_basis, cases, note, rows), cases
    )


def _share_fee(channel: str, share: dict, cases: list[dict], note: str | None) -> FeeInForce:
    """A fee stated only as a share of a base the catalogue does not give: amount unknown."""
    text = _with_cases(_share_text(share, note), cases)
    return FeeInForce(channel, None, "VND", "unknown", None, text, cases)


def _dated_fee(
    channel: str, dated: list[dict], regular: dict | None, cases: list[dict], note: str | None
) -> FeeInForce:
    known = [e for e in dated if e["amount"] is not None]
    if not known:
        share = next((e for e in dated if e.get("share")), None)
        if share is not None:
            return _share_fee(channel, share, cases, note)
        rule = dated[0]
        text = wording.FEE_DATED_NO_AMOUNT.format(
            start=_day(rule["valid_from"]),
            end=_day(rule["valid_to"]),
            reference=rule["reference"],
            note=_quote(note),
        )
        return FeeInForce(
            channel, None, "VND", "by_regulation", None, _with_cases(text, cases), cases
        )
    lowest = min(known, key=lambda e: e["amount"])
    valid_until = date.fromisoformat(lowest["valid_to"]) if lowest["valid_to"] else None
    basis = "exempt" if lowest["amount"] == 0 else "reduced"
    text = _amount_text(lowest["amount"], lowest["currency"])
    details = []
    if basis == "reduced" and regular and regular["amount"]:
        share = 100 - lowest["amount"] * 100 / regular["amount"]
        if 0 < share < 100 and float(share).is_integer():
            details.append(wording.FEE_REDUCED_BY.format(share=int(share)))
    if valid_until:
        details.append(wording.FEE_UNTIL.format(day=_day(lowest["valid_to"])))
    if lowest["reference"]:
        details.append(wording.FEE_CIRCULAR.format(reference=lowest["reference"]))
    detail = " ".join(details)
    if regular and regular["amount"] is not None:
        regular_amount = _amount_text(regular["amount"], regular["currency"])
        detail += wording.FEE_REGULAR.format(amount=regular_amount)
    text = f"{text} ({detail.strip('; ')})" if detail else text
    return FeeInForce(
        channel,
        lowest["amount"],
        lowest["currency"],
        basis,
        valid_until,
        _with_cases(text, cases),
        cases,
    )


def _day(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else "…"


def _share_text(entry: dict[str, Any], note: str | None) -> str:
    """A share of a base the catalogue does not state: its words, not a guessed amount."""
    period = ""
    if entry["valid_to"]:
        period = " " + wording.FEE_UNTIL.format(day=_day(entry["valid_to"]))
    note_text = _quote(note)
    return wording.FEE_SHARE_NO_AMOUNT.format(share=entry["share"], period=period, note=note_text)


def _amount_text(amount: float, currency: str, unit: str | None = None) -> str:
    if amount == 0:
        return wording.FREE
    return format_amount(amount, currency) + (f"/{unit}" if unit else "")


def _with_cases(text: str, cases: list[dict]) -> str:
    if not cases:
        return text
    return wording.FEE_OTHER_CASES.format(fee=text, cases=_cases_text(cases))


def _cases_text(cases: list[dict]) -> str:
    return "; ".join(
        f"{case['condition']}: {_amount_text(case['amount'], case['currency'], case['unit'])}"
        for case in cases
    )


def _quote(note: str | None, limit: int = 300) -> str:
    text = normalize(note or "")
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _no_amount_text(basis: str, cases: list[dict], note: str | None, rows: list[dict]) -> str:
    if basis == "provincial":
        return _with_cases(wording.FEE_PROVINCIAL.format(note=_quote(note)), cases)
    if basis == "by_regulation":
        return _with_cases(wording.FEE_BY_REGULATION.format(note=_quote(note)), cases)
    if cases:
        return wording.FEE_BY_CASE.format(cases=_cases_text(cases))
    cell = next((row["fee_text"] for row in rows if row.get("fee_text")), "")
    noted = wording.FEE_NOTE.format(note=_quote(note)) if note else ""
    if any("cell_implausible" in (row.get("fee_flags") or []) for row in rows):
        return wording.FEE_IMPLAUSIBLE.format(cell=cell) + noted
    if any("cell_free_other_channel_charges" in (row.get("fee_flags") or []) for row in rows):
        return wording.FEE_FREE_BUT_OTHERS_CHARGE.format(cell=cell) + noted
    if cell:
        return wording.FEE_UNREADABLE.format(cell=cell) + noted
    if note and any(row.get("fees") for row in rows):
        return wording.FEE_NOT_IN_FORCE.format(note=_quote(note))
    return wording.FEE_NONE
