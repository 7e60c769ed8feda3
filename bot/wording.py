"""Every Vietnamese text the Python code says or builds, in one module.

The assistant's static replies are `domain.yml` responses: the actions name them
(`dispatcher.utter_message(response="utter_…", code=…)`, Rasa fills the `{variables}`).
What is here is what code puts together at run time: answers built from catalogue records,
the fee in force, the dossier status, notifications, the survey criteria and labels, and
what the gateway, the command line and the report say themselves.
`tests/action_server/test_wording.py` checks that every template here and every `utter_*`
response is used, and that the survey in `domain.yml` matches `SURVEY_CRITERIA`.

This module imports nothing of the project, so the actions, the channels, the database
layer and the knowledge base can all read it. Codes (status numbers, channel keys, answer
values) are the stored values; the texts are only ever displayed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class StatusText:
    """Official name of a national dossier status and what it means for the citizen."""

    name: str
    explanation: str


# National status codes of the one-stop dossier workflow (1 … 10).
STATUS_TEXTS: Mapping[int, StatusText] = MappingProxyType(
    {
        1: StatusText(
            "Mới đăng ký",
            "Hồ sơ đã được gửi lên hệ thống nhưng cơ quan chưa kiểm tra để tiếp nhận. "
            "Bạn chưa cần làm gì thêm; khi hồ sơ được tiếp nhận, bạn sẽ nhận được giấy hẹn trả kết "
            "quả.",
        ),
        2: StatusText(
            "Được tiếp nhận",
            "Cơ quan đã kiểm tra và tiếp nhận hồ sơ của bạn, hồ sơ đang được chuyển đến bộ phận giải "
            "quyết. "
            "Ngày hẹn trả kết quả được tính từ lúc tiếp nhận.",
        ),
        3: StatusText(
            "Không được tiếp nhận",
            "Hồ sơ không được tiếp nhận, thường do chưa đủ giấy tờ hoặc không thuộc thẩm quyền của cơ "
            "quan này. "
            "Bạn hãy xem lý do trong thông báo của cơ quan, chuẩn bị lại hồ sơ rồi nộp lại.",
        ),
        4: StatusText(
            "Đang xử lý",
            "Hồ sơ đang được cán bộ giải quyết. Bạn chưa cần làm gì thêm, hãy chờ đến ngày hẹn trả "
            "kết quả.",
        ),
        5: StatusText(
            "Yêu cầu bổ sung giấy tờ",
            "Cơ quan cần bạn bổ sung hoặc sửa giấy tờ thì mới giải quyết tiếp được. "
            "Thời gian chờ bạn bổ sung không tính vào thời hạn giải quyết, vì vậy hãy nộp phần bổ "
            "sung càng sớm càng tốt.",
        ),
        6: StatusText(
            "Yêu cầu thực hiện nghĩa vụ tài chính",
            "Bạn cần nộp phí, lệ phí hoặc thuế liên quan thì hồ sơ mới được giải quyết tiếp. "
            "Thời gian chờ bạn nộp không tính vào thời hạn giải quyết.",
        ),
        7: StatusText(
            "Công dân yêu cầu rút hồ sơ",
            "Hồ sơ đã dừng theo yêu cầu rút hồ sơ của bạn. Nếu vẫn cần làm thủ tục này, bạn phải nộp "
            "hồ sơ mới.",
        ),
        8: StatusText(
            "Dừng xử lý",
            "Cơ quan đã dừng giải quyết hồ sơ, ví dụ vì giấy tờ không được bổ sung đúng hạn hoặc "
            "không đủ điều kiện. "
            "Bạn hãy xem văn bản nêu lý do của cơ quan hoặc liên hệ Bộ phận Một cửa để được hướng dẫn.",
        ),
        9: StatusText(
            "Đã xử lý xong",
            "Hồ sơ đã được giải quyết xong và kết quả đang chờ trả. Bạn có thể đến nhận kết quả tại "
            "địa chỉ bên dưới "
            "(nhớ mang theo giấy hẹn và giấy tờ tùy thân), hoặc chờ nhận qua bưu chính nếu đã đăng ký.",
        ),
        10: StatusText(
            "Đã trả kết quả",
            "Kết quả đã được trả cho bạn. Thủ tục đã hoàn tất.",
        ),
    }
)

CHANNEL_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "truc_tiep": "Trực tiếp",
        "truc_tuyen": "Trực tuyến",
        "buu_chinh": "Dịch vụ bưu chính",
    }
)

# Overall satisfaction; the stored value grows with satisfaction.
SATISFACTION_LABELS: Mapping[int, str] = MappingProxyType(
    {
        3: "Rất hài lòng",
        2: "Hài lòng",
        1: "Không hài lòng",
    }
)
SATISFIED_LEVELS = frozenset({2, 3})


@dataclass(frozen=True)
class Criterion:
    """One question of the per-dossier one-stop evaluation; answers score 2 (best) to 0."""

    key: str
    question: str
    choices: Mapping[int, str]


def _criterion(key: str, question: str, best: str, middle: str, worst: str) -> Criterion:
    return Criterion(key, question, MappingProxyType({2: best, 1: middle, 0: worst}))


# Criteria of the per-dossier evaluation form used at one-stop desks. A criterion that
# does not apply to a dossier (no feedback sent, not an online dossier…) is left unanswered.
SURVEY_CRITERIA: tuple[Criterion, ...] = (
    _criterion(
        "total_time",
        "Tổng thời gian giải quyết so với thời hạn quy định",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
    ),
    _criterion(
        "agency_time",
        "Thời gian giải quyết tại từng cơ quan, đơn vị",
        "Mọi cơ quan đều trước hạn",
        "Mọi cơ quan đều đúng hạn",
        "Có cơ quan giải quyết quá hạn",
    ),
    _criterion(
        "trips",
        "Số lần phải đi lại để hoàn thiện hồ sơ",
        "1 lần (không phải đi lại thêm)",
        "2 lần",
        "Từ 3 lần trở lên",
    ),
    _criterion(
        "agencies_contacted",
        "Số cơ quan, đơn vị phải liên hệ",
        "Chỉ Bộ phận Một cửa",
        "Thêm 1 cơ quan khác",
        "Thêm từ 2 cơ quan khác trở lên",
    ),
    _criterion(
        "one_stop_desk",
        "Tiếp nhận hồ sơ và trả kết quả tại Bộ phận Một cửa",
        "Cả tiếp nhận và trả kết quả",
        "Chỉ một trong hai việc",
        "Không thực hiện tại Bộ phận Một cửa",
    ),
    _criterion(
        "publicity",
        "Công khai thủ tục hành chính",
        "Công khai đầy đủ, đúng quy định",
        "Công khai không đầy đủ",
        "Không công khai",
    ),
    _criterion(
        "staff_attitude",
        "Thái độ của cán bộ, công chức",
        "Chuẩn mực, nhiệt tình",
        "Chuẩn mực nhưng chưa nhiệt tình",
        "Gây phiền hà, nhũng nhiễu",
    ),
    _criterion(
        "feedback_handling",
        "Tiếp nhận, xử lý phản ánh, kiến nghị",
        "Được giải quyết, trả lời đúng hạn",
        "Được giải quyết nhưng quá hạn",
        "Không được giải quyết, trả lời",
    ),
    _criterion(
        "online_service",
        "Chất lượng dịch vụ công trực tuyến",
        "Dễ sử dụng, thông suốt",
        "Sử dụng được nhưng còn trục trặc",
        "Khó sử dụng, hay gặp lỗi",
    ),
)


class Messages:
    """CLI and report wording."""

    ERROR_PREFIX = "Lỗi: "
    BAD_DATE = (
        "ngày '{value}' không hợp lệ. Hãy nhập theo dạng NĂM-THÁNG-NGÀY (ví dụ 2025-01-31) "
        "hoặc NGÀY/THÁNG/NĂM (31/01/2025)."
    )
    BAD_POSITIVE_INT = "{option} phải là một số nguyên dương (bạn nhập '{value}')."
    TOO_FEW_DOSSIERS = "--dossiers phải từ {minimum} trở lên để dữ liệu mẫu có đủ 10 trạng thái."
    DEMO_REQUIRED = (
        "hiện chỉ hỗ trợ nạp dữ liệu mẫu: hãy thêm --demo (ví dụ: python -m bot seed --demo)."
    )
    DATABASE_NOT_EMPTY = (
        "cơ sở dữ liệu đã có dữ liệu ({dossiers} hồ sơ, {agencies} cơ quan) nên không nạp dữ liệu "
        "mẫu, "
        "để tránh mất dữ liệu. "
        "Nếu chắc chắn muốn XÓA TOÀN BỘ dữ liệu hiện có rồi nạp lại, hãy chạy lại lệnh với --reset."
    )
    DATABASE_UNREACHABLE = "không kết nối hoặc không đọc được cơ sở dữ liệu ({detail})."
    DATABASE_NOT_MIGRATED = (
        "cơ sở dữ liệu chưa được khởi tạo hoặc chưa được cập nhật cấu trúc mới nhất. "
        "Hãy chạy: python -m bot db upgrade"
    )
    CANNOT_WRITE_FILE = "không ghi được tệp {path} ({detail})."
    UNEXPECTED = "có lỗi không mong đợi ({detail}). Vui lòng báo cho nhóm phát triển."
    ALREADY_SEEDED = "Cơ sở dữ liệu đã có {dossiers} hồ sơ: giữ nguyên, không nạp dữ liệu mẫu."
    SEED_DONE = (
        "Đã nạp dữ liệu mẫu: {agencies} cơ quan, {dossiers} hồ sơ, {events} lượt chuyển trạng "
        "thái, "
        "{surveys} phiếu đánh giá ({seconds:.1f} giây)."
    )
    UPGRADE_DONE = "Đã cập nhật cấu trúc cơ sở dữ liệu lên phiên bản mới nhất."
    DOWNGRADE_DONE = "Đã hạ cấu trúc cơ sở dữ liệu về phiên bản {revision}."
    CSV_WRITTEN = "Đã ghi bảng số liệu vào {path}"
    PNG_WRITTEN = "Đã ghi biểu đồ vào {path}"

    REPORT_TITLE = "BÁO CÁO MỨC ĐỘ HÀI LÒNG"
    REPORT_SINCE = "Từ ngày {since}"
    REPORT_ALL_TIME = "Toàn bộ thời gian"
    REPORT_EMPTY = "Chưa có phiếu đánh giá nào trong khoảng thời gian này."
    REPORT_TOTAL = (
        "Tổng số phiếu: {total} — hài lòng (Rất hài lòng + Hài lòng): {satisfied} ({rate})"
    )
    REPORT_BY_AGENCY = "Theo cơ quan"
    REPORT_BY_PROCEDURE = "Theo thủ tục"
    REPORT_BY_MONTH = "Theo tháng"
    REPORT_CRITERIA = "Theo tiêu chí đánh giá"
    REPORT_ROW = "{label}: {satisfied}/{responses} phiếu hài lòng ({rate})"
    REPORT_CHOICE = "{label}: {count} ({share})"
    REPORT_NOT_ANSWERED = "Không trả lời / không áp dụng: {count}"
    NO_DOSSIER = "Góp ý chung (không gắn với hồ sơ)"
    MONTH_LABEL = "{month:02d}/{year}"
    CHART_TITLE = "Tỷ lệ hài lòng (%) / số phiếu"
    CHART_CRITERIA_TITLE = "Tỷ lệ lựa chọn tốt nhất theo tiêu chí (%)"
    CSV_HEADER = ("nhóm", "mã", "tên", "số phiếu", "số phiếu hài lòng", "tỷ lệ (%)")
    CSV_GROUPS = MappingProxyType(
        {
            "total": "tổng",
            "agency": "cơ quan",
            "procedure": "thủ tục",
            "month": "tháng",
            "criterion": "tiêu chí",
        }
    )


# --- dossier status (actions/dossier.py) -------------------------------------------------
DATE = "{:%d/%m/%Y}"
DOSSIER_HEADING = "📋 Hồ sơ {code}"
DOSSIER_PROCEDURE = "Thủ tục: {procedure}"
DOSSIER_APPLICANT = "Người nộp: {applicant}"
DOSSIER_STATUS = "Trạng thái: {status}"
DOSSIER_RECEIVED = "Ngày tiếp nhận: {day}"
DOSSIER_APPOINTMENT = "Ngày hẹn trả kết quả: {day}"
DOSSIER_OVERDUE = "⚠️ Hồ sơ trễ hẹn {days} ngày (hạn giải quyết: {deadline})."
DOSSIER_ON_TIME = "✅ Hồ sơ không trễ hẹn.{moved}"
DOSSIER_DEADLINE_MOVED = (
    " Hạn giải quyết được lùi đến {deadline} vì thời gian chờ bạn bổ sung hoặc nộp phí"
    " không tính vào thời hạn."
)
DOSSIER_SUPPLEMENT = "📎 Cần bổ sung: {request}"
DOSSIER_SUPPLEMENT_UNSTATED = "bạn liên hệ {agency} để được hướng dẫn cụ thể"
DOSSIER_SUPPLEMENT_PLACE = "Nộp bổ sung tại: {agency}, {address}"
DOSSIER_COLLECT = "📍 Nhận kết quả tại: {agency}, {address}{phone}"
DOSSIER_AGENCY_PHONE = " (ĐT: {phone})"
LOCKED_UNTIL = "{moment:%H:%M} ngày {moment:%d/%m/%Y}"
LOCKED_FOR_A_WHILE = "khoảng 15 phút nữa"
SUBSCRIBE_BUTTON = "🔔 Nhận thông báo khi hồ sơ thay đổi"
UNSUBSCRIBE_LINE = "{number}. {code}"
UNSUBSCRIBE_ALL_BUTTON = "Hủy tất cả"

# --- record fields (procedures_kb/format.py: the bot's answers and the staff CLI) ---------
# Who receives the dossier at each level when the portal names no agency.
LEVEL_OFFICES = MappingProxyType(
    {
        "Cấp xã": "UBND cấp xã (Bộ phận Một cửa)",
        "Cấp tỉnh": "Trung tâm Phục vụ hành chính công cấp tỉnh",
        "Cấp bộ": "cơ quan cấp bộ",
    }
)
# A time that is a bare number ("5"): days or working days?
UNIT_NOT_GIVEN = "cổng không ghi đơn vị"
NO_TIME_GIVEN = "cổng không ghi thời hạn"
NO_PLACE_GIVEN = "cổng không ghi nơi nộp"
TIME_AND_FEE = "{times}; lệ phí {fee}"
ORIGINALS = "{count} bản chính"
COPIES = "{count} bản sao"
NO_COUNT_GIVEN = "không ghi số lượng"
OR = " hoặc "

# --- procedure answers (actions/procedures.py, actions/answers.py) -----------------------
SAME_PROCEDURE_BUTTON = "Đúng"
FEE_BUTTON = "Lệ phí"
WHERE_BUTTON = "Nộp ở đâu"
PAPERS_BUTTON = "Giấy tờ cần nộp"
STEPS_BUTTON = "Các bước"
FULL_NAME_BUTTON = "Tên đầy đủ"
CASE_BUTTON = "Giấy tờ: {case}"
CASE_PAPERS_BUTTON = "Xem giấy tờ theo trường hợp"
OFFICIAL_STEPS_BUTTON = "Các bước của cơ quan"
FOOTER = "📄 {name} (mã {code})\n{url}"
LEFT_FOR_THE_LINK = "Còn {counts} khác trên Cổng, ở đường dẫn dưới đây."
AND = " và "
PAPERS_NOUN = "giấy tờ"
NOTES_NOUN = "ghi chú"
STEPS_NOUN = "bước"
# How an answer names the ways to file ("nộp online hoặc trực tiếp").
CHANNEL_WORDS = MappingProxyType(
    {
        "Trực tuyến": "online",
        "Trực tiếp": "trực tiếp",
        "Dịch vụ bưu chính": "qua bưu điện",
    }
)
EVERY_CHANNEL = "mọi cách nộp"
ONE_CHANNEL = "nộp {channels}"
PER_CHANNEL_SHORT = "{label}: {value}, {scope}."
PER_CHANNEL_LONG = "{label} ({scope}): {value}"
PER_CHANNEL_HEAD = "{label} tùy cách nộp:"
CHANNEL_LINE = "• {channels}: {value}"
FEE_LABEL = "Lệ phí"
TIME_LABEL = "Thời hạn giải quyết"
NO_FEE = (
    "Cơ sở dữ liệu thủ tục hành chính quốc gia không ghi thông tin này về lệ phí. "
    "Bạn hỏi {hotline}."
)
FEE_AS_OF = "(Mức thu tính đến ngày {day:%d/%m/%Y}.)"
FEE_ASK_HOTLINE = "Để biết mức thu chính xác, bạn liên hệ {hotline}."
NO_TIME = (
    "Cơ sở dữ liệu thủ tục hành chính quốc gia không ghi thông tin này về thời hạn giải quyết. "
    "Bạn hỏi {hotline}."
)
TIME_UNIT_ONCE = "Thời hạn chỉ có con số: {remark}."
TIME_SEVERAL = (
    "Cổng ghi nhiều thời hạn cho cùng một cách nộp (theo từng bước hoặc trường hợp); "
    "chi tiết ở đường dẫn dưới đây."
)
FILE_AT_HOW = "Nộp hồ sơ tại {place}{how}."
FILE_HOW = "; nộp {channels}"
NOT_ONLINE = "Chưa nộp online được: danh mục quốc gia không có cách nộp trực tuyến.{how}"
NOT_ONLINE_HOW = " Cách nộp: {channels}."
FILE_PLACE = "Nơi nộp: {place}."
PARTLY_ONLINE_BY_NAME = (
    "Nộp online được một phần: Cổng ghi đây là dịch vụ công trực tuyến một phần, "
    "nên có bước bạn vẫn phải đến cơ quan làm trực tiếp."
)
PARTLY_ONLINE_BY_NOTE = "Nộp online được một phần: Cổng ghi «{limits}»."
ONLINE = "Có, nộp hồ sơ online được trên Cổng Dịch vụ công quốc gia (đường dẫn bên dưới)."
NO_CONDITIONS_GIVEN = (
    "Cổng Dịch vụ công chưa ghi điều kiện cho thủ tục này; bạn hỏi {place} hoặc {hotline} "
    "trước khi nộp nhé."
)
NO_CONDITIONS = "Cổng Dịch vụ công ghi: thủ tục này không có điều kiện riêng."
CONDITIONS_HEAD = "Điều kiện theo Cổng Dịch vụ công:"
OVERVIEW_PLACE = "Nộp tại {place}."
FULL_NAME = "Tên đầy đủ: {name}"
NOTE_LINE = "Lưu ý: {note}"
CASE_PAPERS_HEAD = "Giấy tờ chỉ nộp khi đúng trường hợp của bạn{whose}:"
NOTES_HEAD = "Lưu ý về hồ sơ{whose}:"
MAIN_PAPERS_HEAD = "Giấy tờ chính cần nộp{whose}:"
CASE_ONLY_PAPERS_HEAD = "Giấy tờ cần nộp tùy trường hợp{whose}:"
ONLY_IF_NEEDED = "Chỉ khi cần: {papers}"
HIDDEN_PAPERS = "{count} giấy tờ chỉ nộp khi đúng trường hợp"
HIDDEN_NOTES = "{count} lưu ý của Cổng"
BEHIND_THE_BUTTON = "Còn {hidden}: bấm «{button}»."
CASE_MENU = "Giấy tờ cần nộp tùy trường hợp của bạn. Bạn thuộc trường hợp nào?"
PORTAL_REMARK = "Ghi chú của Cổng: {note}"
NO_PAPERS = (
    "Cơ sở dữ liệu thủ tục hành chính quốc gia không ghi thông tin này về thành phần hồ sơ; "
    "bạn hỏi {hotline}."
)
CITIZEN_STEPS_HEAD = "Bạn làm như sau:"
STEP_PAPERS = "1. Chuẩn bị giấy tờ (bấm «{button}»)."
STEP_FILE = "2. Nộp hồ sơ {channels} tại {place}."
STEP_FEE = "3. Lệ phí: {fee}."
STEP_FEE_BUTTON = "3. Nộp lệ phí theo cách nộp (bấm «{button}»)."
STEP_RESULT = "4. Nhận kết quả{when}."
STEP_RESULT_NAMED = "4. Nhận kết quả{when}: {result}."
STEP_WHEN = " sau {time}"
NO_STEPS = (
    "Cơ sở dữ liệu thủ tục hành chính quốc gia không ghi thông tin này về trình tự thực hiện; "
    "bạn hỏi {hotline}."
)
OFFICIAL_STEPS_HEAD = "Các bước theo Cổng Dịch vụ công:"


# --- what the gateway says itself (bot/channels) -----------------------------------------
TELEGRAM_HELP = (
    "Bạn có thể nhắn câu hỏi bằng lời của mình, ví dụ: “Đăng ký khai sinh cần gì?”\n\n"
    "Các lệnh:\n"
    "/start – Lời chào và những việc mình làm được\n"
    "/tracuu – Tra cứu tình trạng hồ sơ\n"
    "/danhgia – Đánh giá dịch vụ\n"
    "/huythongbao – Hủy nhận thông báo về hồ sơ\n"
    "/hotline – Số đường dây nóng\n"
    "/help – Hướng dẫn này"
)
TELEGRAM_COMMANDS = (
    ("start", "Lời chào và những việc mình làm được"),
    ("tracuu", "Tra cứu tình trạng hồ sơ"),
    ("danhgia", "Đánh giá dịch vụ"),
    ("huythongbao", "Hủy nhận thông báo về hồ sơ"),
    ("hotline", "Số đường dây nóng"),
    ("help", "Hướng dẫn sử dụng"),
)
TEXT_ONLY = "Mình chỉ đọc được tin nhắn chữ thôi. Bạn vui lòng gõ câu hỏi bằng chữ giúp mình nhé."
RATE_LIMITED = (
    "Bạn đang nhắn hơi nhanh nên mình chưa kịp trả lời. "
    "Bạn vui lòng đợi khoảng một phút rồi nhắn tiếp nhé, mình vẫn ở đây."
)
TOO_LONG = (
    "Tin nhắn của bạn dài hơn {limit} ký tự nên mình chưa đọc được. "
    "Bạn vui lòng rút gọn câu hỏi rồi gửi lại giúp mình nhé."
)
UNKNOWN_CONVERSATION = (
    "Mình không nhận ra cuộc trò chuyện này nên chưa trả lời được. "
    "Bạn vui lòng mở lại cuộc trò chuyện rồi nhắn lại giúp mình nhé."
)
BUTTON_EXPIRED = "Nút này đã hết hạn. Bạn vui lòng gõ lại câu hỏi giúp mình nhé."
CHOOSE_ONE = "Mời bạn chọn một mục:"
HOTLINE = "Bạn cần hỗ trợ trực tiếp, vui lòng liên hệ {hotline}."
APOLOGY = (
    "Xin lỗi bạn, hệ thống đang tạm thời gián đoạn nên mình chưa trả lời được. "
    "Bạn vui lòng thử lại sau ít phút, hoặc liên hệ {hotline}."
)

# --- dossier status notifications (bot/channels/notify.py) -------------------------------
NOTIFY_HEADLINE = "🔔 Hồ sơ {code} chuyển sang trạng thái: {status_name}"
NOTIFY_PROCEDURE = "Thủ tục: {procedure}"
NOTIFY_SUPPLEMENT = "📎 Việc cần làm: bổ sung {request}\nNộp bổ sung tại: {place}"
NOTIFY_SUPPLEMENT_UNSTATED = (
    "hồ sơ theo hướng dẫn của cơ quan (bạn liên hệ {agency} để biết cần bổ sung gì)"
)
NOTIFY_PAY = (
    "💳 Việc cần làm: nộp phí, lệ phí hoặc thuế theo thông báo của cơ quan{note}, tại {place} "
    "hoặc trực tuyến trên Cổng Dịch vụ công nếu hồ sơ nộp trực tuyến."
)
NOTIFY_COLLECT = "📍 Nhận kết quả tại: {place}. Mang theo giấy hẹn và giấy tờ tùy thân."
NOTIFY_RETURNED = (
    "📍 Nếu bạn chưa cầm kết quả: đến nhận tại {place} (mang theo giấy hẹn và giấy tờ tùy thân), "
    "hoặc chờ nhận qua bưu chính nếu bạn đã đăng ký."
)
NOTIFY_SURVEY = "Mời bạn đánh giá mức độ hài lòng về việc giải quyết hồ sơ này (vài câu ngắn):"
NOTIFY_SURVEY_BUTTON = "⭐ Đánh giá hồ sơ này"
NOTIFY_FOOTER = 'Muốn thôi nhận tin về hồ sơ, bạn nhắn "hủy thông báo".'

# --- errors the HTTP endpoints answer (web chat, Rasa's REST channel, dossier feed, Telegram) -
EMPTY_BODY = "Yêu cầu không có nội dung."
NOT_JSON = "Nội dung yêu cầu không phải JSON hợp lệ."
NOT_JSON_OBJECT = "Nội dung yêu cầu phải là một đối tượng JSON."
TOO_DEEP = "Nội dung yêu cầu lồng nhau quá sâu."
TOO_LARGE = "Nội dung yêu cầu quá lớn."
BAD_GATEWAY_TOKEN = "Thiếu hoặc sai mã xác thực của gateway."
BAD_METADATA = "Trường metadata phải là một đối tượng JSON."
BAD_WEB_SESSION = "Phiên trò chuyện không hợp lệ, bạn vui lòng tải lại trang."
NOT_TEXT = "Tin nhắn phải là văn bản."
NOT_A_TELEGRAM_UPDATE = "Không phải cập nhật Telegram: {kind}"
BAD_TELEGRAM_FIELD = "Cập nhật Telegram có trường sai kiểu."
BAD_FEED_TOKEN = "Thiếu hoặc sai mã truy cập (Bearer FEED_TOKEN)."
FEED_DATABASE_DOWN = "Cơ sở dữ liệu đang gặp sự cố, vui lòng gửi lại sau."
FEED_EMPTY = "Danh sách sự kiện trống."
FEED_TOO_MANY = "Mỗi lần gửi tối đa {limit} sự kiện."

# --- survey answers as stored (actions/survey.py) ----------------------------------------
HIDDEN_NUMBER = "[số đã ẩn]"  # replaces a phone or identity number in a comment

# --- the fee in force on a date (procedures_kb/fees.py) ----------------------------------
FREE = "miễn phí"
FEE_UNTIL = "đến hết {day}"
FEE_REDUCED_BY = "giảm {share}%"
FEE_CIRCULAR = "theo Thông tư {reference}"
FEE_REGULAR = "; mức thường {amount}"
FEE_OTHER_CASES = "{fee}; danh mục còn ghi: {cases}"
FEE_NOTE = " (ghi chú: «{note}»)"
FEE_DATED_NO_AMOUNT = (
    "từ {start} đến hết {end}, mức thu theo Thông tư {reference}; "
    "danh mục không ghi số tiền (ghi chú: «{note}»)"
)
FEE_SHARE_NO_AMOUNT = (
    "danh mục ghi mức thu bằng {share}% một mức quy định ở văn bản khác{period} "
    "nhưng không ghi số tiền (ghi chú: «{note}»)"
)
FEE_PROVINCIAL = "mức thu do Hội đồng nhân dân cấp tỉnh quyết định (danh mục ghi: «{note}»)"
FEE_BY_REGULATION = "danh mục không ghi số tiền, chỉ dẫn quy định về phí, lệ phí: «{note}»"
FEE_BY_CASE = "tùy trường hợp: {cases}"
FEE_IMPLAUSIBLE = (
    "cổng dịch vụ công ghi «{cell}», con số này có vẻ sai (không có lệ phí dưới 1.000 đồng); "
    "xin hỏi đường dây nóng để biết mức thu đúng"
)
FEE_FREE_BUT_OTHERS_CHARGE = (
    "danh mục ghi «{cell}» cho cách nộp này nhưng ghi chú nói đến phí, lệ phí và cách nộp khác "
    "có thu; xin hỏi đường dây nóng để biết mức thu đúng"
)
FEE_UNREADABLE = "danh mục ghi «{cell}», không đọc được mức thu chắc chắn"
FEE_NOT_IN_FORCE = "danh mục không ghi mức thu đang áp dụng (ghi chú: «{note}»)"
FEE_NONE = "danh mục không ghi lệ phí"


class HandoffTexts:
    """What the gateway itself says around a conversation handed to staff (bot/channels/handoff.py)."""

    MESSAGE_TAKEN = (
        "Mình đã ghi lại lời nhắn của bạn; cán bộ sẽ trả lời tại đây trong giờ làm việc. "
        "Gõ «gặp trợ lý ảo» để quay lại hỏi trợ lý ảo."
    )
    BACK_TO_BOT = "Trợ lý ảo đã quay lại. Bạn cần hỏi thủ tục hay tra cứu hồ sơ gì?"
    CLOSED_BY_STAFF = "Cán bộ đã kết thúc cuộc trò chuyện. Trợ lý ảo tiếp tục hỗ trợ bạn."
