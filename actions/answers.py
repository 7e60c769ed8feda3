"""Phone-sized Vietnamese answers built only from a knowledge-base record (their sentences are
templates of `bot.wording`; this module lays them out).

Every answer opens with the asked fact in one short sentence, then the details, then the
short procedure name with its code and the portal link, once, at the end. Where the
catalogue says nothing, the answer says so and where to ask, instead of guessing. Nothing
is cut mid-sentence: a long answer is several messages (≤ MAX_MESSAGE_CHARS) split between
items or sentences, and what does not fit is counted and left to the link or a button.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import groupby

from actions.cases import case_label, case_title
from actions.settings import hotline
from bot import wording
from procedures_kb.documents import RowKind, display_name, row_kind, without_bullets
from procedures_kb.fees import ONLINE, FeeInForce, fees_in_force, today
from procedures_kb.format import document_count, time_and_fee, time_phrase, where_to_file
from procedures_kb.short_names import short_name
from procedures_kb.store import Document, Record
from vntext import fold, normalize, words

MAX_LIST_ITEMS = 8
MAX_NOTES = 3
MAX_MESSAGE_CHARS = 900  # one phone screen or so; a single longer item gets a message of its own
MAX_LIST_CHARS = 2700  # the items of one answer, about three messages; the rest is left to the link
MAX_SHORT_VALUE_CHARS = 60  # a fee or time this short is followed by its channels in one sentence
MAX_ONLY_IF_NEEDED_CHARS = 300  # "Chỉ khi cần: …" fits one line, else it goes behind a button
Button = dict[str, str]


@dataclass
class Answer:
    """The messages of one answer, sent in order; the buttons go with the last one."""

    messages: list[str]
    buttons: list[Button] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.messages)


# --- buttons ---------------------------------------------------------------------------------


def payload(intent: str, **entities: str) -> str:
    body = ", ".join(f'"{key}": "{value}"' for key, value in entities.items())
    return f"/{intent}{{{body}}}"


def button(title: str, intent: str, record: Record, **entities: str) -> Button:
    return {"title": title, "payload": payload(intent, procedure=record["code"], **entities)}


FEE_BUTTON = (wording.FEE_BUTTON, "ask_fee")
WHERE_BUTTON = (wording.WHERE_BUTTON, "ask_agency")
PAPERS_BUTTON = (wording.PAPERS_BUTTON, "ask_documents")
STEPS_BUTTON = (wording.STEPS_BUTTON, "ask_steps")


def next_buttons(record: Record, *wanted: tuple[str, str]) -> list[Button]:
    """Buttons to ask next, plus the full official name when the answer shows a shorter one."""
    buttons = [button(title, intent, record) for title, intent in wanted]
    if short_name(record) != record["name"]:
        buttons.append(button(wording.FULL_NAME_BUTTON, "ask_procedure", record, detail="name"))
    return buttons


# --- layout ----------------------------------------------------------------------------------


def footer(record: Record) -> str:
    """The short name, the code and the one link: the last lines of every answer."""
    return wording.FOOTER.format(
        name=short_name(record), code=record["code"], url=record["source_url"]
    )


def messages(blocks: Sequence[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """The blocks joined into messages of at most `limit` characters, split between blocks; a
    block longer than that (a long portal note) between its sentences, and only a sentence
    longer than a whole message at a word."""
    joined: list[str] = []
    for piece in (piece for block in blocks for piece in _fitting_pieces(block, limit)):
        if joined and len(joined[-1]) + 1 + len(piece) <= limit:
            joined[-1] += "\n" + piece
        else:
            joined.append(piece)
    return joined


def _fitting_pieces(block: str, limit: int) -> list[str]:
    if len(block) <= limit:
        return [block]
    pieces = []
    for sentence in sentences(block):
        while len(sentence) > limit:
            cut = sentence[:limit].rsplit(" ", 1)[0]
            pieces.append(cut)
            sentence = sentence[len(cut) :].strip()
        pieces.append(sentence)
    return pieces


def answer(record: Record, blocks: Sequence[str], buttons: Sequence[Button] = ()) -> Answer:
    return Answer(messages([*blocks, footer(record)]), list(buttons))


_SENTENCE_END = re.compile(r"(?<=[^\d\s][.;!?])\s+|\s+(?=[-+•]\s)")


def sentences(text: str) -> list[str]:
    """A long text in whole sentences (or list items), for splitting into messages by meaning.

    A piece that does not open a sentence (lower case, a number, "(1 bản chính)") stays with
    the one before it."""
    pieces: list[str] = []
    for part in (part.strip() for part in _SENTENCE_END.split(text)):
        if pieces and part and not (part[0].isupper() or part[0] in "-+•"):
            pieces[-1] += " " + part
        elif part:
            pieces.append(part)
    return pieces


def left_for_the_link(counts: Sequence[tuple[int, str]]) -> list[str]:
    """The line counting what the answer leaves out ("Còn 4 giấy tờ và 2 ghi chú khác …"), if anything."""
    named = [f"{count} {noun}" for count, noun in counts if count]
    return [wording.LEFT_FOR_THE_LINK.format(counts=wording.AND.join(named))] if named else []


def channel_words(channels: Sequence[str]) -> str:
    said = [wording.CHANNEL_WORDS.get(channel, channel.lower()) for channel in channels]
    return ", ".join(said[:-1]) + wording.OR + said[-1] if len(said) > 1 else said[0]


def _by_value(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """(value, channels) with the channels sharing a value together, in the record's channel order."""
    merged: dict[str, list[str]] = {}
    for channel, value in pairs:
        merged.setdefault(value, [])
        if channel not in merged[value]:
            merged[value].append(channel)
    return list(merged.items())


