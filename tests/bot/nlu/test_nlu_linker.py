"""ProcedureLinker: the `procedure` entity for messages that name a procedure, and only those."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.procedure_linker import ProcedureLinker
from vntext import fold


@pytest.fixture
def linker(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> ProcedureLinker:
    return ProcedureLinker.create({}, model_storage, Resource("linker"), execution_context)


def procedure(linker: ProcedureLinker, text: str) -> dict[str, Any] | None:
    (message,) = linker.process([Message.build(text)])
    found = [entity for entity in message.get(ENTITIES, []) if entity["entity"] == "procedure"]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.mark.parametrize(
    "text, code",
    [
        ("nhap ho khau", "1.004222"),
        ("dang ky khai sinh", "1.001193"),
        ("Vợ tôi mới sinh cháu, đi làm khai sinh phải mang theo gì?", "1.001193"),
        ("lam cccd cho con 15t can gi", "1.014061"),
        ("dang ky tam tru", "1.004194"),
        ("Đăng ký tạm trú mất bao lâu?", "1.004194"),
        ("Lệ phí đăng ký kết hôn là bao nhiêu?", "1.000894"),
    ],
)
def test_links_messages_that_name_a_procedure(
    linker: ProcedureLinker, text: str, code: str
) -> None:
    entity = procedure(linker, text)
    assert entity is not None and entity["value"] == code
    assert entity["extractor"] == "ProcedureLinker"
    assert entity["name"] and entity["matched"]
    assert 0.0 < entity["confidence"] <= 1.0
    assert entity["candidates"][0] == {
        "code": code,
        "name": entity["name"],
        "score": entity["candidates"][0]["score"],
    }


@pytest.mark.parametrize(
    "text",
    [
        "xin chào",
        "chào bạn",
        "cảm ơn",
        "cảm ơn đã hỗ trợ",
        "tạm biệt",
        "vâng",
        "ok",
        "bạn là ai",
        "bạn là người hay máy?",
        "còn lệ phí thì sao?",
        "nộp online được không?",
        "mất bao lâu?",
        "nộp ở đâu?",
        "cần những giấy tờ gì?",
        "hồ sơ 000.00.12.H25-250103-0042 đến đâu rồi",
        "000.00.12.H25-250103-0042",
        "cho tôi gặp cán bộ",
        "tôi muốn đánh giá dịch vụ",
        "hk",
        "",
        "😀",
    ],
)
def test_no_entity_without_procedure_words(linker: ProcedureLinker, text: str) -> None:
    assert procedure(linker, text) is None


@pytest.mark.parametrize("text", ["giấy phép", "đăng ký", "căn cước", "hộ chiếu", "sổ đỏ"])
def test_vague_queries_are_flagged_with_candidates(linker: ProcedureLinker, text: str) -> None:
    entity = procedure(linker, text)
    assert entity is not None and entity["ambiguous"]
    assert 2 <= len(entity["candidates"]) <= 3
    assert entity["confidence"] < 0.5


@pytest.mark.parametrize(
    "text", ["nhap ho khau", "dang ky khai sinh", "dang ky tam tru", "làm hộ chiếu lần đầu"]
)
def test_clear_queries_are_not_ambiguous(linker: ProcedureLinker, text: str) -> None:
    entity = procedure(linker, text)
    assert entity is not None and not entity["ambiguous"]
    assert entity["confidence"] >= 0.5
    assert len(entity["candidates"]) <= 3


def test_naming_the_procedure_beats_a_close_runner_up(linker: ProcedureLinker) -> None:
    """ "Xóa đăng ký tạm trú" scores almost as high, but only "Đăng ký tạm trú" is named."""
    entity = procedure(linker, "dang ky tam tru")
    assert entity is not None
    best, runner_up = entity["candidates"][:2]
    assert runner_up["score"] >= 0.85 * best["score"]
    assert not entity["ambiguous"]


@pytest.mark.parametrize(
    "text, span",
    [
        ("Vợ tôi mới sinh cháu, đi làm khai sinh phải mang theo gì?", "đi làm khai sinh"),
        ("cho hỏi nhap ho khau cần gì", "nhap ho khau"),
        ("lam cccd cho con 15t can gi", "lam cccd"),
    ],
)
@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_span_covers_the_matched_words(
    linker: ProcedureLinker, text: str, span: str, form: str
) -> None:
    text = unicodedata.normalize(form, text)
    entity = procedure(linker, text)
    assert entity is not None
    assert fold(text[entity["start"] : entity["end"]]) == fold(span)


def test_entity_is_appended_to_existing_entities(linker: ProcedureLinker) -> None:
    message = Message.build("hồ sơ đăng ký kết hôn 000.00.12.H25-250103-0042")
    code = {"entity": "dossier_code", "value": "000.00.12.H25-250103-0042", "start": 22, "end": 47}
    message.set(ENTITIES, [code])
    (processed,) = linker.process([message])
    assert [entity["entity"] for entity in processed.get(ENTITIES)] == ["dossier_code", "procedure"]


def test_max_candidates_is_configurable(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> None:
    linker = ProcedureLinker.create(
        {"max_candidates": 1}, model_storage, Resource("linker"), execution_context
    )
    entity = procedure(linker, "căn cước")
    assert entity is not None and len(entity["candidates"]) == 1
