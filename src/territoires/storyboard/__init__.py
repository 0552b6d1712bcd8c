"""Storyboards (« Diaporama »): ordered views for the national meeting, stored as files or in PostgreSQL."""

from territoires.storyboard.model import (
    DEFAULT_NAME,
    Slide,
    Storyboard,
    StoryboardError,
    check_name,
    dumps,
    parse,
    view_of,
)
from territoires.storyboard.store import FileStoryboards, SqlStoryboards, StoryboardStore, open_storyboards

__all__ = [
    "DEFAULT_NAME",
    "FileStoryboards",
    "Slide",
    "SqlStoryboards",
    "Storyboard",
    "StoryboardError",
    "StoryboardStore",
    "check_name",
    "dumps",
    "open_storyboards",
    "parse",
    "view_of",
]
