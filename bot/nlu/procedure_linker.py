"""Links a message to a catalogue procedure with the knowledge-base search (entity `procedure`).

Before searching, words that name an aspect of a procedure (fee, time, place, online, status),
words about the service itself (feedback, asking for a human),
question particles and small talk are removed (NOISE_PHRASES), as are dossier codes: they
say nothing about WHICH procedure is meant, yet "lệ phí", "thời gian" or "kết quả" occur in
procedure names and would link "còn lệ phí thì sao?" to "Khai lệ phí trước bạ".

Confidence, for a best score s1 and a runner-up score s2 (0 if none):
    strength   = 1 - exp(-s1 / score_scale)     how strongly the query matches at all
    separation = 1 - s2 / s1                    how clearly the best beats the runner-up
    confidence = strength * (0.5 + 0.5 * separation)
so a lone strong match tends to 1 and a tie halves the confidence. Separation is 1 when the
message names the best hit (its name without "Thủ tục", or one of its aliases, appears whole)
and not the runner-up: "đăng ký tạm trú" names "Đăng ký tạm trú", not "Xóa đăng ký tạm trú",
however close the search scores are.

`ambiguous` is set when s1 < confident_score, when s2 >= ambiguity_ratio * s1 (unless named as
above), and for a bare generic phrase ("giấy phép") answered with curated candidates, so the
bot can ask with buttons.
"""

from __future__ import annotations

import math
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.official_names import NameMatch, OfficialNames, default_names
from bot.nlu.segmentation import Syllable, syllables
from procedures_kb.search import Hit, SearchIndex, canonical_syllables, default_index
from vntext import STOPWORDS

