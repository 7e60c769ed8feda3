"""Dossier status lookup: the `dossier_lookup_form` (code, then the last 4 phone digits).

The form asks for the dossier code (or takes it from the first message), then for the
LAST 4 DIGITS of the phone number on the dossier; the validator checks them with the
database layer, which enforces the limits on failures (per conversation, per network
address from the gateway's metadata, per code with the owner rule, and globally: see
`bot.db.services.verify_and_get_dossier`) and records the verification for this
conversation (30 minutes). An unknown code and wrong digits get the same reply.
`action_dossier_status` shows only a dossier with a live verification for this
conversation, whatever the slots say.

The same form verifies the dossier a citizen wants to rate (`rate_service`), so
`lookup_purpose` says what to do once it is verified: "status" shows the status,
"survey" starts the survey for that dossier, "general" (chosen instead of a code)
starts anonymous feedback.

Privacy: the digits never stay in a slot (`phone_last4` holds `DIGITS_CHECKED` once they
matched); a longer number is never kept nor repeated; nothing here logs what the
citizen typed.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import settings
from actions.choices import is_cancel
from actions.survey import feedback_limit_reply, has_response, may_give_anonymous_feedback, start_survey
from bot.db.engine import run_transaction
from bot.db.outbox import recipient_of
from bot.db.models import Status
from bot.db.privacy import only_digits
from bot.db.services import (
    DossierView,
    LookupKind,
    LookupResult,
    VERIFICATION_TTL,
    NotVerifiedError,
    verified_dossier,
    verify_and_get_dossier,
)
from bot.dossier_code import EXAMPLE_CODE, find_dossier_code
from bot.payloads import SUBSCRIBE_INTENT, dossier_payload
from vntext import words

logger = logging.getLogger(__name__)

PURPOSE_STATUS, PURPOSE_SURVEY, PURPOSE_GENERAL = "status", "survey", "general"
LOOKUP_SLOTS = ("dossier_code", "phone_last4", "lookup_purpose")
DIGITS_CHECKED = "checked"  # phone_last4 once the digits matched: the digits themselves are not kept
GENERAL_FEEDBACK_TITLE = "Góp ý chung, không theo hồ sơ"
GENERAL_FEEDBACK_PAYLOAD = '/rate_service{"feedback_scope": "general"}'
_FINISHED_WITHOUT_DEADLINE = (Status.KHONG_DUOC_TIEP_NHAN, Status.CONG_DAN_RUT_HO_SO, Status.DUNG_XU_LY)  # refused, withdrawn, stopped: "on time" means nothing
_FINAL_STATUSES = (*_FINISHED_WITHOUT_DEADLINE, Status.DA_TRA_KET_QUA)  # nothing more will happen: no notifications offered
SUBSCRIBE_TITLE = "🔔 Nhận thông báo khi hồ sơ thay đổi"


class Texts:
    ASK_CODE = (
        "Bạn gửi giúp mình mã hồ sơ (in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả), "
        f"ví dụ: {EXAMPLE_CODE}"
    )
    ASK_DIGITS = (
        "Để bảo vệ thông tin, bạn gửi giúp mình 4 chữ số cuối của số điện thoại đã khai trong hồ sơ "
        "(chỉ 4 số, ví dụ: 5678)."
    )
    ASK_CODE_FOR_SURVEY = (
        "Bạn muốn đánh giá việc giải quyết hồ sơ nào? Gửi mã hồ sơ (ví dụ: "
        f"{EXAMPLE_CODE}) để mình xác minh, hoặc chọn góp ý chung."
    )
    BAD_CODE = (
        "Mã hồ sơ chưa đúng định dạng. Mã hồ sơ có dạng {example} "
        "(in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả). Bạn gửi lại giúp mình nhé, "
        "hoặc gõ \"thôi\" để dừng."
    ).format(example=EXAMPLE_CODE)
    ONLY_FOUR_DIGITS = (
        "Mình chỉ cần đúng 4 chữ số cuối của số điện thoại, không cần cả số. "
        "Để bảo vệ thông tin, bạn đừng gửi số điện thoại đầy đủ nhé."
    )
    NOT_FOUR_DIGITS = "Bạn gửi giúp mình đúng 4 chữ số cuối của số điện thoại đã khai trong hồ sơ (ví dụ: 5678)."
    REJECTED = (
        "Mã hồ sơ hoặc 4 số cuối số điện thoại chưa khớp với dữ liệu. Bạn kiểm tra lại rồi gửi lại "
        "4 số cuối, hoặc gửi mã hồ sơ khác nếu mã bị nhầm."
    )
    LOCKED = (
        "Gần đây có quá nhiều lượt nhập sai. Để bảo vệ thông tin hồ sơ, việc tra cứu tạm khóa đến "
        "{until}. Bạn vui lòng thử lại sau thời điểm đó, hoặc liên hệ {hotline}."
    )
    NOT_VERIFIED = (
        "Mình chưa xác minh được hồ sơ này trong cuộc trò chuyện này (hoặc lần xác minh đã quá "
        f"{VERIFICATION_TTL // timedelta(minutes=1)} phút). Bạn nhắn \"tra cứu hồ sơ\" để xác minh lại nhé."
    )
    UNAVAILABLE = "Xin lỗi, hệ thống tra cứu hồ sơ đang gặp sự cố. Bạn thử lại sau ít phút hoặc liên hệ {hotline}."
    CANCELLED = "Đã dừng tra cứu hồ sơ. Khi cần, bạn nhắn \"tra cứu hồ sơ\" để bắt đầu lại nhé."
    CANCELLED_SURVEY = "Đã dừng đánh giá. Khi cần, bạn nhắn \"đánh giá dịch vụ\" để bắt đầu lại nhé."
    VERIFIED_FOR_SURVEY = "Đã xác minh hồ sơ {code} ({procedure})."
    OFFER_SURVEY = "Bạn có muốn đánh giá mức độ hài lòng về việc giải quyết hồ sơ này không?"
    OFFER_UPDATE = "Bạn đã đánh giá hồ sơ này trước đây. Bạn có muốn cập nhật đánh giá không?"
    OFFER_NOTIFICATIONS = "Bạn muốn nhận tin nhắn khi hồ sơ {code} thay đổi trạng thái không?"


def day(moment: Optional[datetime]) -> str:
    """dd/mm/yyyy; empty when the date is unknown (never "None" in a reply)."""
    return f"{moment:%d/%m/%Y}" if moment else ""


def entity_code(tracker: Tracker) -> Optional[str]:
    value = next(tracker.get_latest_entity_values("dossier_code"), None)
    return find_dossier_code(str(value)) if value else None


def status_reply(view: DossierView) -> str:
    """Everything the citizen may know about their dossier, in plain Vietnamese."""
    lines = [
        f"📋 Hồ sơ {view.code}",
        f"Thủ tục: {view.procedure_name}",
        f"Người nộp: {view.applicant_masked}",
        f"Trạng thái: {view.status_name}",
        view.status_explanation,
        f"Ngày tiếp nhận: {day(view.received_at)}",
    ]
    if view.appointment_at:
        lines.append(f"Ngày hẹn trả kết quả: {day(view.appointment_at)}")
    if view.overdue:
        deadline = view.deadline_at or view.appointment_at
        lines.append(f"⚠️ Hồ sơ trễ hẹn {view.overdue_days} ngày (hạn giải quyết: {day(deadline)}).")
    elif view.appointment_at and view.status not in _FINISHED_WITHOUT_DEADLINE:
        moved = view.deadline_at and view.deadline_at.date() != view.appointment_at.date()
        note = (
            f" Hạn giải quyết được lùi đến {day(view.deadline_at)} vì thời gian chờ bạn bổ sung hoặc nộp phí"
            " không tính vào thời hạn."
            if moved else ""
        )
        lines.append(f"✅ Hồ sơ không trễ hẹn.{note}")
    if view.status == Status.YEU_CAU_BO_SUNG:
        request = view.supplement_request or f"bạn liên hệ {view.agency_name} để được hướng dẫn cụ thể"
        lines.append(f"📎 Cần bổ sung: {request}")
        lines.append(f"Nộp bổ sung tại: {view.agency_name}, {view.agency_address}")
    if view.status == Status.DA_XU_LY_XONG:
        phone = f" (ĐT: {view.agency_phone})" if view.agency_phone else ""
        lines.append(f"📍 Nhận kết quả tại: {view.agency_name}, {view.agency_address}{phone}")
    return "\n".join(lines)


def lockout_reply(locked_until: Optional[datetime]) -> str:
    until = f"{locked_until:%H:%M} ngày {day(locked_until)}" if locked_until else "khoảng 15 phút nữa"
    return Texts.LOCKED.format(until=until, hotline=settings.hotline())


def client_address(tracker: Tracker) -> Optional[str]:
    """The citizen's network address, when the gateway passed it in the message metadata."""
    metadata = tracker.latest_message.get("metadata") or {}
    address = metadata.get("client_address") if isinstance(metadata, dict) else None
    return address if isinstance(address, str) else None


