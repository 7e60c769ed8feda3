"""Every text the gateway itself says to citizens, in one place (Vietnamese, polite "bạn")."""

from __future__ import annotations

from bot.channels.inputs import MAX_MESSAGE_CHARS

# Texts sent to Rasa on behalf of a command or a welcome button (the NLU knows them).
STATUS_LOOKUP_REQUEST = "tra cứu hồ sơ"
SURVEY_REQUEST = "đánh giá dịch vụ"
UNSUBSCRIBE_REQUEST = "hủy thông báo"

WELCOME = (
    "Xin chào! Mình là Trợ lý thủ tục hành chính.\n\n"
    "Mình có thể giúp bạn:\n"
    "• Hướng dẫn hồ sơ, giấy tờ, lệ phí, thời hạn và nơi nộp của các thủ tục hành chính;\n"
    "• Tra cứu tình trạng hồ sơ bạn đã nộp;\n"
    "• Ghi nhận đánh giá của bạn về dịch vụ.\n\n"
    "Bạn cứ nhắn câu hỏi, ví dụ: “Làm căn cước cần những giấy tờ gì?”"
)
WELCOME_BUTTONS = (
    ("Tra cứu hồ sơ", STATUS_LOOKUP_REQUEST),
    ("Đánh giá dịch vụ", SURVEY_REQUEST),
)

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

TEXT_ONLY = (
    "Mình chỉ đọc được tin nhắn chữ thôi. " "Bạn vui lòng gõ câu hỏi bằng chữ giúp mình nhé."
)
RATE_LIMITED = (
    "Bạn đang nhắn hơi nhanh nên mình chưa kịp trả lời. "
    "Bạn vui lòng đợi khoảng một phút rồi nhắn tiếp nhé, mình vẫn ở đây."
)
TOO_LONG = (
    f"Tin nhắn của bạn dài hơn {MAX_MESSAGE_CHARS} ký tự nên mình chưa đọc được. "
    "Bạn vui lòng rút gọn câu hỏi rồi gửi lại giúp mình nhé."
)
UNKNOWN_CONVERSATION = (
    "Mình không nhận ra cuộc trò chuyện này nên chưa trả lời được. "
    "Bạn vui lòng mở lại cuộc trò chuyện rồi nhắn lại giúp mình nhé."
)
BUTTON_EXPIRED = "Nút này đã hết hạn. Bạn vui lòng gõ lại câu hỏi giúp mình nhé."
CHOOSE_ONE = "Mời bạn chọn một mục:"


def hotline(hotline_text: str) -> str:
    return f"Bạn cần hỗ trợ trực tiếp, vui lòng liên hệ {hotline_text}."


def apology(hotline_text: str) -> str:
    return (
        "Xin lỗi bạn, hệ thống đang tạm thời gián đoạn nên mình chưa trả lời được. "
        f"Bạn vui lòng thử lại sau ít phút, hoặc liên hệ {hotline_text}."
    )


# --- dossier status notifications (bot/channels/notify.py) -------------------------------
NOTIFY_HEADLINE = "🔔 Hồ sơ {code} chuyển sang trạng thái: {status_name}"
NOTIFY_PROCEDURE = "Thủ tục: {procedure}"
NOTIFY_SUPPLEMENT = "📎 Việc cần làm: bổ sung {request}\nNộp bổ sung tại: {place}"
NOTIFY_SUPPLEMENT_UNSTATED = "hồ sơ theo hướng dẫn của cơ quan (bạn liên hệ {agency} để biết cần bổ sung gì)"
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
NOTIFY_FOOTER = "Muốn thôi nhận tin về hồ sơ, bạn nhắn \"hủy thông báo\"."
