"""The staff console (`python -m bot console`): procedure lookup, dossiers with an audit log,
the survey dashboard and the inbox of conversations handed to staff (`bot.handoff`).

- `bot.console.app`: the aiohttp app (sessions, CSRF, roles, pages); templates and static
  files beside it, no CDN.
- `bot.console.accounts`: Argon2id accounts, logins with lockouts, sessions, audit log.
- `bot.console.dossiers`, `bot.console.surveys`, `bot.console.charts`: what the pages show.
- `bot.console.cli`: `python -m bot console`, `python -m bot staff add|list|disable`.
"""
