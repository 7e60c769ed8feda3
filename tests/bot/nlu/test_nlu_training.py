"""End to end: train a tiny NLU model with the project pipeline, load it, parse messages."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from rasa.core.agent import Agent
from rasa.model_training import train_nlu

from bot.assistant import fingerprint
from bot.dossier_code import NLU_REGEX
from bot.settings import PROJECT_ROOT

CODE = "000.00.12.H25-250103-0042"
TINY_MODELS = PROJECT_ROOT / "models" / "tests"

NLU = f"""
version: "3.1"
nlu:
- intent: ask_documents
  examples: |
    - Làm giấy khai sinh cần những giấy tờ gì?
    - Đăng ký tạm trú cần chuẩn bị giấy tờ gì?
    - Làm hộ chiếu cần mang những gì?
    - Cấp đổi căn cước công dân cần giấy tờ gì?
    - Đăng ký kết hôn cần hồ sơ gì?
    - lam giay khai sinh can giay to gi
    - dang ky tam tru can giay to gi
    - lam ho chieu can mang gi
    - doi can cuoc can nhung gi
    - ho so dang ky ket hon gom nhung gi
- intent: check_dossier_status
  examples: |
    - Hồ sơ [{CODE}](dossier_code) đến đâu rồi?
    - Hồ sơ của tôi đến đâu rồi?
    - Kiểm tra tình trạng hồ sơ giúp tôi
    - Hồ sơ đã có kết quả chưa?
    - Tra cứu hồ sơ của tôi
    - ho so cua toi den dau roi
    - kiem tra tinh trang ho so
    - ho so da co ket qua chua
    - tra cuu ho so
    - hồ sơ đã xử lý xong chưa
- intent: greet
  examples: |
    - xin chào
    - chào bạn
    - chào ad
    - chào buổi sáng
    - xin chao
    - chao ban
    - hello
    - hi
    - alo
    - chào anh chị
- regex: dossier_code
  examples: |
    - {NLU_REGEX}
"""


def tiny_config() -> dict[str, Any]:
    """config_test.yml's pipeline with DIET cut to 5 epochs."""
    config = yaml.safe_load((PROJECT_ROOT / "config_test.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            component["epochs"] = 5
    return config


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Agent:
    """Trained once, then kept in models/tests/ under the fingerprint of its config, its data
    and the NLU code (as `make train` names models), so reruns load it instead of retraining."""
    config = yaml.safe_dump(tiny_config(), allow_unicode=True)
    name = f"tiny-{fingerprint(config.encode(), NLU.encode())}"
    model = TINY_MODELS / f"{name}.tar.gz"
    if not model.exists():
        root = tmp_path_factory.mktemp("tiny_model")
        (root / "nlu.yml").write_text(NLU, encoding="utf-8")
        (root / "config.yml").write_text(config, encoding="utf-8")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("RASA_CACHE_DIRECTORY", str(root / "cache"))
            trained = train_nlu(
                str(root / "config.yml"),
                str(root / "nlu.yml"),
                str(TINY_MODELS),
                fixed_model_name=name,
            )
        assert trained and model.exists(), "training failed"
        for old in TINY_MODELS.glob("tiny-*.tar.gz"):
            if old != model:
                old.unlink()
    return Agent.load(str(model))


def entities(parsed: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [entity for entity in parsed["entities"] if entity["entity"] == name]


@pytest.mark.rasa
async def test_parse_finds_procedure_and_intent(agent: Agent) -> None:
    parsed = await agent.parse_message("dang ky khai sinh cho con can giay to gi")
    (procedure,) = entities(parsed, "procedure")
    assert procedure["value"] == "1.001193" and procedure["extractor"] == "ProcedureLinker"
    assert {"candidates", "ambiguous", "confidence", "name"} <= set(procedure)
    assert parsed["intent"]["name"] == "ask_documents"


@pytest.mark.rasa
async def test_parse_finds_dossier_code_without_procedure(agent: Agent) -> None:
    text = f"cho mình hỏi hồ sơ {CODE} đến đâu rồi"
    parsed = await agent.parse_message(text)
    (code,) = entities(parsed, "dossier_code")
    assert code["value"] == CODE and text[code["start"] : code["end"]] == CODE
    assert not entities(parsed, "procedure")


@pytest.mark.rasa
async def test_parse_greeting_has_no_entities(agent: Agent) -> None:
    parsed = await agent.parse_message("xin chào")
    assert parsed["entities"] == []
    assert parsed["intent"]["name"] in {"greet", "nlu_fallback"}
