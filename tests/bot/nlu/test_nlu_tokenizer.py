"""VietnameseTokenizer: offsets into the original text whatever its Unicode form or spacing."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.segmentation import fixed_phrases
from bot.nlu.tokenizer import VietnameseTokenizer
from procedures_kb.search import canonical_syllables
from procedures_kb.store import load_aliases
from vntext import fold

CODE = "000.00.12.H25-250103-0042"

TEXTS = [
    "Vợ tôi mới sinh cháu, đi làm khai sinh phải mang theo gì?",
    "lam cccd cho con 15t can gi",
    "dang ky tam tru can giay to gi",
    "  Đăng ký  hộ kinh doanh\tở đâu?  ",
    "hoá đơn điện tử và hóa đơn giấy, thuỷ lợi/thủy lợi",
    f"hồ sơ {CODE} đến đâu rồi",
    f"Mã hồ sơ:{CODE}.",
    f"({CODE}) xong chưa ạ???",
    "Lệ phí 1.000.000đ, ảnh 3x4 – được không!!!",
    "Cảm ơn bạn 😀👍 nhiều nha",
    "ĐĂNG KÝ KẾT HÔN VỚI NGƯỜI NƯỚC NGOÀI",
    "e-mail: abc@gmail.com; http://dichvucong.gov.vn",
    "Ðăng ký xe máy",  # U+00D0, a look-alike of Đ
    "căn  cước\t\tcông dân",
    "\n\tnhập hộ khẩu cho con\n",
]


def tokens_of(tokenizer: VietnameseTokenizer, text: str) -> list[Token]:
    return tokenizer.tokenize(Message.build(text), TEXT)


def folded(text: str) -> str:
    return fold(text.replace("_", " "))


@pytest.mark.parametrize("form", ["NFC", "NFD"])
@pytest.mark.parametrize("text", TEXTS)
def test_every_token_spans_its_own_text(
    tokenizer: VietnameseTokenizer, text: str, form: str
) -> None:
    text = unicodedata.normalize(form, text)
    tokens = tokens_of(tokenizer, text)
    assert tokens
    for token in tokens:
        assert folded(text[token.start : token.end]) == folded(token.text), token
        assert token.text == token.text.lower()
        assert not any(char.isspace() for char in token.text)
    assert all(left.end <= right.start for left, right in zip(tokens, tokens[1:], strict=False))


@pytest.mark.parametrize("text", TEXTS)
def test_nfd_input_gives_the_same_tokens_as_nfc(tokenizer: VietnameseTokenizer, text: str) -> None:
    nfc = [token.text for token in tokens_of(tokenizer, text)]
    nfd = [token.text for token in tokens_of(tokenizer, unicodedata.normalize("NFD", text))]
    assert nfd == [unicodedata.normalize("NFC", token) for token in nfc]


def test_punctuation_and_emojis_are_dropped(tokenizer: VietnameseTokenizer) -> None:
    texts = [token.text for token in tokens_of(tokenizer, "Cảm ơn bạn 😀👍 nhiều nha!!! ...")]
    assert all(any(char.isalnum() for char in text) for text in texts)


@pytest.mark.parametrize("text", ["???", " 😀 ", ""])
def test_a_message_without_letters_is_one_token(tokenizer: VietnameseTokenizer, text: str) -> None:
    (token,) = tokens_of(tokenizer, text)
    assert (token.text, text[token.start : token.end]) == (text.strip(), text.strip())


@pytest.mark.parametrize(
    "text",
    [
        f"hồ sơ {CODE} đến đâu rồi",
        f"Mã:{CODE}.",
        f"({CODE.lower()})",
        f"mã hồ sơ {CODE}, kiểm tra giúp",
    ],
)
def test_dossier_code_is_one_token(tokenizer: VietnameseTokenizer, text: str) -> None:
    codes = [token for token in tokens_of(tokenizer, text) if token.text == CODE.lower()]
    assert len(codes) == 1
    assert text[codes[0].start : codes[0].end].upper() == CODE


@pytest.mark.parametrize("phrase", ["căn cước", "hộ kinh doanh", "tạm trú"])
@pytest.mark.parametrize(
    "spelling", [str, fold, lambda text: unicodedata.normalize("NFD", text.upper())]
)
def test_kb_phrases_stay_whole(
    tokenizer: VietnameseTokenizer, phrase: str, spelling: Callable[[str], str]
) -> None:
    assert tuple(canonical_syllables(phrase)) in fixed_phrases().keys
    text = spelling(f"hỏi về {phrase} nhé")
    texts = [token.text for token in tokens_of(tokenizer, text)]
    assert unicodedata.normalize("NFC", spelling(phrase)).lower().replace(" ", "_") in texts


def test_longest_kb_phrase_wins(tokenizer: VietnameseTokenizer) -> None:
    texts = [token.text for token in tokens_of(tokenizer, "đổi căn cước công dân ở đâu")]
    assert "đổi_căn_cước_công_dân" in texts


def test_words_are_joined_only_across_whitespace(tokenizer: VietnameseTokenizer) -> None:
    texts = [token.text for token in tokens_of(tokenizer, "căn-cước, hộ.kinh doanh")]
    assert "căn_cước" not in texts and "hộ_kinh_doanh" not in texts


def test_kb_phrases_come_from_the_aliases() -> None:
    assert {"hộ kinh doanh", "làm căn cước"} <= set(load_aliases().fixed_words())


def test_unaccented_text_is_not_glued_by_the_segmenter(tokenizer: VietnameseTokenizer) -> None:
    """underthesea glues unaccented syllables at random ("tam tru can"); only KB phrases join them."""
    texts = [token.text for token in tokens_of(tokenizer, "toi muon hoi them ve viec nay")]
    assert texts == ["toi", "muon", "hoi", "them", "ve", "viec", "nay"]


@pytest.mark.parametrize(
    "text",
    [
        "Đăng ký tạm trú cần giấy tờ gì?",
        "Làm căn cước cho con",
        "Đăng ký hộ kinh doanh ở đâu",
        "nhập hộ khẩu",
    ],
)
def test_accented_and_unaccented_domain_text_segment_alike(
    tokenizer: VietnameseTokenizer, text: str
) -> None:
    accented = [fold(token.text) for token in tokens_of(tokenizer, text)]
    assert [token.text for token in tokens_of(tokenizer, fold(text))] == accented


def test_process_sets_tokens_on_the_message(tokenizer: VietnameseTokenizer) -> None:
    (processed,) = tokenizer.process([Message.build("Làm căn cước")])
    assert [token.text for token in processed.get("text_tokens")] == ["làm_căn_cước"]