def verify(tracker: Tracker, code: str, digits: str) -> Optional[LookupResult]:
    """Check the digits against the dossier (one transaction); None if the database fails."""
    try:
        return run_transaction(lambda session: verify_and_get_dossier(
            session, code, digits, conversation_key=tracker.sender_id, client_address=client_address(tracker)
        ))
    except SQLAlchemyError:
        logger.exception("Dossier lookup failed")
        return None


def shown_dossier(tracker: Tracker, code: str) -> Optional[DossierView]:
    """The dossier if this conversation has a live verification of it; raises
    `NotVerifiedError` otherwise, None if the database fails."""
    try:
        return run_transaction(lambda session: verified_dossier(session, code, tracker.sender_id), read_only=True)
    except SQLAlchemyError:
        logger.exception("Dossier lookup failed")
        return None


def purpose(tracker: Tracker) -> str:
    return tracker.get_slot("lookup_purpose") or PURPOSE_STATUS


def wants_general_feedback(tracker: Tracker, text: str) -> bool:
    """The "Góp ý chung" button, or the citizen typing that they have no dossier in mind."""
    if next(tracker.get_latest_entity_values("feedback_scope"), None) == "general":
        return True
    phrase = " ".join(words(text))
    return "gop y chung" in phrase or "khong theo ho so" in phrase


