"""Database layer of the assistant: dossiers, their status history, satisfaction surveys.

- `bot.db.engine`: `DATABASE_URL`, engines, `session_scope()`, `run_transaction()`,
  `upgrade()` / `downgrade()`.
- `bot.db.services`: what the custom actions call (`verify_and_get_dossier`,
  `verified_dossier`, `require_verification`, `save_survey_response`, `has_survey_response`).
- `bot.db.feed`: status events from the one-stop system, applied idempotently (`apply_events`).
- `bot.db.outbox`: subscriptions to a dossier's status changes and the outbox of messages
  (`subscribe`, `cancel_subscriptions`, `claim_due`, `mark_sent`, `mark_failed`).
- `bot.db.texts`: every Vietnamese text (status names and explanations, survey questions).

Models, engine and sessions, services and migrations only: demo seeding, the survey report and
the commands around the database live in `bot.admin`; test helpers under `tests/helpers/`.
"""
