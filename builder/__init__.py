"""Automation Builder: outreach automations on a node canvas, with their sender profiles."""

__version__ = "0.1.0"
