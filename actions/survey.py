"""Satisfaction survey: the `survey_form`, for one verified dossier or as anonymous feedback.

Questions (each with buttons; typed answers work too, see `actions.choices`):
1. only when the dossier was rated before: update the earlier answers? (Có / Không)
2. overall level (`SATISFACTION_LABELS`)
3. for a dossier: the 9 criteria of `SURVEY_CRITERIA` ("bỏ qua" leaves one unanswered)
4. an optional comment ("Bỏ qua")

A survey starts from `start_survey` (after a verified lookup, the offer after a status-10
lookup, or "Góp ý chung"). `survey_stop` ends the form early ("cancel": the citizen
stopped; "keep": they keep their earlier answers). `action_submit_survey` saves once,
idempotently: the key is the conversation plus the id of the message that completed
the form, so a redelivered request never adds a second row.

Nothing here trusts the slots about which dossier may be rated: starting and saving a
survey for a dossier need a live verification of it by this conversation, recorded in
the database by the lookup (`bot.db.services.is_verified`). Anonymous feedback is
limited per sender and day. When the answers cannot be stored (database busy or down),
they stay in the slots with their idempotency key in `survey_pending`, and "gửi lại"
(`action_resend_survey`) stores them later.
"""
from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from datetime import timedelta
from typing import Any, Callable, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions import settings
from actions.choices import choose, is_cancel, is_no_comment, is_skip, yes_or_no
from bot.db.engine import run_transaction
from bot.db.models import KEY_LENGTH
from bot.db.privacy import salted_hash
from bot.db.services import (
    ANONYMOUS_FEEDBACK_PER_DAY,
    VERIFICATION_TTL,
    FeedbackLimitError,
    NotVerifiedError,
    SurveyAnswers,
    SurveyOutcome,
    SurveySaveResult,
    UnknownDossierError,
    anonymous_feedback_limit_reached,
    has_survey_response,
    is_verified,
    require_verification,
    save_survey_response,
)
from bot.db.texts import SATISFACTION_LABELS, SURVEY_CRITERIA, Criterion
from vntext import normalize

logger = logging.getLogger(__name__)

LEVELS = tuple(SATISFACTION_LABELS)  # stored levels in display order: 3, 2, 1
CRITERION_SLOTS = {criterion.key: f"survey_{criterion.key}" for criterion in SURVEY_CRITERIA}
ANSWER_SLOTS = ("survey_update", "survey_overall", *CRITERION_SLOTS.values(), "survey_comment")
# survey_pending: idempotency key of answers that could not be stored yet ("gửi lại" retries)
STATE_SLOTS = ("survey_dossier", "survey_rated_before", "survey_stop", "survey_pending")
STOP_CANCEL, STOP_KEEP = "cancel", "keep"
SKIPPED = ""  # a criterion that does not apply, or no comment
MAX_COMMENT_CHARS = 1000
_LONG_NUMBER = re.compile(r"(?<!\d)(?:\d[ .]?){8,}\d(?!\d)")  # phone or identity numbers in a comment