def _per_channel(label: str, pairs: Sequence[tuple[str, str]]) -> list[str]:
    """ "Lệ phí 25.000 đồng, mọi cách nộp." when every channel says the same, else one line per value."""
    grouped = _by_value(pairs)
    if len(grouped) == 1:
        value, channels = grouped[0]
        scope = (
            wording.EVERY_CHANNEL
            if len(channels) > 1
            else wording.ONE_CHANNEL.format(channels=channel_words(channels))
        )
        short = len(value) <= MAX_SHORT_VALUE_CHARS
        template = wording.PER_CHANNEL_SHORT if short else wording.PER_CHANNEL_LONG
        return [template.format(label=label, value=value, scope=scope)]
    return [wording.PER_CHANNEL_HEAD.format(label=label), *_channel_lines(grouped)]


def _channel_lines(grouped: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """ "• Trực tiếp, Trực tuyến: 25.000 đồng": one line per value."""
    return [
        wording.CHANNEL_LINE.format(channels=", ".join(channels), value=value)
        for value, channels in grouped
    ]


# --- fee, time, where, online ----------------------------------------------------------------


_CUT = re.compile(r"([^«…]{20,}?)…")
_SENTENCE_REST = re.compile(r".*?(?:[.;](?=\s)|$)", re.DOTALL)


def whole_sentences(text: str, record: Record) -> str:
    """The fee text with each note passage it cut short ("… quy định mức thu, chế độ thu…")
    finished to the end of its sentence, from the record's own note: nothing cut mid-sentence."""
    notes = [normalize(method["note"]) for method in record["methods"] if method["note"]]

    def finish(match: re.Match[str]) -> str:
        passage = match.group(1)
        key = passage[-40:]
        for note in notes:
            start = note.find(key)
            if start >= 0:
                rest = _SENTENCE_REST.match(note, start + len(key))
                return passage + (rest.group(0) if rest else "").rstrip(".;")
        return match.group(0)

    return _CUT.sub(finish, text)


def channel_fees(record: Record, on: date | None = None) -> list[FeeInForce]:
    """fees_in_force on `on` (default today), each text with its cut passages finished."""
    return [
        replace(fee, text=whole_sentences(fee.text, record))
        for fee in fees_in_force(record, on or today())
    ]


def fee_answer(record: Record, on: date | None = None) -> Answer:
    """The fee payable today per channel (channels with the same fee said once).

    Where the catalogue gives no figure (the law or the province sets it), the answer says
    what the catalogue says and points to the hotline instead of saying "miễn phí".
    """
    if not record["methods"]:
        return answer(record, [wording.NO_FEE.format(hotline=hotline())])
    on = on or today()
    fees = channel_fees(record, on)
    lines = _per_channel(wording.FEE_LABEL, [(fee.channel, fee.text) for fee in fees])
    if any(fee.valid_until for fee in fees):
        lines.append(wording.FEE_AS_OF.format(day=on))
    if any(fee.amount is None for fee in fees):
        lines.append(wording.FEE_ASK_HOTLINE.format(hotline=hotline()))
    return answer(record, lines, next_buttons(record, PAPERS_BUTTON, WHERE_BUTTON))


def _times(record: Record) -> tuple[list[tuple[str, str]], bool]:
    """(channel, time) pairs, and whether the missing unit is said once below instead of on each."""
    remark = f" ({wording.UNIT_NOT_GIVEN})"
    pairs = [(method["channel"], time_phrase(method)) for method in record["methods"]]
    bare = len({time for _, time in pairs if time.endswith(remark)}) > 1
    return [(channel, time.removesuffix(remark) if bare else time) for channel, time in pairs], bare


def time_answer(record: Record) -> Answer:
    """One line per time, naming every channel it applies to ("5 ngày làm việc, mọi cách nộp")."""
    if not record["methods"]:
        return answer(record, [wording.NO_TIME.format(hotline=hotline())])
    pairs, bare = _times(record)
    lines = _per_channel(wording.TIME_LABEL, pairs)
    if bare:
        lines.append(wording.TIME_UNIT_ONCE.format(remark=wording.UNIT_NOT_GIVEN))
    if len(pairs) > len(set(channel for channel, _ in pairs)) and len(set(pairs)) > len(
        {c for c, _ in pairs}
    ):
        lines.append(wording.TIME_SEVERAL)
    return answer(record, lines, next_buttons(record, FEE_BUTTON, PAPERS_BUTTON))


def channels_of(record: Record) -> list[str]:
    return list(dict.fromkeys(method["channel"] for method in record["methods"]))


def agency_answer(record: Record) -> Answer:
    channels = channels_of(record)
    how = wording.FILE_HOW.format(channels=channel_words(channels)) if channels else ""
    filing = wording.FILE_AT_HOW.format(place=where_to_file(record), how=how)
    return answer(record, [filing], next_buttons(record, PAPERS_BUTTON, FEE_BUTTON))


# Words of an online channel's note saying that only part of the procedure is done online.
_PARTLY_ONLINE = re.compile(
    r"truc tuyen mot phan|dat lich|lich hen|hen truoc|den truc tiep|xuat trinh ban chinh"
)


_PARTLY_IN_NAME = re.compile(r"truc tuyen mot phan")


def online_note_limits(record: Record) -> str | None:
    """The sentence of the online channel's note saying part of it is done in person, if any."""
    for method in record["methods"]:
        if method["channel"] == ONLINE and method["note"]:
            return next(
                (s for s in sentences(method["note"]) if _PARTLY_ONLINE.search(fold(s))), None
            )
    return None


def online_answer(record: Record, on: date | None = None) -> Answer:
    """Whether the dossier can be filed online: fully, partly (the note says so), or not at all."""
    online = next((fee for fee in channel_fees(record, on) if fee.channel == ONLINE), None)
    buttons = next_buttons(record, WHERE_BUTTON, PAPERS_BUTTON)
    if online is None:
        others = channels_of(record)
        how = wording.NOT_ONLINE_HOW.format(channels=channel_words(others)) if others else ""
        lines = [
            wording.NOT_ONLINE.format(how=how),
            wording.FILE_PLACE.format(place=where_to_file(record)),
        ]
        return answer(record, lines, buttons)
    limits = online_note_limits(record)
    if _PARTLY_IN_NAME.search(fold(record["name"])):
        head = wording.PARTLY_ONLINE_BY_NAME
    elif limits:
        head = wording.PARTLY_ONLINE_BY_NOTE.format(limits=limits)
    else:
        head = wording.ONLINE
    online_line = _channel_lines([(time_and_fee(record, online), [online.channel])])
    return answer(record, [head, *online_line], buttons)


def conditions_answer(record: Record) -> Answer:
    """The conditions the portal records, or an honest "not recorded" with where to ask."""
    conditions = record["conditions"].strip()
    buttons = next_buttons(record, PAPERS_BUTTON, FEE_BUTTON)
    if not conditions:
        return answer(
            record,
            [wording.NO_CONDITIONS_GIVEN.format(place=where_to_file(record), hotline=hotline())],
            buttons,
        )
    if fold(conditions).strip(" .") in {"khong", "khong co"}:
        return answer(record, [wording.NO_CONDITIONS], buttons)
    return answer(record, [wording.CONDITIONS_HEAD, *sentences(conditions)], buttons)


def overview_answer(record: Record, on: date | None = None, case: int | None = None) -> Answer:
    """What a citizen naming only a need gets: where, time and fee, then what to ask next.

    `case`: the index of the document case the question named ("nhập hộ khẩu cho vợ về nhà
    chồng"): the papers button opens that case's papers."""
    lines = [wording.OVERVIEW_PLACE.format(place=where_to_file(record))]
    per_channel = [(fee.channel, time_and_fee(record, fee)) for fee in channel_fees(record, on)]
    lines += _channel_lines(_by_value(per_channel))
    buttons = next_buttons(record, PAPERS_BUTTON, STEPS_BUTTON)
    if case is not None:
        label = case_label(record, document_cases(record)[case])
        title = wording.CASE_BUTTON.format(case=label)
        buttons[0] = button(title, "ask_documents", record, document_case=str(case + 1))
    return answer(record, lines, buttons)


def full_name_answer(record: Record) -> Answer:
    buttons = next_buttons(record, PAPERS_BUTTON, FEE_BUTTON)[:2]
    return answer(record, [wording.FULL_NAME.format(name=record["name"])], buttons)


# --- documents -------------------------------------------------------------------------------

# Headings that split one dossier into parts everybody hands in, rather than
# alternative cases ("Trường hợp ..."), which only some citizens are in.
_SECTION_HEADINGS = (
    "giay to phai nop",
    "giay to phai xuat trinh",
    "giay to xuat trinh",
    "luu y",
    "thanh phan ho so",
    "ho so gom",
)
# Papers only some applicants hand in.
_CASE_SPECIFIC = re.compile(
    r"\b(neu co|truong hop|doi voi|neu|tuy tung|tuy theo|khi can|tru khi)\b"
)
_BY_CHANNEL = re.compile(
    r"\btheo hinh thuc\b"
)  # "(nếu … nộp hồ sơ theo hình thức trực tiếp)": a channel, not a case
_FORM = re.compile(r"^(to khai|don|mau|phieu|ban khai)\b")
_ALTERNATIVES = re.compile(r"\bmot trong\b")  # "Một trong các giấy tờ sau:" leads alternatives
CASE_PAPERS = "case_papers"


def is_section(group: str | None) -> bool:
    return group is None or fold(group).lstrip("*-+•() abc1234.").startswith(_SECTION_HEADINGS)


def document_cases(record: Record) -> list[str]:
    """The alternative cases of the document table, in order (empty when there are fewer than two)."""
    groups = [group for group, _ in groupby(record["documents"], key=lambda row: row["group"])]
    cases = [group for group in dict.fromkeys(groups) if group and not is_section(group)]
    return cases if len(cases) > 1 else []


@dataclass
class _Block:
    """A paper, or a lead-in with the papers it leads ("một trong các giấy tờ sau:")."""

    lead_in: str | None
    papers: list[Document]

    @property
    def case_specific(self) -> bool:
        """A lead-in decides for its papers; a lone paper by its own words ("(nếu có)", "Trường hợp …")."""
        text = fold(self.lead_in or display_name(self.papers[0]))
        first_clause = re.split(r";|\.\s", text, maxsplit=1)[0]
        return bool(_CASE_SPECIFIC.search(first_clause)) and not _BY_CHANNEL.search(first_clause)

    @property
    def is_form(self) -> bool:
        return not self.lead_in and bool(
            self.papers[0]["form"] or _FORM.match(fold(display_name(self.papers[0])))
        )


def _blocks(rows: list[Document]) -> tuple[list[_Block], list[Document]]:
    """The papers in blocks (a lead-in keeps its papers), and the notes."""
    blocks: list[_Block] = []
    notes: list[Document] = []
    lead: _Block | None = None
    for _group, members in groupby(rows, key=lambda row: row["group"]):
        lead = None
        for row in members:
            kind = row_kind(row)
            if kind is RowKind.NOTE:
                notes.append(row)
            elif kind is RowKind.LEAD_IN:
                lead = _Block(display_name(row), [])
                blocks.append(lead)
            elif lead is not None:
                lead.papers.append(row)
            else:
                blocks.append(_Block(None, [row]))
    return [block for block in blocks if block.papers], notes


def _paper_line(row: Document, number: int | None) -> str:
    counted = row["original"] or row["copies"]
    text = display_name(row) + (f" ({document_count(row)})" if counted else "")
    return f"{number}. {text}" if number else f"   – {text}"


def _block_text(block: _Block, number: int) -> str:
    if not block.lead_in:
        return _paper_line(block.papers[0], number)
    alternatives = bool(_ALTERNATIVES.search(fold(block.lead_in)))
    if alternatives:
        return "\n".join(
            [f"{number}. {block.lead_in}", *(_paper_line(row, None) for row in block.papers)]
        )
    return "\n".join(
        [
            block.lead_in,
            *(_paper_line(row, number + index) for index, row in enumerate(block.papers)),
        ]
    )


def _numbered(blocks: list[_Block], first: int = 1) -> tuple[list[str], int]:
    """The blocks that fit (whole), and how many papers are left out."""
    texts: list[str] = []
    number, used, left = first, 0, 0
    for block in blocks:
        text = _block_text(block, number)
        if texts and (number - first >= MAX_LIST_ITEMS or used + len(text) > MAX_LIST_CHARS):
            left += len(block.papers)
            continue
        texts.append(text)
        used += len(text)
        number += (
            1 if block.lead_in and _ALTERNATIVES.search(fold(block.lead_in)) else len(block.papers)
        )
    return texts, left


def _rows(record: Record, case: str | None) -> list[Document]:
    cases = document_cases(record)
    return _by_group(
        _unique(
            [
                row
                for row in record["documents"]
                if row["group"] not in cases or row["group"] == case
            ]
        )
    )


def documents_answer(record: Record, case: str | None = None, case_papers: bool = False) -> Answer:
    """The papers every applicant needs first (forms first), then "chỉ khi cần" in one line,
    with the case-specific papers and the notes behind a button.

    `case_papers`: the answer behind that button (the case-specific papers and the notes).
    """
    rows = _rows(record, case)
    blocks, notes = _blocks(rows)
    if not blocks:
        return _no_papers(record, notes)
    main = sorted((b for b in blocks if not b.case_specific), key=lambda b: not b.is_form)
    specific = [b for b in blocks if b.case_specific]
    whose = f" — {case_title(record, case)}" if case else ""
    buttons = next_buttons(record, FEE_BUTTON, WHERE_BUTTON)
    if case_papers:
        items, left = _numbered(specific)
        shown_notes = [
            wording.NOTE_LINE.format(note=display_name(row)) for row in notes[:MAX_NOTES]
        ]
        head = (wording.CASE_PAPERS_HEAD if specific else wording.NOTES_HEAD).format(whose=whose)
        notes_left = len(notes) - len(shown_notes)
        closing = left_for_the_link([(left, wording.PAPERS_NOUN), (notes_left, wording.NOTES_NOUN)])
        return answer(record, [head, *items, *shown_notes, *closing], buttons)
    lead_blocks = main or specific
    items, left = _numbered(lead_blocks)
    head = (wording.MAIN_PAPERS_HEAD if main else wording.CASE_ONLY_PAPERS_HEAD).format(whose=whose)
    lines = [head, *items, *left_for_the_link([(left, wording.PAPERS_NOUN)])]
    hidden = []  # what the button shows
    if main and specific:
        only_if = "; ".join(
            " ".join([b.lead_in or "", *map(display_name, b.papers)]).strip().rstrip(";.")
            for b in specific
        )
        if len(only_if) <= MAX_ONLY_IF_NEEDED_CHARS:
            lines.append(wording.ONLY_IF_NEEDED.format(papers=only_if))
        else:
            hidden.append(wording.HIDDEN_PAPERS.format(count=sum(len(b.papers) for b in specific)))
    if notes:
        hidden.append(wording.HIDDEN_NOTES.format(count=len(notes)))
    if hidden:
        behind = wording.AND.join(hidden)
        button_title = wording.CASE_PAPERS_BUTTON
        lines.append(wording.BEHIND_THE_BUTTON.format(hidden=behind, button=button_title))
        case_entities = (
            {"document_case": str(document_cases(record).index(case) + 1)} if case else {}
        )
        buttons.insert(
            0, button(button_title, "ask_documents", record, detail=CASE_PAPERS, **case_entities)
        )
    return answer(record, lines, buttons)


def case_menu(record: Record, cases: list[str]) -> Answer:
    """Multi-case documents: the papers differ by case, so ask which, with plain labels."""
    buttons = [
        button(case_label(record, case), "ask_documents", record, document_case=str(index))
        for index, case in enumerate(cases, 1)
    ]
    return answer(record, [wording.CASE_MENU], buttons)


def _unique(rows: list[Document]) -> list[Document]:
    """The rows that say something ("****" does not), each once: the portal repeats some rows.

    A paper is the same only within its section (two sections may each need it); a note is
    the same wherever it appears.
    """
    unique: dict[tuple[str | None, str], Document] = {}
    for row in rows:
        section = row["group"] if row_kind(row) is RowKind.PAPER else None
        if words(row["name"]):
            unique.setdefault((section, fold(display_name(row))), row)
    return list(unique.values())


def _by_group(rows: list[Document]) -> list[Document]:
    """The rows of each group together, groups in order of first appearance."""
    first_seen = {
        group: index for index, group in reversed(list(enumerate(row["group"] for row in rows)))
    }
    return sorted(rows, key=lambda row: first_seen[row["group"]])


def _no_papers(record: Record, notes: list[Document]) -> Answer:
    """No paper listed: say so, with the portal's own remarks when they are sentences ("Do UBND cấp tỉnh quy định")."""
    remarks = [
        wording.PORTAL_REMARK.format(note=display_name(row))
        for row in notes
        if len(words(row["name"])) >= 3
    ]
    return answer(
        record,
        [wording.NO_PAPERS.format(hotline=hotline()), *remarks[:MAX_NOTES]],
        next_buttons(record, FEE_BUTTON, WHERE_BUTTON),
    )


# --- steps -----------------------------------------------------------------------------------

OFFICIAL_STEPS = "official_steps"
MAX_RESULT_CHARS = 90


def citizen_steps_answer(record: Record, on: date | None = None) -> Answer:
    """What the citizen does, from the record (where and how to file, the fee, the result), in
    at most 5 short lines; the officials' steps (the catalogue's own text) behind a button."""
    if not record["methods"]:
        return official_steps_answer(record)
    fees = channel_fees(record, on)
    pairs, _ = _times(record)
    lines = [
        wording.CITIZEN_STEPS_HEAD,
        wording.STEP_PAPERS.format(button=wording.PAPERS_BUTTON),
        wording.STEP_FILE.format(
            channels=channel_words(channels_of(record)), place=where_to_file(record)
        ),
    ]
    fee_texts = list(dict.fromkeys(fee.text for fee in fees))
    if len(fee_texts) == 1 and len(fee_texts[0]) <= 80:
        lines.append(wording.STEP_FEE.format(fee=fee_texts[0]))
    else:
        lines.append(wording.STEP_FEE_BUTTON.format(button=wording.FEE_BUTTON))
    times = list(dict.fromkeys(time for _, time in pairs))
    result = next((name for name in record["result"] if len(name) <= MAX_RESULT_CHARS), None)
    when = wording.STEP_WHEN.format(time=times[0]) if len(times) == 1 else ""
    result_line = wording.STEP_RESULT_NAMED if result else wording.STEP_RESULT
    lines.append(result_line.format(when=when, result=result))
    buttons = [button(wording.OFFICIAL_STEPS_BUTTON, "ask_steps", record, detail=OFFICIAL_STEPS)]
    return answer(record, lines, buttons + next_buttons(record, PAPERS_BUTTON, FEE_BUTTON))


def official_steps_answer(record: Record) -> Answer:
    """The catalogue's steps, whole, numbered; the rest left to the link."""
    if not record["steps"]:
        return answer(record, [wording.NO_STEPS.format(hotline=hotline())])
    unique_steps: dict[str, str] = {}  # a few records list a step twice
    for step in record["steps"]:
        unique_steps.setdefault(fold(step), without_bullets(step))
    steps = [f"{number}. {step}" for number, step in enumerate(unique_steps.values(), 1)]
    shown = _fitting(steps)
    closing = left_for_the_link([(len(steps) - shown, wording.STEPS_NOUN)])
    lines = [wording.OFFICIAL_STEPS_HEAD, *steps[:shown], *closing]
    return answer(record, lines, next_buttons(record, PAPERS_BUTTON))


def _fitting(items: Sequence[str]) -> int:
    """How many leading items the answer shows whole: at most MAX_LIST_ITEMS and MAX_LIST_CHARS, at least one."""
    count, used = 0, 0
    for item in items[:MAX_LIST_ITEMS]:
        if count and used + len(item) > MAX_LIST_CHARS:
            break
        count, used = count + 1, used + len(item)
    return count
