"""Back-office commands around the database: demo seeding (data and timelines), the survey
report, status imports, `python -m bot seed|survey|db|dossiers|notify`."""
