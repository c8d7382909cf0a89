"""Answers back to citizens: who hears of a change and in which words (notify.py, with
templates/messages.toml), and delivery through the channels with retries (delivery.py)."""
