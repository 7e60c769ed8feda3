"""Everything around Rasa: NLU components, database, channel gateways, command line."""
