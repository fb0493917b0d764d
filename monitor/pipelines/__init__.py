"""Item pipelines, in the order ITEM_PIPELINES runs them (see monitor/settings.py):
normalize -> date window -> topic relevance -> story clustering -> MongoDB storage.
Each module holds one pipeline and the DropItem subclass for its drop reason."""
