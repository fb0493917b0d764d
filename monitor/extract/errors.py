"""Why a page yields no article."""
from __future__ import annotations


class ExtractionError(ValueError):
    """The page yields no article: no title or no body on either path."""


class NotAnArticle(ExtractionError):
    """The page is no article at all: mostly links (a list, a home page, an error page)."""
