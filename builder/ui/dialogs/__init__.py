"""Dialogs: choosing sender profiles, removing one from a started automation."""
