"""Telegram channel, built on python-telegram-bot 22.

Long polling by default; with `TELEGRAM_WEBHOOK_URL` set, Telegram posts updates to a
small aiohttp server that checks the secret token (PTB's own webhook server would need
tornado, which the project does not install). All state lives in the `Application`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Sequence

from aiohttp import web
from telegram import (
    BotCommand,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, InlineKeyboardButtonLimit, MessageLimit
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import wording
from bot.channels.gateway import Button, Deliver, Gateway, Reply, TTLCache
from bot.channels.http import serve
from bot.channels.inputs import MalformedRequest, parse_json_object
from bot.dossier_code import is_dossier_code, normalize_dossier_code
from bot.payloads import (
    STATUS_INTENT,
    STATUS_LOOKUP_REQUEST,
    SURVEY_REQUEST,
    UNSUBSCRIBE_REQUEST,
    dossier_payload,
    parse_dossier_payload,
)
from bot.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# callback_data holds at most 64 bytes: longer payloads travel as a key into this map.
PAYLOAD_KEY_PREFIX = "k:"
# "c:<intent>:<dossier code>": a dossier payload (bot.payloads) whole in 64 bytes, so that its
# button works on any gateway instance, for as long as needed (notifications, deep links).
DOSSIER_PAYLOAD_PREFIX = "c:"
PAYLOAD_TTL = 7 * 24 * 3600
PAYLOAD_MAXSIZE = 20_000
TYPING_REFRESH = 4.0  # seconds; Telegram shows "typing…" for about 5
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
METADATA = {"channel": "telegram"}  # sent to Rasa with each message (no client address)


def build_application(config: Settings, gateway: Gateway) -> Application:
    """The bot with its handlers; `updater(None)` in webhook mode (updates come from aiohttp)."""
    builder = (
        Application.builder()
        .token(config.telegram_bot_token)
        .base_url(f"{config.telegram_api_base_url}/bot")
        .base_file_url(f"{config.telegram_api_base_url}/file/bot")
        .concurrent_updates(True)  # the gateway keeps each user's turns in order
        .job_queue(None)
    )
    if config.telegram_webhook_url:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data["gateway"] = gateway
    application.bot_data["payloads"] = TTLCache[str](PAYLOAD_TTL, PAYLOAD_MAXSIZE)

    application.add_handler(TypeHandler(Update, drop_duplicates), group=-1)
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("tracuu", status_lookup))
    application.add_handler(CommandHandler("danhgia", survey))
    application.add_handler(CommandHandler("huythongbao", unsubscribe))
    application.add_handler(CommandHandler("hotline", hotline))
    application.add_handler(MessageHandler(filters.COMMAND, help_command))  # unknown command
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, text_message))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE, not_text)
    )
    application.add_handler(CallbackQueryHandler(button_pressed))
    application.add_error_handler(on_error)
    return application


async def drop_duplicates(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs first (group -1): an update delivered twice stops here the second time."""
    if await _gateway(context).is_duplicate(f"tg:{update.update_id}"):
        raise ApplicationHandlerStop


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The welcome; a deep link `t.me/<bot>?start=<dossier code>` (the QR on the receipt)
    opens the lookup of that code instead."""
    code = deep_link_code(context.args or [])
    if code:
        await _converse(update, context, dossier_payload(STATUS_INTENT, code))
    else:
        await _say(update, context, _gateway(context).welcome())


def deep_link_code(args: Sequence[str]) -> str | None:
    """The dossier code of a /start parameter. Deep-link parameters allow only A-Z a-z 0-9 _ -,
    so the dots of a code may come as underscores: 000_00_12_H25-250103-0042."""
    code = normalize_dossier_code(args[0].replace("_", ".")) if args else ""
    return code if is_dossier_code(code) else None


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _converse(update, context, UNSUBSCRIBE_REQUEST)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _say(update, context, Reply(wording.TELEGRAM_HELP))


async def hotline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _say(update, context, _gateway(context).hotline())


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _say(update, context, Reply(wording.TEXT_ONLY))


async def status_lookup(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _converse(update, context, STATUS_LOOKUP_REQUEST)


async def survey(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _converse(update, context, SURVEY_REQUEST)


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None  # guaranteed by the handler's filters
    await _converse(update, context, update.message.text or "")


async def button_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the callback query, then send the button's payload to Rasa as the message."""
    query = update.callback_query
    assert query is not None  # guaranteed by CallbackQueryHandler
    data = query.data or ""
    payload = _payloads(context).get(data) if data.startswith(PAYLOAD_KEY_PREFIX) else _expand(data)
    if not payload or update.effective_chat is None:
        await query.answer(wording.BUTTON_EXPIRED, show_alert=True)
        return
    await query.answer()
    await _converse(update, context, payload)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if isinstance(context.error, TelegramError):  # the Bot API refused a call or was unreachable
        log.error("Telegram call failed: %s", context.error)
    else:
        log.error("Telegram update failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        with contextlib.suppress(TelegramError):
            await update.effective_chat.send_message(
                wording.APOLOGY.format(hotline=_gateway(context).hotline_text)
            )


def _gateway(context: ContextTypes.DEFAULT_TYPE) -> Gateway:
    return context.bot_data["gateway"]


def _payloads(context: ContextTypes.DEFAULT_TYPE) -> TTLCache[str]:
    return context.bot_data["payloads"]


def _chat(update: Update) -> Chat:
    chat = update.effective_chat
    assert chat is not None  # messages and (checked) button presses all have one
    return chat


async def _converse(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    chat = _chat(update)
    async with _typing(chat):
        deliver = _deliver_to(chat, context)
        await _gateway(context).converse(f"tg:{chat.id}", text, deliver, metadata=METADATA)


async def _say(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
    chat = _chat(update)
    await _gateway(context).say(f"tg:{chat.id}", [reply], _deliver_to(chat, context))


def _deliver_to(chat: Chat, context: ContextTypes.DEFAULT_TYPE) -> Deliver:
    async def deliver(replies: Sequence[Reply]) -> None:
        for reply in replies:
            chunks = reply.chunks(MessageLimit.MAX_TEXT_LENGTH)
            for index, chunk in enumerate(chunks):
                keyboard = (
                    _keyboard(reply.buttons, _payloads(context))
                    if index == len(chunks) - 1
                    else None
                )
                await chat.send_message(
                    chunk, entities=key_fact(chunk) if index == 0 else None, reply_markup=keyboard
                )

    return deliver


def key_fact(text: str) -> list[MessageEntity] | None:
    """Answers open with the asked fact on their first line: bold it when details follow.

    Entities rather than HTML parse mode, so the text needs no escaping; offsets and lengths
    count UTF-16 code units, as the Bot API does."""
    first, _, rest = text.partition("\n")
    if not first.strip() or not rest.strip():
        return None
    return [MessageEntity(MessageEntity.BOLD, 0, len(first.encode("utf-16-le")) // 2)]


def _keyboard(buttons: Sequence[Button], payloads: TTLCache[str]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.title, callback_data=_callback_data(b.payload, payloads))]
            for b in buttons
        ]
    )


def compact_callback_data(payload: str) -> str:
    """`payload` itself when it fits callback_data, else a dossier payload in the "c:" form;
    "" when neither fits."""
    if _fits(payload) and not payload.startswith((PAYLOAD_KEY_PREFIX, DOSSIER_PAYLOAD_PREFIX)):
        return payload
    parsed = parse_dossier_payload(payload)
    compact = DOSSIER_PAYLOAD_PREFIX + ":".join(parsed) if parsed else ""
    return compact if compact and _fits(compact) else ""


def _fits(data: str) -> bool:
    return len(data.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA


def _expand(data: str) -> str:
    if not data.startswith(DOSSIER_PAYLOAD_PREFIX):
        return data
    intent, _, code = data[len(DOSSIER_PAYLOAD_PREFIX) :].partition(":")
    return dossier_payload(intent, code) if intent and code else ""


def _callback_data(payload: str, payloads: TTLCache[str]) -> str:
    compact = compact_callback_data(payload)
    if compact:
        return compact
    key = PAYLOAD_KEY_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:40]
    payloads.put(key, payload)
    return key


@contextlib.asynccontextmanager
async def _typing(chat: Chat) -> AsyncIterator[None]:
    """Show "typing…" while Rasa thinks; the indicator is cosmetic, so its errors are ignored."""

    async def keep_typing() -> None:
        with contextlib.suppress(TelegramError):
            while True:
                await chat.send_action(ChatAction.TYPING)
                await asyncio.sleep(TYPING_REFRESH)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@contextlib.asynccontextmanager
async def running(config: Settings, gateway: Gateway) -> AsyncIterator[int | None]:
    """Run the bot while the context is open; yields the webhook port (None when polling).

    Start and stop follow PTB's order: the application starts before updates flow in, and
    updates stop flowing (updater or webhook server) before the application stops.
    """
    application = build_application(config, gateway)
    async with application, contextlib.AsyncExitStack() as stack:  # initialize() calls getMe
        await _set_commands(application)
        await application.start()
        stack.push_async_callback(application.stop)
        webhook_port = None
        if config.telegram_webhook_url:
            webhook_port = await stack.enter_async_context(_webhook(config, application))
        else:
            updater = application.updater
            assert updater is not None  # only webhook mode builds without one
            await updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            stack.push_async_callback(updater.stop)
        mode = "webhook" if webhook_port is not None else "long polling"
        log.info("Telegram channel running (%s) as @%s", mode, application.bot.username)
        yield webhook_port


async def _set_commands(application: Application) -> None:
    """Fill the command menu; cosmetic, so a failure is only logged."""
    try:
        await application.bot.set_my_commands([BotCommand(*c) for c in wording.TELEGRAM_COMMANDS])
    except TelegramError as error:
        log.warning("Could not set the Telegram command menu: %s", error)


@contextlib.asynccontextmanager
async def _webhook(config: Settings, application: Application) -> AsyncIterator[int]:
    """Receive updates on our own aiohttp server and register its public URL with Telegram.

    Without the secret token: 403; a body that is not an update: 400.
    """

    async def receive(request: web.Request) -> web.Response:
        secret = request.headers.get(SECRET_HEADER, "").encode(errors="surrogateescape")
        if not hmac.compare_digest(secret, config.telegram_webhook_secret.encode()):
            return web.Response(status=403)
        try:
            update = _update(await request.read(), application)
        except MalformedRequest:
            return web.Response(status=400)
        await application.update_queue.put(update)
        return web.Response()

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(config.telegram_webhook_path, receive)
    async with serve(app, config.gateway_host, config.telegram_webhook_port) as port:
        await application.bot.set_webhook(
            config.telegram_webhook_url,
            secret_token=config.telegram_webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )
        yield port


def _update(body: bytes, application: Application) -> Update:
    """The update in `body`, or `MalformedRequest` when it is not one the handlers can use.

    PTB trusts the Bot API's types: building the update can fail in any way, and what it
    builds is not type-checked, so the fields the handlers rely on are checked here.
    """
    data = parse_json_object(body)
    try:
        update = Update.de_json(data, application.bot)
    except Exception as error:  # any exception: see the docstring
        kind = type(error).__name__
        raise MalformedRequest(wording.NOT_A_TELEGRAM_UPDATE.format(kind=kind)) from None
    if not _fits_handlers(update):
        raise MalformedRequest(wording.BAD_TELEGRAM_FIELD)
    return update


def _fits_handlers(update: Update) -> bool:
    """Texts and button data are strings, a message has its chat, ids are numbers."""
    message, query = update.message, update.callback_query
    chat, user = update.effective_chat, update.effective_user
    return (
        (message is None or (message.chat is not None and _optional_text(message.text)))
        and (query is None or _optional_text(query.data))
        and (chat is None or isinstance(chat.id, int))
        and (user is None or isinstance(user.id, int))
    )


def _optional_text(value: object) -> bool:
    return value is None or isinstance(value, str)