class Texts:
    START = (
        "Cảm ơn bạn! Phiếu đánh giá hồ sơ {code} gồm {count} câu ngắn: bấm nút hoặc gõ số thứ tự "
        "để trả lời, gõ \"thôi\" để dừng."
    )
    START_GENERAL = (
        "Cảm ơn bạn! Mời bạn góp ý chung về dịch vụ công (không gắn với hồ sơ nào): bấm nút hoặc gõ số "
        "thứ tự để trả lời, gõ \"thôi\" để dừng."
    )
    ASK_UPDATE = "Hồ sơ {code} bạn đã đánh giá trước đây. Bạn có muốn cập nhật đánh giá không?"
    ASK_COMMENT = (
        "Cuối cùng, bạn có góp ý gì thêm không? Bạn gõ góp ý (đừng ghi số điện thoại hay số định danh), "
        "hoặc bấm \"Bỏ qua\"."
    )
    ASK_OVERALL = "Câu 1/{count} — Nhìn chung, bạn có hài lòng với việc giải quyết hồ sơ {code} không?"
    ASK_OVERALL_GENERAL = "Nhìn chung, bạn có hài lòng với chất lượng phục vụ của cơ quan hành chính không?"
    ASK_CRITERION = "Câu {number}/{count} — {question}:"
    SKIP_HINT = "(Gõ \"bỏ qua\" nếu câu này không áp dụng với hồ sơ của bạn.)"
    NOT_UNDERSTOOD = "Mình chưa hiểu câu trả lời. Bạn bấm một nút hoặc gõ số thứ tự nhé (gõ \"thôi\" để dừng đánh giá)."
    YES_OR_NO = "Bạn bấm \"Có\" hoặc \"Không\" giúp mình nhé."
    CANCELLED = "Đã dừng đánh giá, các câu trả lời chưa được lưu. Khi cần, bạn nhắn \"đánh giá dịch vụ\" để đánh giá lại nhé."
    KEPT = "Mình giữ nguyên đánh giá trước đây của bạn. Cảm ơn bạn!"
    SAVED = "Đã ghi nhận đánh giá của bạn."
    UPDATED = "Đã cập nhật đánh giá của bạn cho hồ sơ {code}."
    THANKS = "Cảm ơn bạn đã dành thời gian đánh giá! Ý kiến của bạn giúp cơ quan phục vụ người dân tốt hơn."
    NOT_SAVED = "Xin lỗi, hệ thống chưa lưu được đánh giá của bạn. Bạn thử lại sau ít phút hoặc liên hệ {hotline}."
    KEPT_FOR_LATER = (
        "Xin lỗi, hệ thống đang bận nên chưa lưu được đánh giá của bạn. Mình vẫn giữ các câu trả lời: "
        "vài phút nữa bạn nhắn \"gửi lại\" để lưu, không cần trả lời lại. Cần hỗ trợ, bạn liên hệ {hotline}."
    )
    NOTHING_TO_RESEND = "Hiện không có đánh giá nào đang chờ gửi lại. Bạn nhắn \"đánh giá dịch vụ\" để đánh giá nhé."
    NOT_VERIFIED = (
        "Mình chưa lưu đánh giá vì chưa xác minh được hồ sơ {code} trong cuộc trò chuyện này "
        f"(mỗi lần xác minh có hiệu lực {VERIFICATION_TTL // timedelta(minutes=1)} phút). "
        "Bạn nhắn \"đánh giá dịch vụ\" để xác minh hồ sơ rồi đánh giá nhé."
    )
    FEEDBACK_LIMIT = (
        f"Hôm nay bạn đã gửi {ANONYMOUS_FEEDBACK_PER_DAY} góp ý chung, mình đã ghi nhận đủ. "
        "Bạn có thể góp ý tiếp từ ngày mai, hoặc liên hệ {hotline}."
    )
    UNKNOWN_DOSSIER = "Xin lỗi, không còn tìm thấy hồ sơ này nên chưa lưu được đánh giá. Bạn liên hệ {hotline} nhé."
    NO_DOSSIER = "Bạn nhắn \"đánh giá dịch vụ\" để bắt đầu đánh giá nhé."
    DECLINED = "Dạ vâng, cảm ơn bạn. Bạn cần hỏi thêm gì về thủ tục hành chính không ạ?"


def options(labels: list[str]) -> list[dict[str, str]]:
    """Buttons whose payload is the label itself (read back by `choices.choose`, so a press, a
    typed label and a typed number, the button's place, go the same way). The choices are said
    once, as buttons: every channel shows them in order (the terminal numbers them)."""
    return [{"title": label, "payload": label} for label in labels]


def has_response(code: str) -> bool:
    """Whether the dossier was rated before (False if the database cannot tell)."""
    try:
        return run_transaction(lambda session: has_survey_response(session, code), read_only=True)
    except SQLAlchemyError:
        logger.exception("Survey lookup failed")
        return False


def may_give_anonymous_feedback(tracker: Tracker) -> bool:
    """False once the sender reached the daily limit (checked again when saving; True if
    the database cannot tell)."""
    try:
        reached = run_transaction(
            lambda session: anonymous_feedback_limit_reached(session, tracker.sender_id), read_only=True
        )
    except SQLAlchemyError:
        logger.exception("Feedback limit lookup failed")
        return True
    return not reached


def feedback_limit_reply() -> str:
    return Texts.FEEDBACK_LIMIT.format(hotline=settings.hotline())


