"""Deployment settings the answers mention (HOTLINE_TEXT, OFFICE_TEXT, PORTAL_URL; see .env.example)."""

from __future__ import annotations

from bot.settings import get_settings


def hotline() -> str:
    return get_settings().hotline_text


def office() -> str:
    return get_settings().office_text


def portal_url() -> str:
    return get_settings().portal_url
