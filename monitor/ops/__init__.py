"""Operations: crawl runs that record, replay, skip what is stored, and report on themselves.

Every component here is a Scrapy downloader middleware or extension switched on by a setting
(see monitor/settings.py); `monitor crawl` and `monitor run` set those settings.
"""