def dossier_slot(tracker: Tracker) -> Optional[str]:
    """The dossier being rated, as text whatever a crafted request put in the slot."""
    code = tracker.get_slot("survey_dossier")
    return str(code) if code is not None else None


def question_count(code: Optional[str], rated_before: bool) -> int:
    return 2 + (len(SURVEY_CRITERIA) if code else 0) + (1 if rated_before else 0)


def start_survey(
    dispatcher: CollectingDispatcher, code: Optional[str], rated_before: bool = False, update_confirmed: bool = False
) -> list[EventType]:
    """Events that start a fresh `survey_form` for `code` (None: anonymous feedback)."""
    if code is None:
        dispatcher.utter_message(text=Texts.START_GENERAL)
    elif not rated_before or update_confirmed:
        dispatcher.utter_message(text=Texts.START.format(code=code, count=question_count(code, False)))
    return [
        *(SlotSet(slot, None) for slot in ANSWER_SLOTS),
        SlotSet("survey_dossier", code),
        SlotSet("survey_rated_before", rated_before),
        SlotSet("survey_update", "yes" if rated_before and update_confirmed else None),
        SlotSet("survey_stop", None),
        SlotSet("survey_pending", None),  # answers still waiting for "gửi lại" are given up
        SlotSet("survey_offered", False),
        SlotSet("requested_slot", None),
        FollowupAction("survey_form"),
    ]


def clear_survey() -> list[EventType]:
    return [
        *(SlotSet(slot, None) for slot in (*ANSWER_SLOTS, *STATE_SLOTS)),
        SlotSet("survey_offered", False),
        SlotSet("requested_slot", None),
    ]


# --- questions --------------------------------------------------------------------------

class ActionAskSurveyUpdate(Action):
    def name(self) -> str:
        return "action_ask_survey_update"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(
            text=Texts.ASK_UPDATE.format(code=tracker.get_slot("survey_dossier")),
            buttons=[{"title": "Có", "payload": "Có"}, {"title": "Không", "payload": "Không"}],
        )
        return []


class ActionAskSurveyOverall(Action):
    def name(self) -> str:
        return "action_ask_survey_overall"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        code = tracker.get_slot("survey_dossier")
        question = Texts.ASK_OVERALL.format(code=code, count=question_count(code, False)) if code else Texts.ASK_OVERALL_GENERAL
        dispatcher.utter_message(text=question, buttons=options(list(SATISFACTION_LABELS.values())))
        return []


class _AskCriterion(Action, ABC):
    """Asks one criterion of `SURVEY_CRITERIA`; one subclass per criterion, made below
    (abstract, so that rasa-sdk does not register this base class as an action)."""

    number: int

    @property
    @abstractmethod
    def criterion(self) -> Criterion:
        """The criterion asked."""

    def name(self) -> str:
        return f"action_ask_{CRITERION_SLOTS[self.criterion.key]}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # numbered within the whole questionnaire announced at the start (the overall question is 1)
        total = question_count(tracker.get_slot("survey_dossier"), False)
        question = Texts.ASK_CRITERION.format(number=self.number + 1, count=total, question=self.criterion.question)
        dispatcher.utter_message(text=f"{question}\n{Texts.SKIP_HINT}", buttons=options(list(self.criterion.choices.values())))
        return []


# rasa-sdk registers every concrete Action subclass that exists once the package is
# imported (kept referenced here): action_ask_survey_total_time, …
ASK_CRITERION_ACTIONS: tuple[type[Action], ...] = tuple(
    type(f"ActionAskSurvey_{criterion.key}", (_AskCriterion,), {"criterion": criterion, "number": number})
    for number, criterion in enumerate(SURVEY_CRITERIA, 1)
)


class ActionAskSurveyComment(Action):
    def name(self) -> str:
        return "action_ask_survey_comment"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        code = tracker.get_slot("survey_dossier")
        total = question_count(code, False)
        text = f"Câu {total}/{total} — {Texts.ASK_COMMENT}" if code else Texts.ASK_COMMENT
        dispatcher.utter_message(text=text, buttons=[{"title": "Bỏ qua", "payload": "Bỏ qua"}])
        return []


# --- answers ----------------------------------------------------------------------------

Validator = Callable[..., dict[str, Any]]