# Folded, canonical ("ký"→"ki") phrases that never identify a procedure. Kept small: a
# phrase here is invisible to the search, so nothing that can name a procedure belongs here.
# Folding merges words, so some only appear inside longer phrases: "tình trạng" (tình trạng
# hôn nhân), "đâu" (lần đầu), "bạn" (bản sao, mua bán), "sao" (bản sao), "vậy" (vay vốn),
# "vâng" (biển vàng), "chưa" (sửa chữa), "mẫu", "tiền" (tiền thai sản).
NOISE_PHRASES = frozenset(
    tuple(phrase.split())
    for phrase in (
        # fee
        "le phi",
        "phi",
        "chi phi",
        "mat tien",
        "bao nhieu tien",
        "bao nhieu",
        "het bao nhieu",
        "mien phi",
        # time
        "bao lau",
        "thoi gian",
        "thoi han",
        "thoi gian giai quyet",
        "may ngay",
        "bao nhieu ngay",
        "khi nao",
        "luc nao",
        "bao gio",
        # place and agency
        "o dau",
        "cho nao",
        "noi nao",
        "co quan nao",
        "den dau",
        "ve dau",
        "tai dau",
        # online
        "online",
        "truc tuyen",
        "qua mang",
        "tren mang",
        # documents, steps, conditions, forms, results
        "giay to",
        "ho so",
        "thanh phan",
        "mang theo",
        "chuan bi",
        "nhung gi",
        "gom",
        "cac buoc",
        "quy trinh",
        "trinh tu",
        "lam sao",
        "the nao",
        "nhu the nao",
        "dieu kien",
        "to khai",
        "mau to khai",
        "bieu mau",
        "mau don",
        "ket qua",
        "tra ket qua",
        # dossier status
        "tinh trang ho so",
        "tien do",
        "xong chua",
        "den buoc nao",
        "dang xu ly",
        "roi",
        # the service itself: status checks, feedback, asking for a human, the bot
        "tra cuu",
        "kiem tra",
        "trang thai",
        "xu ly",
        "giai quyet",
        "tiep nhan",
        "duyet",
        "danh gia",
        "gop y",
        "phan anh",
        "kien nghi",
        "hai long",
        "muc do hai long",
        "can bo",
        "nhan vien",
        "tu van",
        "tu van vien",
        "ho tro",
        "so dien thoai",
        "sdt",
        "tong dai",
        "hotline",
        "duong day nong",
        "nguoi that",
        "tra loi",
        "ket noi",
        "chatbot",
        "bot",
        "robot",
        "thu tuc hanh chinh",
        # question particles and small talk
        "thi sao",
        "khong",
        "nhi",
        "a",
        "xin chao",
        "chao ban",
        "chao ad",
        "cam on",
        "tam biet",
        "ban la ai",
        "ai",
        "vang a",
        "da vang",
        "ok",
        "oke",
        "alo",
        "hello",
        "hi",
    )
)
_LONGEST_NOISE = max(len(phrase) for phrase in NOISE_PHRASES)
_NAME_PREFIX = ("thu", "tuc")
_POOL = 60  # hits fetched: the search rescores this many anyway


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ProcedureLinker(GraphComponent, EntityExtractorMixin):
    """Adds a `procedure` entity (catalogue code, top candidates, confidence, ambiguity)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "entity": "procedure",
            "curated_min_score": 15.0,  # least score for a procedure with curated aliases
            "other_min_score": 35.0,  # least score for any other catalogue procedure...
            "other_min_coverage": 0.3,  # ...which must also cover this share of its name
            "confident_score": 30.0,  # below: entity flagged ambiguous
            "ambiguity_ratio": 0.85,  # runner-up at least this share of the best: ambiguous
            "score_scale": 30.0,  # score giving strength 1 - 1/e in the confidence
            "max_candidates": 3,
            "exact_min_syllables": 5,  # a quoted official name this long links exactly
            "exact_confidence": 0.99,
        }

    def __init__(self, config: dict[str, Any], index: SearchIndex, names: OfficialNames) -> None:
        self._config = {**self.get_default_config(), **config}
        self._index = index
        self._names = names
        self._curated_phrases = [
            (code, f" {' '.join(index.query_syllables(alias))} ")
            for code, aliases in index.aliases.by_code.items()
            for alias in aliases
        ]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ProcedureLinker:
        """Builds (once per process) the search index, so the first message is not slow."""
        return cls(config, default_index(), default_names())

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entity = self.link(message.get(TEXT) or "")
            if entity:
                entities = message.get(ENTITIES, []) + self.add_extractor_name([entity])
                message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def link(self, text: str) -> dict[str, Any] | None:
        """The procedure entity for a message, or None if it names no procedure."""
        quoted = self._names.find(text)
        if quoted and quoted.length >= self._config["exact_min_syllables"]:
            return self._quoted_entity(text, quoted)
        found = syllables(text)
        kept = _content_mask(found)
        query = " ".join(syllable.text for syllable, keep in zip(found, kept, strict=False) if keep)
        hits = self._index.search(query, limit=_POOL) if query else []
        if not hits:
            return None
        words = self._index.query_syllables(query)
        if self._linkable(hits[0], words):
            return self._entity(text, found, kept, hits, _named_alone(hits, words), vague=False)
        vague = self._vague(hits, words) if sum(kept) > 1 else []
        return self._entity(text, found, kept, vague, named=False, vague=True) if vague else None

    def _entity(
        self,
        text: str,
        found: list[Syllable],
        kept: list[bool],
        hits: list[Hit],
        named: bool,
        vague: bool,
    ) -> dict[str, Any]:
        """`named`: the message names the best hit and not the runner-up (see module doc)."""
        best = hits[0]
        start, end = self._span(text, found, kept, best)
        return {
            "entity": self._config["entity"],
            "value": best.code,
            "start": start,
            "end": end,
            "confidence": self._confidence(hits, named),
            "name": best.name,
            "ambiguous": vague or self._ambiguous(hits, named),
            "candidates": [
                {"code": hit.code, "name": hit.name, "score": hit.score}
                for hit in hits[: self._config["max_candidates"]]
            ],
            "matched": list(best.matched),
        }

    def _quoted_entity(self, text: str, quoted: NameMatch) -> dict[str, Any]:
        """The procedure whose official name the message quotes; ambiguous only when several
        procedures share that name and nothing else in the message tells them apart."""
        codes, tie = self._names.choose(quoted, text)
        return {
            "entity": self._config["entity"],
            "value": codes[0],
            "start": quoted.start,
            "end": quoted.end,
            "confidence": self._config["exact_confidence"] / (2 if tie else 1),
            "name": self._names.name_of(codes[0]),
            "ambiguous": tie,
            "candidates": [
                {"code": code, "name": self._names.name_of(code), "score": float(quoted.length)}
                for code in codes[: self._config["max_candidates"]]
            ],
            "matched": [f"name: {text[quoted.start : quoted.end]}"],
        }

    def _vague(self, hits: list[Hit], words: list[str]) -> list[Hit]:
        """Curated procedures for a bare generic phrase ("giấy phép", "hộ chiếu").

        Such a phrase scores low against every name, yet it is the start of several curated
        aliases ("giấy phép lái xe", "giấy phép xây dựng"): offering those lets the bot ask
        which one is meant. A single typed word is left alone ("vâng" folds like "vàng", "hk"
        abbreviates "hộ khẩu" but is also slang for "không").
        """
        if all(word in STOPWORDS for word in words):
            return []
        phrase = f" {' '.join(words)} "
        codes = {code for code, alias in self._curated_phrases if phrase in alias}
        return [hit for hit in hits if hit.code in codes] if len(codes) > 1 else []

    def _linkable(self, best: Hit, words: list[str]) -> bool:
        """Is the best hit a procedure the message really asks about?

        The catalogue holds thousands of procedures of every sector, so ordinary words
        ("dịch vụ", "người") always match some name. A curated alias found whole is decisive;
        otherwise the procedures citizens ask about (those with curated aliases) need a
        moderate score, and any other one a high score covering a good share of its name.
        """
        if _alias_matched(best):
            return True
        if best.code in self._index.aliases.by_code:
            return best.score >= self._config["curated_min_score"]
        return (
            best.score >= self._config["other_min_score"]
            and self._coverage(best, words) >= self._config["other_min_coverage"]
        )

    def _coverage(self, hit: Hit, words: list[str]) -> float:
        """Share of the hit's name content words (stopwords aside) present in the message."""
        name = [word for word in self._index.query_syllables(hit.name) if word not in STOPWORDS]
        present = set(words)
        return sum(word in present for word in name) / len(name) if name else 0.0

    def _confidence(self, hits: list[Hit], named: bool) -> float:
        best = hits[0].score
        strength = 1 - math.exp(-best / self._config["score_scale"])
        separation = 1.0 if named or len(hits) < 2 else 1 - hits[1].score / best
        return round(strength * (0.5 + 0.5 * separation), 3)

    def _ambiguous(self, hits: list[Hit], named: bool) -> bool:
        if hits[0].score < self._config["confident_score"]:
            return True
        return (
            not named
            and len(hits) > 1
            and hits[1].score >= self._config["ambiguity_ratio"] * hits[0].score
        )

    def _span(
        self, text: str, found: list[Syllable], kept: list[bool], hit: Hit
    ) -> tuple[int, int]:
        """Offsets of the longest run of adjacent syllables the hit matched (whole text if none)."""
        matched = {
            word for feature in hit.matched for word in feature.removeprefix("alias: ").split()
        }
        run: list[Syllable] = []
        best: list[Syllable] = []
        for syllable, keep in zip(found, kept, strict=False):
            if keep and matched.intersection(self._index.query_syllables(syllable.text)):
                run.append(syllable)
                best = run if len(run) > len(best) else best
            else:
                run = []
        return (best[0].start, best[-1].end) if best else (0, len(text))


