"""`python -m bot actions` and `python -m bot rasa`: the two back-end servers, locked down.

Both listen on loopback unless told otherwise (`ACTION_SERVER_HOST`, `RASA_HOST`); only the
gateway is meant to face the Internet (docs/deployment.md).

- The action server is rasa-sdk's own application plus one request middleware: every call
  but `/health` must carry `Authorization: Bearer <ACTION_SERVER_TOKEN>`, which Rasa sends
  through the `headers` of the action endpoint in `endpoints*.yml`. Failed actions answer a
  bare 500 (rasa-sdk would echo the whole request, slots included, into Rasa's logs).
- Rasa runs its own command line in this process, so that the settings (`.env` included)
  reach the `${VAR}` placeholders of the endpoints files, the tokens stay off the process's
  command line, and the log filter covers Rasa's loggers. Its HTTP API (trackers, events,
  models) is enabled only with `RASA_AUTH_TOKEN` or `RASA_JWT_SECRET`, and then requires it;
  no CORS.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bot.settings import PROJECT_ROOT, Settings, get_settings

OPEN_ACTION_PATHS = frozenset({"/health"})
log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    actions = subparsers.add_parser(
        "actions",
        help="máy chủ hành động (ACTION_SERVER_HOST, ACTION_SERVER_PORT, ACTION_SERVER_TOKEN)",
    )
    actions.set_defaults(handler=_run_actions)
    rasa = subparsers.add_parser(
        "rasa",
        help="máy chủ Rasa: kênh REST; HTTP API chỉ khi có RASA_AUTH_TOKEN hoặc RASA_JWT_SECRET",
    )
    rasa.add_argument(
        "--model",
        default=str(PROJECT_ROOT / "models"),
        help="mô hình (mặc định: mới nhất trong models/)",
    )
    rasa.add_argument("--endpoints", default=str(PROJECT_ROOT / "endpoints.yml"))
    rasa.add_argument("--credentials", default=str(PROJECT_ROOT / "credentials.yml"))
    rasa.set_defaults(handler=_run_rasa)


# --- action server -------------------------------------------------------------------------


def action_app(settings: Settings) -> Any:
    """rasa-sdk's Sanic application for the `actions` package, behind the shared token."""
    from rasa_sdk.endpoint import create_app
    from sanic import response

    app = create_app("actions", cors_origins="")
    app.register_middleware(_require_token(settings.action_server_token), "request")

    async def action_failed(_request: Any, error: Exception) -> Any:
        log.error("action failed: %s", type(error).__name__, exc_info=error)
        return response.json({"error": "action failed"}, status=500)

    app.error_handler.add(Exception, action_failed)
    return app


def _require_token(token: str) -> Callable[[Any], Awaitable[Any | None]]:
    expected = f"Bearer {token}".encode()

    async def require_token(request: Any) -> Any | None:
        from sanic import response

        if request.path in OPEN_ACTION_PATHS:
            return None
        given = request.headers.get("Authorization", "").encode()
        if token and hmac.compare_digest(given, expected):
            return None
        return response.json({"error": "unauthorized"}, status=401)

    return require_token


def _run_actions(_arguments: argparse.Namespace) -> int:
    from rasa_sdk.utils import number_of_sanic_workers

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = get_settings()
    app = action_app(settings)
    log.info(
        "Action server on http://%s:%s", settings.action_server_host, settings.action_server_port
    )
    app.run(
        host=settings.action_server_host,
        port=settings.action_server_port,
        workers=number_of_sanic_workers(),
        access_log=False,
    )
    return 0


# --- Rasa -------------------------------------------------------------------------------------


def rasa_arguments(settings: Settings, model: str, endpoints: str, credentials: str) -> list[str]:
    """`rasa run` arguments for these settings (the tokens included: never put them in argv)."""
    arguments = [
        "run",
        "--model",
        model,
        "--endpoints",
        endpoints,
        "--credentials",
        credentials,
        "--interface",
        settings.rasa_host,
        "--port",
        str(settings.rasa_port),
    ]
    if settings.rasa_api_enabled:
        arguments.append("--enable-api")
    if settings.rasa_auth_token:
        arguments += ["--auth-token", settings.rasa_auth_token]
    if settings.rasa_jwt_secret:
        arguments += ["--jwt-secret", settings.rasa_jwt_secret]
    return arguments


def endpoint_environment(settings: Settings) -> dict[str, str]:
    """The variables `endpoints.yml` and `endpoints.production.yml` expand."""
    return {
        "ACTION_SERVER_URL": settings.action_endpoint_url,
        "ACTION_SERVER_TOKEN": settings.action_server_token,
        "TRACKER_DB_HOST": settings.tracker_db_host,
        "TRACKER_DB_PORT": str(settings.tracker_db_port),
        "TRACKER_DB_NAME": settings.tracker_db_name,
        "TRACKER_DB_USER": settings.tracker_db_user,
        "TRACKER_DB_PASSWORD": settings.tracker_db_password,
        "REDIS_HOST": settings.redis_host,
        "REDIS_PORT": str(settings.redis_port),
    }


def _run_rasa(arguments: argparse.Namespace) -> int:
    from rasa.__main__ import main as rasa_main

    from bot import rasa_speedups

    rasa_speedups.install()

    settings = get_settings()
    os.environ.update(endpoint_environment(settings))
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    sys.argv = [
        "rasa",
        *rasa_arguments(settings, arguments.model, arguments.endpoints, arguments.credentials),
    ]
    rasa_main()
    return 0
