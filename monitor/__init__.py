"""monitor: health-informatization news monitoring.

Data flows spiders -> items -> pipelines -> storage -> report; the packages are named after
those steps.
"""
from pathlib import Path

#: The project checkout (where scrapy.cfg, spiders_config/, data/ and exports/ live).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