def _content_mask(found: list[Syllable]) -> list[bool]:
    """False for dossier codes and syllables inside a noise phrase (longest phrase first)."""
    keep = [not syllable.is_code for syllable in found]
    index = 0
    while index < len(found):
        length = _noise_at(found, index)
        keep[index : index + length] = [False] * length
        index += max(length, 1)
    return keep


def _noise_at(found: list[Syllable], index: int) -> int:
    """Length of the longest noise phrase starting at index (0 if none)."""
    for length in range(min(_LONGEST_NOISE, len(found) - index), 0, -1):
        if tuple(syllable.key for syllable in found[index : index + length]) in NOISE_PHRASES:
            return length
    return 0


def _alias_matched(hit: Hit) -> bool:
    return any(feature.startswith("alias: ") for feature in hit.matched)


def _named_alone(hits: list[Hit], words: list[str]) -> bool:
    phrase = f" {' '.join(words)} "
    return len(hits) > 1 and _named(hits[0], phrase) and not _named(hits[1], phrase)


def _named(hit: Hit, phrase: str) -> bool:
    """Does the message contain the hit's name (without "Thủ tục") or one of its aliases?"""
    name = canonical_syllables(hit.name)
    if tuple(name[:2]) == _NAME_PREFIX:
        name = name[2:]
    return _alias_matched(hit) or f" {' '.join(name)} " in phrase