def clear_lookup() -> list[EventType]:
    return [SlotSet(slot, None) for slot in LOOKUP_SLOTS] + [SlotSet("requested_slot", None)]


def offer_notifications(dispatcher: CollectingDispatcher, tracker: Tracker, view: DossierView) -> None:
    """After a verified lookup on Telegram or Zalo, while the dossier may still change: a button
    that subscribes this conversation (`actions.notifications`)."""
    if view.status in _FINAL_STATUSES or recipient_of(tracker.sender_id) is None:
        return
    dispatcher.utter_message(
        text=Texts.OFFER_NOTIFICATIONS.format(code=view.code),
        buttons=[{"title": SUBSCRIBE_TITLE, "payload": dossier_payload(SUBSCRIBE_INTENT, view.code)}],
    )


class ActionStartDossierLookup(Action):
    """Runs before the form: a fresh lookup, for the status or for rating a dossier."""

    def name(self) -> str:
        return "action_start_dossier_lookup"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent = tracker.latest_message.get("intent", {}).get("name")
        return start_lookup(PURPOSE_SURVEY if intent == "rate_service" else PURPOSE_STATUS, entity_code(tracker))


def start_lookup(lookup_purpose: str, code: Optional[str]) -> list[EventType]:
    """Events of a fresh lookup; `code` only when given in this message, never an old one."""
    return [
        SlotSet("lookup_purpose", lookup_purpose),
        SlotSet("dossier_code", code),
        SlotSet("phone_last4", None),
        SlotSet("survey_offered", False),
        SlotSet("requested_slot", None),
    ]


class ActionAskDossierCode(Action):
    """Asks for the code; when rating, also offers feedback without a dossier."""

    def name(self) -> str:
        return "action_ask_dossier_code"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if purpose(tracker) == PURPOSE_SURVEY:
            dispatcher.utter_message(
                text=Texts.ASK_CODE_FOR_SURVEY,
                buttons=[{"title": GENERAL_FEEDBACK_TITLE, "payload": GENERAL_FEEDBACK_PAYLOAD}],
            )
        else:
            dispatcher.utter_message(text=Texts.ASK_CODE)
        return []


class ActionAskPhoneLast4(Action):
    def name(self) -> str:
        return "action_ask_phone_last4"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=Texts.ASK_DIGITS)
        return []


