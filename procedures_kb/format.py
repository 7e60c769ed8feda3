"""Short Vietnamese phrasings of record fields, shared by the staff CLI and the bot's answers."""
from __future__ import annotations

from procedures_kb.fees import FeeInForce
from procedures_kb.store import Document, Method, Record

# Who receives the dossier at each level when the portal names no agency.
LEVEL_OFFICES = {
    "Cấp xã": "UBND cấp xã (Bộ phận Một cửa)",
    "Cấp tỉnh": "Trung tâm Phục vụ hành chính công cấp tỉnh",
    "Cấp bộ": "cơ quan cấp bộ",
}
UNIT_NOT_GIVEN = "cổng không ghi đơn vị"  # a time that is a bare number ("5"): days or working days?


def fee_phrase(fee: FeeInForce) -> str:
    """The fee of one channel on a date, as the assistant says it."""
    return fee.text


def time_phrase(method: Method) -> str:
    if method["time_value"] is None:
        return method["time_text"] or "cổng không ghi thời hạn"
    value = method["time_value"]
    number = str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")
    return f"{number} {method['time_unit']}" if method["time_unit"] else f"{number} ({UNIT_NOT_GIVEN})"


def channel_methods(record: Record, channel: str) -> list[Method]:
    return [method for method in record["methods"] if method["channel"] == channel]


def time_and_fee(record: Record, fee: FeeInForce) -> str:
    """"5 ngày làm việc; lệ phí 135.000 đồng" for one channel (its rows' times merged)."""
    times = " / ".join(dict.fromkeys(time_phrase(method) for method in channel_methods(record, fee.channel)))
    return f"{times}; lệ phí {fee_phrase(fee)}"


def method_line(record: Record, fee: FeeInForce) -> str:
    """"Trực tuyến: 5 ngày làm việc; lệ phí 135.000 đồng" for one channel."""
    return f"{fee.channel}: {time_and_fee(record, fee)}"


def document_count(document: Document) -> str:
    parts = []
    if document["original"]:
        parts.append(f"{document['original']} bản chính")
    if document["copies"]:
        parts.append(f"{document['copies']} bản sao")
    return ", ".join(parts) or "không ghi số lượng"


def where_to_file(record: Record) -> str:
    agencies = record["agencies"]
    named = agencies["receiving"] or agencies["implementing"] or agencies["competent"]
    if named:
        return named
    offices = [LEVEL_OFFICES[level] for level in record["levels"] if level in LEVEL_OFFICES]
    return " hoặc ".join(offices) or "cổng không ghi nơi nộp"
