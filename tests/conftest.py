"""Fixtures shared across the test packages (helpers live in tests/helpers/, imported as
`tests.helpers.<module>`)."""

pytest_plugins = ["tests.helpers.database"]