class ValidateDossierLookupForm(FormValidationAction):
    """Checks the code's shape, then the 4 digits against the database.

    A slot reset to None since the last message (by the action starting the lookup) is a
    candidate too: it is passed over silently."""

    def name(self) -> str:
        return "validate_dossier_lookup_form"

    def validate_dossier_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # reset before the form started: nothing was typed
            return {"dossier_code": None}
        text = str(value)
        code = find_dossier_code(text)
        if code:
            return {"dossier_code": code}
        if wants_general_feedback(tracker, text):
            return {"dossier_code": None, "lookup_purpose": PURPOSE_GENERAL, "requested_slot": None}
        if is_cancel(text):
            return self._cancel(dispatcher, tracker)
        dispatcher.utter_message(text=Texts.BAD_CODE)  # never repeat what was typed: it may be a phone number
        return {"dossier_code": None}

    def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"phone_last4": None}
        text = str(value)
        if find_dossier_code(text):  # a new code instead of the digits: validate_dossier_code takes it
            return {"phone_last4": None}
        if is_cancel(text):
            return self._cancel(dispatcher, tracker)
        digits = only_digits(text)
        if len(digits) != 4:
            dispatcher.utter_message(text=Texts.ONLY_FOUR_DIGITS if len(digits) > 4 else Texts.NOT_FOUR_DIGITS)
            return {"phone_last4": None}
        code = tracker.get_slot("dossier_code")
        if not code:
            return {"phone_last4": None}
        result = verify(tracker, code, digits)
        if result is None:
            dispatcher.utter_message(text=Texts.UNAVAILABLE.format(hotline=settings.hotline()))
            return self._stop()
        if result.kind is LookupKind.LOCKED:
            dispatcher.utter_message(text=lockout_reply(result.locked_until))
            return self._stop()
        if result.kind is LookupKind.REJECTED:
            dispatcher.utter_message(text=Texts.REJECTED)  # unknown code and wrong digits alike
            return {"phone_last4": None}
        return {"phone_last4": DIGITS_CHECKED}  # the verification itself is recorded in the database

    def _cancel(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        dispatcher.utter_message(text=cancel_reply(tracker))
        return self._stop()

    @staticmethod
    def _stop() -> dict[str, Any]:
        """Ends the form with nothing verified: action_dossier_status then says nothing."""
        return {"dossier_code": None, "phone_last4": None, "lookup_purpose": None, "requested_slot": None}


def cancel_reply(tracker: Tracker) -> str:
    return Texts.CANCELLED_SURVEY if purpose(tracker) == PURPOSE_SURVEY else Texts.CANCELLED


class ActionCancelDossierLookup(Action):
    """"thôi" / deny while the form waits: stop politely (the rule then deactivates the form)."""

    def name(self) -> str:
        return "action_cancel_dossier_lookup"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=cancel_reply(tracker))
        return clear_lookup()


class ActionDossierStatus(Action):
    """After the form: verified → the status (or the survey when rating); else nothing to say."""

    def name(self) -> str:
        return "action_dossier_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = clear_lookup()
        if purpose(tracker) == PURPOSE_GENERAL:
            if not may_give_anonymous_feedback(tracker):
                dispatcher.utter_message(text=feedback_limit_reply())
                return events
            return events + start_survey(dispatcher, None)
        code = tracker.get_slot("dossier_code")
        if not (code and tracker.get_slot("phone_last4")):  # cancelled or locked: the validator has already said so
            return events
        # This action trusts no slot: only a verification recorded by the validator counts.
        try:
            view = shown_dossier(tracker, str(code))
        except NotVerifiedError:
            dispatcher.utter_message(text=Texts.NOT_VERIFIED)
            return events
        if view is None:
            dispatcher.utter_message(text=Texts.UNAVAILABLE.format(hotline=settings.hotline()))
            return events
        if purpose(tracker) == PURPOSE_SURVEY:
            dispatcher.utter_message(text=Texts.VERIFIED_FOR_SURVEY.format(code=view.code, procedure=view.procedure_name))
            return events + start_survey(dispatcher, view.code, rated_before=has_response(view.code))
        dispatcher.utter_message(text=status_reply(view))
        offer_notifications(dispatcher, tracker, view)
        if view.status != Status.DA_TRA_KET_QUA:
            return events + [SlotSet("survey_offered", False)]
        offer = Texts.OFFER_UPDATE if has_response(view.code) else Texts.OFFER_SURVEY
        dispatcher.utter_message(
            text=offer, buttons=[{"title": "Có", "payload": "/affirm"}, {"title": "Không", "payload": "/deny"}]
        )
        return events + [SlotSet("survey_offered", True), SlotSet("survey_dossier", view.code)]
