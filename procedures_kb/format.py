"""Short Vietnamese phrasings of record fields, shared by the staff CLI and the bot's answers."""
from __future__ import annotations

from procedures_kb.store import Document, Method, Record

# Who receives the dossier at each level when the portal names no agency.
LEVEL_OFFICES = {
    "Cấp xã": "UBND cấp xã (Bộ phận Một cửa)",
    "Cấp tỉnh": "Trung tâm Phục vụ hành chính công cấp tỉnh",
    "Cấp bộ": "cơ quan cấp bộ",
}
UNIT_NOT_GIVEN = "cổng không ghi đơn vị"  # a time that is a bare number ("5"): days or working days?


def format_vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def fee_phrase(method: Method) -> str:
    if method["fee_vnd"] == 0:
        return "miễn phí"
    if method["fee_vnd"] is not None:
        return format_vnd(method["fee_vnd"])
    return method["fee_text"] or "cổng không ghi lệ phí"


def time_phrase(method: Method) -> str:
    if method["time_value"] is None:
        return method["time_text"] or "cổng không ghi thời hạn"
    value = method["time_value"]
    number = str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")
    return f"{number} {method['time_unit']}" if method["time_unit"] else f"{number} ({UNIT_NOT_GIVEN})"


def method_line(method: Method) -> str:
    return f"{method['channel']}: {time_phrase(method)}; lệ phí {fee_phrase(method)}"


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