class ValidateSurveyForm(FormValidationAction):
    """Reads each answer into its slot ("3", "2", "1", "0" or "" for skipped).

    A slot reset to None by `start_survey` is a candidate too: it is passed over silently."""

    def name(self) -> str:
        return "validate_survey_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot("survey_stop"):
            return []
        slots = ["survey_update"] if tracker.get_slot("survey_rated_before") else []
        slots.append("survey_overall")
        if tracker.get_slot("survey_dossier"):
            slots.extend(CRITERION_SLOTS.values())
        return slots + ["survey_comment"]

    def validate_survey_update(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"survey_update": None}
        text = str(value)
        answer = True if text == "yes" else yes_or_no(text, _intent(tracker))
        if answer is True:
            return {"survey_update": "yes"}
        if answer is False:
            return {"survey_update": "no", "survey_stop": STOP_KEEP}
        return _unclear("survey_update", text, dispatcher, Texts.YES_OR_NO)

    def validate_survey_overall(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"survey_overall": None}
        text = str(value)
        index = choose(text, list(SATISFACTION_LABELS.values()))
        if index is not None:
            return {"survey_overall": str(LEVELS[index])}
        return _unclear("survey_overall", text, dispatcher)

    def validate_survey_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"survey_comment": None}
        text = normalize(str(value))
        if is_no_comment(text):
            return {"survey_comment": SKIPPED}
        return {"survey_comment": clean_comment(text)}


def _criterion_validator(criterion: Criterion) -> Validator:
    slot = CRITERION_SLOTS[criterion.key]
    values, labels = list(criterion.choices), list(criterion.choices.values())

    def validate(
        self: ValidateSurveyForm, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {slot: None}
        text = str(value)
        index = choose(text, labels)
        if index is not None:
            return {slot: str(values[index])}
        if is_skip(text):
            return {slot: SKIPPED}
        return _unclear(slot, text, dispatcher)

    validate.__name__ = f"validate_{slot}"
    return validate


# rasa-sdk calls `validate_<slot>` for each slot; one per criterion.
for _criterion in SURVEY_CRITERIA:
    setattr(ValidateSurveyForm, f"validate_{CRITERION_SLOTS[_criterion.key]}", _criterion_validator(_criterion))


def _intent(tracker: Tracker) -> Optional[str]:
    return tracker.latest_message.get("intent", {}).get("name")


def _unclear(slot: str, text: str, dispatcher: CollectingDispatcher, hint: str = Texts.NOT_UNDERSTOOD) -> dict[str, Any]:
    """Not an answer: a wish to stop ends the form, anything else asks again."""
    if is_cancel(text):
        return {slot: None, "survey_stop": STOP_CANCEL}
    dispatcher.utter_message(text=hint)
    return {slot: None}


def clean_comment(text: str) -> str:
    """The comment as stored: long digit runs (phone, identity numbers) hidden, length capped."""
    return _LONG_NUMBER.sub("[số đã ẩn]", text)[:MAX_COMMENT_CHARS]


# --- starting, declining, saving --------------------------------------------------------

class ActionStartSurvey(Action):
    """The citizen accepted the survey offered after a status-10 lookup."""

    def name(self) -> str:
        return "action_start_survey"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        code = dossier_slot(tracker)
        if not code:
            dispatcher.utter_message(text=Texts.NO_DOSSIER)
            return [SlotSet("survey_offered", False)]
        try:
            verified = run_transaction(lambda session: is_verified(session, code, tracker.sender_id), read_only=True)
        except SQLAlchemyError:
            logger.exception("Verification lookup failed")
            dispatcher.utter_message(text=Texts.NOT_SAVED.format(hotline=settings.hotline()))
            return [SlotSet("survey_offered", False)]
        if not verified:
            dispatcher.utter_message(text=Texts.NOT_VERIFIED.format(code=code))
            return [SlotSet("survey_offered", False), SlotSet("survey_dossier", None)]
        rated_before = has_response(code)  # the offer already asked whether to update
        return start_survey(dispatcher, code, rated_before=rated_before, update_confirmed=rated_before)


class ActionDeclineSurvey(Action):
    def name(self) -> str:
        return "action_decline_survey"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=Texts.DECLINED)
        return [SlotSet("survey_offered", False), SlotSet("survey_dossier", None)]


