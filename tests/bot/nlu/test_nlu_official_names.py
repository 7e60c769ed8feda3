"""Questions quoting a procedure's official name (issue #14): exact links, masked intent words,
and questions asking two aspects."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.aspects import AspectExtractor, asked_aspects
from bot.nlu.official_names import PLACEHOLDER, default_names
from bot.nlu.procedure_linker import ProcedureLinker
from bot.nlu.tokenizer import VietnameseTokenizer
from vntext import fold

PASSPORT_LOST = "Trình báo mất hộ chiếu phổ thông"
BUILDING = "Gia hạn giấy phép xây dựng đối với công trình"
BUILDING_I_II = (
    f"{BUILDING} cấp đặc biệt, cấp I, cấp II (Công trình không theo tuyến/theo tuyến trong "
    "đô thị/tín ngưỡng, tôn giáo/tượng đài, tranh hoành tráng/sửa chữa, cải tạo/theo giai đoạn "
    "cho công trình không theo tuyến/theo giai đoạn cho công trình theo tuyến trong đô thị/Dự án)"
)
NOTARY = "Đăng ký tập sự hành nghề công chứng"
WATER = "Gia hạn, điều chỉnh giấy phép khai thác nước mặt, nước biển"
NOTARY_AGAIN = (
    "Đăng ký tập sự lại hành nghề công chứng sau khi chấm dứt tập sự hành nghề công chứng"
)


@pytest.fixture(scope="module")
def linker() -> ProcedureLinker:
    from rasa.engine.graph import GraphSchema

    context = ExecutionContext(GraphSchema({}), node_name="linker")
    return ProcedureLinker.create({}, None, Resource("linker"), context)  # type: ignore[arg-type]


def linked(linker: ProcedureLinker, text: str) -> dict[str, Any]:
    entity = linker.link(text)
    assert entity is not None, text
    return entity


@pytest.mark.parametrize(
    "text, code",
    [
        # the mislinks
        (f"Cơ quan nào thực hiện {PASSPORT_LOST} (thực hiện tại cấp tỉnh)?", "1.001445"),
        (f"Cơ quan nào thực hiện {PASSPORT_LOST} (thực hiện tại cấp xã)?", "1.010386"),
        (f"Thủ tục {BUILDING_I_II} cần hồ sơ gì?", "1.013233"),
        (f"Điều kiện thực hiện {NOTARY} là gì?", "1.013807"),
        # near names: scope words, the longer name, brackets left out
        (f"{BUILDING} cấp đặc biệt, cấp I, cấp II cần hồ sơ gì?", "1.013233"),
        (f"{BUILDING} cấp III, cấp IV cần hồ sơ gì?", "1.013227"),
        (f"Lệ phí {NOTARY_AGAIN}", "1.013808"),
        # level words outside the name choose among namesakes
        (f"{PASSPORT_LOST} cấp tỉnh nộp ở đâu", "1.001445"),
        (f"{PASSPORT_LOST} ở cấp xã mất bao lâu", "1.010386"),
        # a ministry or a provincial department chooses too
        (f"{WATER} do Bộ Nông nghiệp và Môi trường thực hiện cần hồ sơ gì", "2.000018"),
        (f"{WATER} tại Sở Nông nghiệp và Môi trường cần hồ sơ gì", "1.004167"),
    ],
)
def test_quoted_official_names_link_exactly(linker: ProcedureLinker, text: str, code: str) -> None:
    for variant in (text, fold(text), text.replace("Thủ tục ", "")):
        entity = linked(linker, variant)
        assert (entity["value"], entity["ambiguous"]) == (code, False), variant
        assert entity["confidence"] >= 0.9


def test_namesakes_nothing_tells_apart_are_offered_as_candidates(linker: ProcedureLinker) -> None:
    entity = linked(linker, f"{PASSPORT_LOST} cần giấy tờ gì")
    offered = {candidate["code"] for candidate in entity["candidates"]}
    assert entity["ambiguous"] and {"1.001445", "1.010386"} <= offered


def test_the_longest_quoted_name_wins_over_a_name_it_contains() -> None:
    match = default_names().find(f"hỏi về {NOTARY_AGAIN}")
    assert match is not None and match.codes == ("1.013808",) and match.length == 19


def test_a_long_quoted_name_becomes_one_placeholder_token() -> None:
    config = {**VietnameseTokenizer.get_default_config(), "mask_official_names": True}
    tokenizer = VietnameseTokenizer(config)
    text = f"Cơ quan nào thực hiện {PASSPORT_LOST} (thực hiện tại cấp tỉnh)?"
    tokens = tokenizer.tokenize(Message({TEXT: text}), TEXT)
    assert [token.text for token in tokens] == ["cơ_quan", "nào", "thực_hiện", PLACEHOLDER]
    assert text[tokens[-1].start : tokens[-1].end].startswith("Trình báo")
    unaccented = [t.text for t in tokenizer.tokenize(Message({TEXT: fold(text)}), TEXT)]
    assert unaccented[-1] == PLACEHOLDER and "ho" not in unaccented
    # a short everyday name keeps its words; without the option nothing is masked
    short = tokenizer.tokenize(Message({TEXT: "đăng ký tạm trú ở đâu"}), TEXT)
    assert PLACEHOLDER not in [token.text for token in short]
    plain = VietnameseTokenizer(VietnameseTokenizer.get_default_config())
    assert PLACEHOLDER not in [t.text for t in plain.tokenize(Message({TEXT: text}), TEXT)]


@pytest.mark.parametrize(
    "text, aspects",
    [
        ("lệ phí và thời gian làm hộ chiếu", ["ask_fee", "ask_processing_time"]),
        ("làm hộ chiếu mất bao lâu, bao nhiêu tiền", ["ask_processing_time", "ask_fee"]),
        ("dang ky ket hon can giay to gi va nop o dau", ["ask_documents", "ask_agency"]),
        ("lệ phí làm hộ chiếu", []),
        ("lệ phí làm hộ chiếu ở đâu rẻ", []),  # two aspects, not joined: one question
    ],
)
def test_questions_asking_two_joined_aspects_get_both(text: str, aspects: list[str]) -> None:
    assert [entity["value"] for entity in asked_aspects(text, [])] == aspects


def test_aspect_words_inside_the_procedure_name_do_not_count(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> None:
    extractor = AspectExtractor.create({}, model_storage, Resource("aspects"), execution_context)
    text = "Gia hạn thời hạn sử dụng đất và lệ phí"
    name_end = len("Gia hạn thời hạn sử dụng đất")
    name_span = {"entity": "procedure", "value": "x", "start": 0, "end": name_end}
    (message,) = extractor.process([Message({TEXT: text, ENTITIES: [name_span]})])
    assert [e for e in message.get(ENTITIES) if e["entity"] == "aspect"] == []
    (message,) = extractor.process([Message({TEXT: "lệ phí và thời gian làm hộ chiếu"})])
    assert [e["value"] for e in message.get(ENTITIES)] == ["ask_fee", "ask_processing_time"]
