"""What one app process holds: settings, the database, parsed banks, the scheduler, the
templates. Built once by :func:`llmiq.web.main.create_app`, kept on ``app.state.web``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi.templating import Jinja2Templates

from llmiq.practice.queue import DailyLimits
from llmiq.store.database import Database
from llmiq.web.banks import BankShelf
from llmiq.web.recorder import AnswerRecorder
from llmiq.web.settings import WebSettings

if TYPE_CHECKING:
    import fsrs


@dataclass
class WebApp:
    settings: WebSettings
    database: Database
    shelf: BankShelf
    scheduler: fsrs.Scheduler
    recorder: AnswerRecorder
    templates: Jinja2Templates
    #: single-user mode: whose progress every request works on
    profile: str
    limits: DailyLimits
    data_dir: Path
    #: signs session cookies and mock-interview tokens
    secret: str
