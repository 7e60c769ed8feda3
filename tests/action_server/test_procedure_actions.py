"""Every procedure action on a tracker, with a real knowledge base behind it."""
from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.procedures import ActionAnswerProcedure, ActionFallback, ActionRequestHuman
from tests.action_server.conftest import make_tracker

RESIDENCE = {"entity": "procedure", "value": "1.004222", "confidence": 0.9, "ambiguous": False}


def run(action: Any, tracker: Any, dispatcher: CollectingDispatcher) -> list[Any]:
    return action.run(dispatcher, tracker, {})


def test_fee_question_answers_per_channel_and_remembers_the_procedure(dispatcher: CollectingDispatcher) -> None:
    events = run(ActionAnswerProcedure(), make_tracker("ask_fee", "dk thuong tru mat bn tien", [RESIDENCE]), dispatcher)
    text = dispatcher.messages[0]["text"]
    assert "Đăng ký thường trú (mã 1.004222)" in text and "Trực tuyến: 10.000 đồng" in text
    assert SlotSet("procedure", "1.004222") in events


def test_follow_up_uses_the_procedure_in_context(dispatcher: CollectingDispatcher) -> None:
    tracker = make_tracker("ask_processing_time", "mất bao lâu", slots={"procedure": "1.004222"})
    run(ActionAnswerProcedure(), tracker, dispatcher)
    assert "Trực tiếp: 7 ngày làm việc" in dispatcher.messages[0]["text"]


def test_unsure_link_asks_with_the_top_three_as_buttons(dispatcher: CollectingDispatcher) -> None:
    vague = {
        "entity": "procedure", "value": "1.014063", "ambiguous": True,
        "candidates": [{"code": "1.014063", "name": "Cấp đổi thẻ căn cước", "score": 30},
                       {"code": "1.014064", "name": "Cấp lại thẻ căn cước", "score": 29},
                       {"code": "1.014061", "name": "Cấp thẻ căn cước", "score": 28}],
    }
    events = run(ActionAnswerProcedure(), make_tracker("ask_fee", "căn cước phí", [vague]), dispatcher)
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["payload"] for b in buttons] == [
        '/ask_procedure{"procedure": "1.014063"}', '/ask_procedure{"procedure": "1.014064"}', '/ask_procedure{"procedure": "1.014061"}',
    ]
    assert SlotSet("pending_aspect", "ask_fee") in events


def test_button_choice_answers_the_pending_question(dispatcher: CollectingDispatcher) -> None:
    chosen = {"entity": "procedure", "value": "1.014063"}
    tracker = make_tracker("ask_procedure", '/ask_procedure{"procedure": "1.014063"}', [chosen], {"pending_aspect": "ask_fee"})
    events = run(ActionAnswerProcedure(), tracker, dispatcher)
    assert "Lệ phí theo cách nộp" in dispatcher.messages[0]["text"] and "1.014063" in dispatcher.messages[0]["text"]
    assert SlotSet("pending_aspect", None) in events


def test_multi_case_documents_offer_the_cases_then_answer_one(dispatcher: CollectingDispatcher) -> None:
    run(ActionAnswerProcedure(), make_tracker("ask_documents", "nhập hộ khẩu cần gì", [RESIDENCE]), dispatcher)
    buttons = dispatcher.messages[0]["buttons"]
    assert buttons[0]["payload"] == '/ask_documents{"procedure": "1.004222", "document_case": "1"}'
    case_two = [RESIDENCE | {"confidence": None}, {"entity": "document_case", "value": "2"}]
    second = CollectingDispatcher()
    run(ActionAnswerProcedure(), make_tracker("ask_documents", buttons[1]["payload"], case_two), second)
    assert "trường hợp: Người được chăm sóc, nuôi dưỡng, trợ giúp" in second.messages[0]["text"]


