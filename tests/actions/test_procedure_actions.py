"""Every procedure action on a tracker, with a real knowledge base behind it."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.procedures import ActionAnswerProcedure, ActionFallback, ActionRequestHuman
from actions.settings import hotline
from tests.helpers.actions import buttons_of, make_tracker, text_of

RESIDENCE = {"entity": "procedure", "value": "1.004222", "confidence": 0.9, "ambiguous": False}


def run(action: Any, tracker: Any, dispatcher: CollectingDispatcher) -> list[Any]:
    return action.run(dispatcher, tracker, {})


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [text_of(message) for message in dispatcher.messages]


def test_fee_question_answers_fee_first_and_remembers_the_procedure(
    dispatcher: CollectingDispatcher,
) -> None:
    events = run(
        ActionAnswerProcedure(),
        make_tracker("ask_fee", "dk thuong tru mat bn tien", [RESIDENCE]),
        dispatcher,
    )
    text = text_of(dispatcher.messages[0])
    assert (
        text.startswith("Lệ phí tùy cách nộp:\n• Trực tuyến: 10.000 đồng")
        and "📄 Đăng ký thường trú (mã 1.004222)" in text
    )
    assert [b["title"] for b in buttons_of(dispatcher.messages[-1])] == [
        "Giấy tờ cần nộp",
        "Nộp ở đâu",
    ]
    assert SlotSet("procedure", "1.004222") in events


def test_follow_up_uses_the_procedure_in_context(dispatcher: CollectingDispatcher) -> None:
    tracker = make_tracker("ask_processing_time", "mất bao lâu", slots={"procedure": "1.004222"})
    run(ActionAnswerProcedure(), tracker, dispatcher)
    assert text_of(dispatcher.messages[0]).startswith(
        "Thời hạn giải quyết: 7 ngày làm việc, mọi cách nộp."
    )


def test_unsure_link_asks_with_the_top_three_as_buttons(dispatcher: CollectingDispatcher) -> None:
    vague = {
        "entity": "procedure",
        "value": "1.014063",
        "ambiguous": True,
        "candidates": [
            {"code": "1.014063", "name": "Cấp đổi thẻ căn cước", "score": 30},
            {"code": "1.014064", "name": "Cấp lại thẻ căn cước", "score": 29},
            {"code": "1.014061", "name": "Cấp thẻ căn cước", "score": 28},
        ],
    }
    events = run(
        ActionAnswerProcedure(), make_tracker("ask_fee", "căn cước phí", [vague]), dispatcher
    )
    buttons = buttons_of(dispatcher.messages[0])
    assert [b["payload"] for b in buttons] == [
        '/ask_procedure{"procedure": "1.014063"}',
        '/ask_procedure{"procedure": "1.014064"}',
        '/ask_procedure{"procedure": "1.014061"}',
    ]
    assert SlotSet("pending_aspect", "ask_fee") in events


def test_button_choice_answers_the_pending_question(dispatcher: CollectingDispatcher) -> None:
    chosen = {"entity": "procedure", "value": "1.014063"}
    tracker = make_tracker(
        "ask_procedure",
        '/ask_procedure{"procedure": "1.014063"}',
        [chosen],
        {"pending_aspect": "ask_fee"},
    )
    events = run(ActionAnswerProcedure(), tracker, dispatcher)
    assert text_of(dispatcher.messages[0]).startswith(
        "Lệ phí tùy cách nộp:"
    ) and "(mã 1.014063)" in text_of(dispatcher.messages[0])
    assert SlotSet("pending_aspect", None) in events


def test_multi_case_documents_offer_plain_cases_then_answer_one(
    dispatcher: CollectingDispatcher,
) -> None:
    run(
        ActionAnswerProcedure(),
        make_tracker("ask_documents", "nhập hộ khẩu cần gì", [RESIDENCE]),
        dispatcher,
    )
    buttons = buttons_of(dispatcher.messages[0])
    assert text_of(dispatcher.messages[0]).startswith(
        "Giấy tờ cần nộp tùy trường hợp của bạn. Bạn thuộc trường hợp nào?"
    )
    assert [b["title"] for b in buttons[:3]] == [
        "Nhà của mình",
        "Được chăm sóc, nuôi dưỡng",
        "Nhà người thân",
    ]
    assert buttons[0]["payload"] == '/ask_documents{"procedure": "1.004222", "document_case": "1"}'
    case_two = [RESIDENCE | {"confidence": None}, {"entity": "document_case", "value": "2"}]
    second = CollectingDispatcher()
    run(
        ActionAnswerProcedure(),
        make_tracker("ask_documents", buttons[1]["payload"], case_two),
        second,
    )
    assert text_of(second.messages[0]).startswith(
        "Giấy tờ chính cần nộp — Được chăm sóc, nuôi dưỡng:"
    )


def test_a_question_naming_the_case_gets_that_case_directly(
    dispatcher: CollectingDispatcher,
) -> None:
    run(
        ActionAnswerProcedure(),
        make_tracker("ask_documents", "nhập hộ khẩu cho vợ về nhà chồng cần gì", [RESIDENCE]),
        dispatcher,
    )
    assert text_of(dispatcher.messages[0]).startswith("Giấy tờ chính cần nộp — Nhà người thân:")


def test_a_bare_need_naming_the_case_offers_that_case_s_papers(
    dispatcher: CollectingDispatcher,
) -> None:
    run(
        ActionAnswerProcedure(),
        make_tracker("ask_procedure", "nhập hộ khẩu cho vợ về nhà chồng", [RESIDENCE]),
        dispatcher,
    )
    assert text_of(dispatcher.messages[0]).startswith("Nộp tại Công an cấp Xã.")
    first = buttons_of(dispatcher.messages[-1])[0]
    assert first == {
        "title": "Giấy tờ: Nhà người thân",
        "payload": '/ask_documents{"procedure": "1.004222", "document_case": "3"}',
    }


def test_case_papers_and_official_steps_and_full_name_come_from_buttons(
    dispatcher: CollectingDispatcher,
) -> None:
    birth = {"entity": "procedure", "value": "1.001193"}
    run(
        ActionAnswerProcedure(),
        make_tracker(
            "ask_documents", "/ask_documents", [birth, {"entity": "detail", "value": "case_papers"}]
        ),
        dispatcher,
    )
    assert text_of(dispatcher.messages[0]).startswith(
        "Giấy tờ chỉ nộp khi đúng trường hợp của bạn:"
    )
    steps = CollectingDispatcher()
    run(
        ActionAnswerProcedure(),
        make_tracker(
            "ask_steps", "/ask_steps", [birth, {"entity": "detail", "value": "official_steps"}]
        ),
        steps,
    )
    assert text_of(steps.messages[0]).startswith("Các bước theo Cổng Dịch vụ công:\n1. ")
    name = CollectingDispatcher()
    run(
        ActionAnswerProcedure(),
        make_tracker(
            "ask_procedure", "/ask_procedure", [birth, {"entity": "detail", "value": "name"}]
        ),
        name,
    )
    assert text_of(name.messages[0]).startswith("Tên đầy đủ: Thủ tục đăng ký khai sinh")


def test_single_case_documents_are_listed_main_papers_first(
    dispatcher: CollectingDispatcher,
) -> None:
    birth = {"entity": "procedure", "value": "1.001193"}
    run(
        ActionAnswerProcedure(),
        make_tracker("ask_documents", "đk khai sinh cho bé cần j", [birth]),
        dispatcher,
    )
    text = "\n".join(texts(dispatcher))
    assert (
        text.startswith("Giấy tờ chính cần nộp:\n1. Giấy chứng sinh;")
        and "📄 Đăng ký khai sinh (mã 1.001193)" in text
    )
    assert [b["title"] for b in buttons_of(dispatcher.messages[-1])][:3] == [
        "Xem giấy tờ theo trường hợp",
        "Lệ phí",
        "Nộp ở đâu",
    ]
    assert not any(buttons_of(message) for message in dispatcher.messages[:-1])


def test_a_follow_up_that_would_change_the_procedure_asks_first(
    dispatcher: CollectingDispatcher,
) -> None:
    """After the passport, "con dưới 14 tuổi thì sao" links to căn cước by its qualifier: ask."""
    passport = "1.001456"
    identity = {"entity": "procedure", "value": "1.014061", "matched": ["word: 14", "word: tuổi"]}
    tracker = make_tracker(
        "ask_procedure", "con dưới 14 tuổi thì sao", [identity], {"procedure": passport}
    )
    events = run(ActionAnswerProcedure(), tracker, dispatcher)
    message = dispatcher.messages[0]
    assert (
        text_of(message)
        == "Bạn vẫn hỏi về «Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)» phải không?"
    )
    assert [b["payload"] for b in buttons_of(message)] == [
        '/ask_procedure{"procedure": "1.001456"}',
        '/ask_procedure{"procedure": "1.014061"}',
    ]
    assert buttons_of(message)[0]["title"] == "Đúng" and events == []
    named = CollectingDispatcher()
    tracker = make_tracker(
        "ask_fee", "còn làm căn cước thì lệ phí sao", [identity], {"procedure": passport}
    )
    run(ActionAnswerProcedure(), tracker, named)
    assert "(mã 1.014061)" in text_of(named.messages[0])  # named: switch without asking


def test_no_procedure_anywhere_asks_to_name_it_and_offers_the_hotline(
    dispatcher: CollectingDispatcher, monkeypatch: Any
) -> None:
    monkeypatch.setenv("HOTLINE_TEXT", "Tổng đài 1900 0000")
    events = run(ActionAnswerProcedure(), make_tracker("ask_fee", "phí bao nhiêu"), dispatcher)
    assert "chưa xác định được bạn hỏi thủ tục nào" in text_of(dispatcher.messages[0])
    assert "Tổng đài 1900 0000" in text_of(dispatcher.messages[0])
    assert SlotSet("pending_aspect", "ask_fee") in events


def test_named_after_being_asked_answers_the_original_question(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = make_tracker(
        "ask_procedure", "đăng ký thường trú", [RESIDENCE], {"pending_aspect": "ask_online"}
    )
    run(ActionAnswerProcedure(), tracker, dispatcher)
    assert text_of(dispatcher.messages[0]).startswith("Có, nộp hồ sơ online được")


def test_request_human_gives_configured_contacts(
    dispatcher: CollectingDispatcher, monkeypatch: Any
) -> None:
    monkeypatch.setenv("HOTLINE_TEXT", "Tổng đài 1900 1234")
    monkeypatch.setenv("OFFICE_TEXT", "Trung tâm Phục vụ hành chính công xã A")
    run(ActionRequestHuman(), make_tracker("request_human", "cho gặp cán bộ"), dispatcher)
    assert "Tổng đài 1900 1234" in text_of(dispatcher.messages[0])
    assert "Trung tâm Phục vụ hành chính công xã A" in text_of(dispatcher.messages[0])


def test_fallback_is_honest_and_offers_the_hotline(dispatcher: CollectingDispatcher) -> None:
    run(ActionFallback(), make_tracker("nlu_fallback", "asdf"), dispatcher)
    assert "chưa hiểu ý bạn" in text_of(dispatcher.messages[0]) and hotline() in text_of(
        dispatcher.messages[0]
    )


def test_a_long_document_answer_comes_as_several_messages_with_one_link(
    dispatcher: CollectingDispatcher,
) -> None:
    marriage = {"entity": "procedure", "value": "2.000806"}
    run(
        ActionAnswerProcedure(),
        make_tracker("ask_documents", "ket hon voi nguoi nuoc ngoai can gi", [marriage]),
        dispatcher,
    )
    sent = texts(dispatcher)
    assert len(sent) > 1 and sent[0].startswith("Giấy tờ chính cần nộp:\n1. ")
    assert sum(text.count("http") for text in sent) == 1 and sent[-1].splitlines()[-1].startswith(
        "https://"
    )
    assert sent[-1].splitlines()[-2] == "📄 Đăng ký kết hôn có yếu tố nước ngoài (mã 2.000806)"
    assert not any("…" in text for text in sent) and all(len(text) <= 900 for text in sent)


def test_a_typed_payload_with_an_object_for_a_code_is_asked_to_name_the_procedure(
    dispatcher: CollectingDispatcher,
) -> None:
    crafted = {"entity": "procedure", "value": {"code": "1.004222"}}
    events = run(
        ActionAnswerProcedure(),
        make_tracker("ask_fee", '/ask_fee{"procedure": {"code": "1.004222"}}', [crafted]),
        dispatcher,
    )
    assert "chưa xác định được bạn hỏi thủ tục nào" in text_of(dispatcher.messages[0])
    assert SlotSet("pending_aspect", "ask_fee") in events


def test_a_question_asking_two_aspects_gets_both_answers_in_order(
    dispatcher: CollectingDispatcher,
) -> None:
    aspects = [
        {"entity": "aspect", "value": "ask_fee", "start": 0, "end": 6},
        {"entity": "aspect", "value": "ask_processing_time", "start": 10, "end": 19},
    ]
    tracker = make_tracker(
        "ask_fee", "lệ phí và thời gian đăng ký thường trú", [RESIDENCE, *aspects]
    )
    events = run(ActionAnswerProcedure(), tracker, dispatcher)
    answers = texts(dispatcher)
    fee = next(i for i, text in enumerate(answers) if text.startswith("Lệ phí tùy cách nộp:"))
    time = next(
        i
        for i, text in enumerate(answers)
        if text.startswith("Thời hạn giải quyết: 7 ngày làm việc")
    )
    assert fee < time and SlotSet("procedure", "1.004222") in events


def test_two_aspects_wait_through_the_question_which_procedure(
    dispatcher: CollectingDispatcher,
) -> None:
    vague = {
        "entity": "procedure",
        "value": "1.014063",
        "ambiguous": True,
        "candidates": [
            {"code": "1.014063", "name": "Cấp đổi thẻ căn cước"},
            {"code": "1.004222", "name": "x"},
        ],
    }
    aspects = [
        {"entity": "aspect", "value": "ask_fee"},
        {"entity": "aspect", "value": "ask_processing_time"},
    ]
    events = run(
        ActionAnswerProcedure(),
        make_tracker("ask_fee", "lệ phí và thời gian", [vague, *aspects]),
        dispatcher,
    )
    assert SlotSet("pending_aspect", "ask_fee ask_processing_time") in events
    chosen = make_tracker(
        "ask_procedure",
        '/ask_procedure{"procedure": "1.004222"}',
        [RESIDENCE],
        {"pending_aspect": "ask_fee ask_processing_time"},
    )
    answered = CollectingDispatcher()
    run(ActionAnswerProcedure(), chosen, answered)
    replies = texts(answered)
    assert replies[0].startswith("Lệ phí tùy cách nộp:")
    assert any(text.startswith("Thời hạn giải quyết: 7 ngày làm việc") for text in replies)
