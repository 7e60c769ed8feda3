"""Command line of the knowledge base: import, search, show (see `--help`)."""

from procedures_kb.cli import main

raise SystemExit(main())
