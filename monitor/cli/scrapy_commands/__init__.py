"""Scrapy's own commands as this project runs them (COMMANDS_MODULE in monitor/settings.py)."""