def idempotency_key(tracker: Tracker) -> str:
    """Conversation (hashed) + id of the message that completed the form: the same
    delivery always gives the same key."""
    user: dict[str, Any] = next((event for event in reversed(tracker.events) if event.get("event") == "user"), {})
    message = user.get("message_id") or tracker.latest_message.get("message_id") or user.get("timestamp") or ""
    return f"survey:{salted_hash(tracker.sender_id)[:32]}:{message}"[:KEY_LENGTH]


def source_channel(tracker: Tracker) -> Optional[str]:
    """"telegram", "zalo", "web"… from the gateway's sender ids ("telegram:123"), else Rasa's channel."""
    channel = tracker.sender_id.split(":", 1)[0] if ":" in tracker.sender_id else tracker.get_latest_input_channel()
    return channel[:32] if channel else None


def answers_from(tracker: Tracker) -> SurveyAnswers:
    criteria = {
        key: int(tracker.get_slot(slot))
        for key, slot in CRITERION_SLOTS.items()
        if tracker.get_slot(slot) not in (None, SKIPPED)
    }
    comment = tracker.get_slot("survey_comment") or None
    return SurveyAnswers(int(tracker.get_slot("survey_overall")), criteria, comment)


class ActionSubmitSurvey(Action):
    """After the form: save the answers once (or say why not), thank the citizen."""

    def name(self) -> str:
        return "action_submit_survey"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        stop = tracker.get_slot("survey_stop")
        if stop == STOP_CANCEL:
            dispatcher.utter_message(text=Texts.CANCELLED)
            return clear_survey()
        if stop == STOP_KEEP:
            dispatcher.utter_message(text=Texts.KEPT)
            return clear_survey()
        if tracker.get_slot("survey_overall") is None:
            return clear_survey()
        return store_answers(dispatcher, tracker, idempotency_key(tracker))


class ActionResendSurvey(Action):
    """"gửi lại": store the answers kept after a failed save, under the same key (so a save
    that did succeed after all is not stored twice)."""

    def name(self) -> str:
        return "action_resend_survey"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        key = tracker.get_slot("survey_pending")
        if not key or tracker.get_slot("survey_overall") is None:
            dispatcher.utter_message(text=Texts.NOTHING_TO_RESEND)
            return []
        return store_answers(dispatcher, tracker, str(key)[:KEY_LENGTH])


def store_answers(dispatcher: CollectingDispatcher, tracker: Tracker, key: str) -> list[EventType]:
    """Save the answers in the slots under `key`; keep them for "gửi lại" if the database fails."""
    code = dossier_slot(tracker)
    hotline = settings.hotline()
    try:
        answers = answers_from(tracker)
        result = run_transaction(lambda session: _save(session, tracker, key, answers, code))
    except NotVerifiedError:
        dispatcher.utter_message(text=Texts.NOT_VERIFIED.format(code=code))
        return clear_survey()
    except UnknownDossierError:
        dispatcher.utter_message(text=Texts.UNKNOWN_DOSSIER.format(hotline=hotline))
        return clear_survey()
    except FeedbackLimitError:
        dispatcher.utter_message(text=feedback_limit_reply())
        return clear_survey()
    except (ValueError, TypeError):  # slot values no form could have produced
        dispatcher.utter_message(text=Texts.NOT_SAVED.format(hotline=hotline))
        return clear_survey()
    except SQLAlchemyError:
        logger.exception("Saving a survey response failed; answers kept for a retry")
        dispatcher.utter_message(text=Texts.KEPT_FOR_LATER.format(hotline=hotline))
        return [SlotSet("survey_pending", key)]
    done = Texts.UPDATED.format(code=code) if result.outcome is SurveyOutcome.UPDATED else Texts.SAVED
    dispatcher.utter_message(text=f"{done} {Texts.THANKS}")
    return clear_survey()


def _save(session: Session, tracker: Tracker, key: str, answers: SurveyAnswers, code: Optional[str]) -> SurveySaveResult:
    if code is not None:
        require_verification(session, code, tracker.sender_id)
    return save_survey_response(
        session,
        idempotency_key=key,
        answers=answers,
        dossier_code=code,
        source_channel=source_channel(tracker),
        sender_id=tracker.sender_id,
    )
