"""Deployment settings the answers mention, from the environment (see .env.example)."""
from __future__ import annotations

import os

DEFAULT_HOTLINE = "Đường dây nóng: 1900.xxxx (cấu hình HOTLINE_TEXT)"
DEFAULT_OFFICE = "Bộ phận Một cửa UBND xã/phường nơi bạn cư trú, giờ hành chính các ngày làm việc"
DEFAULT_PORTAL = "https://dichvucong.gov.vn"


def hotline() -> str:
    return os.environ.get("HOTLINE_TEXT") or DEFAULT_HOTLINE


def office() -> str:
    return os.environ.get("OFFICE_TEXT") or DEFAULT_OFFICE


def portal_url() -> str:
    return os.environ.get("PORTAL_URL") or DEFAULT_PORTAL
