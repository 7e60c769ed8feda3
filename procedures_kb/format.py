"""Short Vietnamese phrasings of record fields, shared by the staff CLI and the bot's answers
(the words themselves are in `bot.wording`)."""

from __future__ import annotations

from bot import wording
from procedures_kb.fees import FeeInForce
from procedures_kb.store import Document, Method, Record


def fee_phrase(fee: FeeInForce) -> str:
    """The fee of one channel on a date, as the assistant says it."""
    return fee.text


def time_phrase(method: Method) -> str:
    if method["time_value"] is None:
        return method["time_text"] or wording.NO_TIME_GIVEN
    value = method["time_value"]
    number = str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")
    if method["time_unit"]:
        return f"{number} {method['time_unit']}"
    return f"{number} ({wording.UNIT_NOT_GIVEN})"


def channel_methods(record: Record, channel: str) -> list[Method]:
    return [method for method in record["methods"] if method["channel"] == channel]


def time_and_fee(record: Record, fee: FeeInForce) -> str:
    """ "5 ngày làm việc; lệ phí 135.000 đồng" for one channel (its rows' times merged)."""
    times = " / ".join(
        dict.fromkeys(time_phrase(method) for method in channel_methods(record, fee.channel))
    )
    return wording.TIME_AND_FEE.format(times=times, fee=fee_phrase(fee))


def method_line(record: Record, fee: FeeInForce) -> str:
    """ "Trực tuyến: 5 ngày làm việc; lệ phí 135.000 đồng" for one channel."""
    return f"{fee.channel}: {time_and_fee(record, fee)}"


def document_count(document: Document) -> str:
    parts = []
    if document["original"]:
        parts.append(wording.ORIGINALS.format(count=document["original"]))
    if document["copies"]:
        parts.append(wording.COPIES.format(count=document["copies"]))
    return ", ".join(parts) or wording.NO_COUNT_GIVEN


def where_to_file(record: Record) -> str:
    agencies = record["agencies"]
    named = agencies["receiving"] or agencies["implementing"] or agencies["competent"]
    if named:
        return named
    offices = [
        wording.LEVEL_OFFICES[level] for level in record["levels"] if level in wording.LEVEL_OFFICES
    ]
    return wording.OR.join(offices) or wording.NO_PLACE_GIVEN
