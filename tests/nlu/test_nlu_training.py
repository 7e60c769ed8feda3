"""End to end: train a tiny NLU model with the project pipeline, load it, parse messages."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa.core.agent import Agent
from rasa.model_training import train_nlu

PROJECT = Path(__file__).resolve().parents[2]
CODE = "000.00.12.H25-250103-0042"

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
    - \\b\\d{{3}}\\.\\d{{2}}\\.\\d{{2}}\\.[A-Z]\\d{{2}}-\\d{{6}}-\\d{{4}}\\b
"""


def tiny_config() -> Dict[str, Any]:
    """config_test.yml's pipeline with DIET cut to 5 epochs."""
    config = yaml.safe_load((PROJECT / "config_test.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            component["epochs"] = 5
    return config


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Agent:
    root = tmp_path_factory.mktemp("tiny_model")
    (root / "nlu.yml").write_text(NLU, encoding="utf-8")
    (root / "config.yml").write_text(yaml.safe_dump(tiny_config(), allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RASA_CACHE_DIRECTORY", str(root / "cache"))
        model = train_nlu(str(root / "config.yml"), str(root / "nlu.yml"), str(root / "models"), fixed_model_name="tiny")
    assert model, "training failed"
    return Agent.load(model)


def entities(parsed: Dict[str, Any], name: str) -> List[Dict[str, Any]]:
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
