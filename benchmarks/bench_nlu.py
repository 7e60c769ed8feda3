"""NLU parse latency of a trained model: p50/p95 over varied messages. Trains nothing.

    .venv/bin/python -m benchmarks.bench_nlu --model models/nlu.tar.gz [--messages FILE] [--parses 200]

FILE holds one message per line; without it a built-in list of accented, unaccented,
teencode, dossier-code and small-talk messages is cycled through.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from rasa.core.agent import Agent  # noqa: E402  (after the environment is set)

MESSAGES = [
    "Làm giấy khai sinh cần những giấy tờ gì?",
    "Vợ tôi mới sinh cháu, đi làm khai sinh phải mang theo gì?",
    "lam cccd cho con 15t can gi",
    "dang ky tam tru mat bao lau",
    "Đăng ký tạm trú cần chuẩn bị giấy tờ gì ạ?",
    "nhap ho khau vao nha chong thi can nhung giay to nao",
    "dk kết hôn cần mang j v ad",
    "Làm hộ chiếu lần đầu thì cần chuẩn bị giấy tờ gì?",
    "thi bang lai xe may hang A1 can chuan bi ho so gi",
    "Mua lại xe máy cũ của người quen, muốn sang tên thì cần những giấy tờ gì?",
    "Lệ phí đăng ký kết hôn là bao nhiêu?",
    "Xin giấy phép xây dựng thì thời hạn giải quyết là bao lâu?",
    "Đổi giấy phép lái xe ở đâu?",
    "đăng ký hộ kinh doanh online được không",
    "Điều kiện để được đăng ký thường trú là gì?",
    "Cơ quan nào thực hiện Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp tỉnh)?",
    "thu tuc gia han giay phep xay dung doi voi cong trinh cap dac biet, cap I, cap II can ho so gi",
    "lệ phí và thời gian làm hộ chiếu",
    "hồ sơ 000.00.12.H25-250103-0042 đến đâu rồi",
    "Kiểm tra giúp em hồ sơ số 000.20.31.H29-240915-0157 ạ",
    "còn lệ phí thì sao?",
    "nộp online được không?",
    "mất bao lâu?",
    "giấy phép",
    "căn cước",
    "xin chào",
    "cảm ơn bạn nhiều nha",
    "bạn là ai",
    "tạm biệt",
    "Cho tôi gặp cán bộ",
    "Giá vàng hôm nay bao nhiêu?",
    "Tôi muốn đánh giá mức độ hài lòng",
    "  Đăng ký\tkết hôn  với người nước ngoài cần gì 😀",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def parse_times(agent: Agent, messages: list[str], parses: int) -> list[float]:
    for text in messages[:5]:  # warm-up: first calls build caches and TF functions
        await agent.parse_message(text)
    seconds = []
    for text in itertools.islice(itertools.cycle(messages), parses):
        started = time.perf_counter()
        await agent.parse_message(text)
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", required=True, type=Path, help="trained model archive (.tar.gz)")
    parser.add_argument("--messages", type=Path, help="file with one message per line")
    parser.add_argument("--parses", type=int, default=200)
    args = parser.parse_args()
    messages = MESSAGES
    if args.messages:
        messages = [
            line.strip()
            for line in args.messages.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    started = time.perf_counter()
    agent = Agent.load(str(args.model))
    load_seconds = time.perf_counter() - started
    seconds = asyncio.run(parse_times(agent, messages, args.parses))
    print(f"model: {args.model}  load: {load_seconds:.1f} s")
    print(f"parses: {len(seconds)} over {len(messages)} distinct messages")
    print(
        f"parse latency: p50 {1000 * statistics.median(seconds):.1f} ms, "
        f"p95 {1000 * percentile(seconds, 0.95):.1f} ms, max {1000 * max(seconds):.1f} ms"
    )


if __name__ == "__main__":
    main()
