"""Chat channels (Telegram, Zalo OA, web chat) in front of Rasa: `python -m bot gateway`."""