def test_single_case_documents_are_listed_directly(dispatcher: CollectingDispatcher) -> None:
    birth = {"entity": "procedure", "value": "1.001193"}
    run(ActionAnswerProcedure(), make_tracker("ask_documents", "khai sinh can gi", [birth]), dispatcher)
    assert not any(message["buttons"] for message in dispatcher.messages)
    text = "\n".join(message["text"] for message in dispatcher.messages)
    assert "Thủ tục đăng ký khai sinh (mã 1.001193)" in text and "Hồ sơ cần có:" in text
    assert "[Giấy tờ phải xuất trình]" in text


def test_no_procedure_anywhere_asks_to_name_it_and_offers_the_hotline(dispatcher: CollectingDispatcher, monkeypatch: Any) -> None:
    monkeypatch.setenv("HOTLINE_TEXT", "Tổng đài 1900 0000")
    events = run(ActionAnswerProcedure(), make_tracker("ask_fee", "phí bao nhiêu"), dispatcher)
    assert "chưa xác định được bạn hỏi thủ tục nào" in dispatcher.messages[0]["text"]
    assert "Tổng đài 1900 0000" in dispatcher.messages[0]["text"]
    assert SlotSet("pending_aspect", "ask_fee") in events


def test_named_after_being_asked_answers_the_original_question(dispatcher: CollectingDispatcher) -> None:
    tracker = make_tracker("ask_procedure", "đăng ký thường trú", [RESIDENCE], {"pending_aspect": "ask_online"})
    run(ActionAnswerProcedure(), tracker, dispatcher)
    assert "Có, thủ tục này nộp trực tuyến được." in dispatcher.messages[0]["text"]


def test_request_human_gives_configured_contacts(dispatcher: CollectingDispatcher, monkeypatch: Any) -> None:
    monkeypatch.setenv("HOTLINE_TEXT", "Tổng đài 1900 1234")
    monkeypatch.setenv("OFFICE_TEXT", "Trung tâm Phục vụ hành chính công xã A")
    run(ActionRequestHuman(), make_tracker("request_human", "cho gặp cán bộ"), dispatcher)
    assert "Tổng đài 1900 1234" in dispatcher.messages[0]["text"]
    assert "Trung tâm Phục vụ hành chính công xã A" in dispatcher.messages[0]["text"]


def test_fallback_is_honest_and_offers_the_hotline(dispatcher: CollectingDispatcher) -> None:
    run(ActionFallback(), make_tracker("nlu_fallback", "asdf"), dispatcher)
    assert "chưa hiểu ý bạn" in dispatcher.messages[0]["text"] and "1900" in dispatcher.messages[0]["text"]


def test_a_long_document_answer_comes_as_several_messages_with_one_link(dispatcher: CollectingDispatcher) -> None:
    marriage = {"entity": "procedure", "value": "2.000806"}
    run(ActionAnswerProcedure(), make_tracker("ask_documents", "ket hon voi nguoi nuoc ngoai can gi", [marriage]), dispatcher)
    texts = [message["text"] for message in dispatcher.messages]
    assert len(texts) > 1 and texts[0].startswith("📄 Thủ tục đăng ký kết hôn có yếu tố nước ngoài (mã 2.000806)")
    assert sum(text.count("Xem đầy đủ") for text in texts) == 1 and texts[-1].splitlines()[-1].startswith("Xem đầy đủ: ")
    assert not any("…" in text for text in texts)


def test_a_typed_payload_with_an_object_for_a_code_is_asked_to_name_the_procedure(dispatcher: CollectingDispatcher) -> None:
    crafted = {"entity": "procedure", "value": {"code": "1.004222"}}
    events = run(ActionAnswerProcedure(), make_tracker("ask_fee", '/ask_fee{"procedure": {"code": "1.004222"}}', [crafted]), dispatcher)
    assert "chưa xác định được bạn hỏi thủ tục nào" in dispatcher.messages[0]["text"]
    assert SlotSet("pending_aspect", "ask_fee") in events
