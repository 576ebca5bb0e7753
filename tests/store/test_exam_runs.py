"""Exam runs in the database, on SQLite and on a real PostgreSQL server: a stopped run is
found again by its model, bank and settings; measurements are committed one by one; a
finished run's answers read back per run and per question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, text

from llmiq.store import exam_runs, progress
from llmiq.store.database import Database, alembic_config, make_engine, open_database
from llmiq.store.exam_runs import StoredMeasurements

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SETTINGS: dict[str, Any] = {
    "scoring": "letter",
    "debias": "pride",
    "lang": "en",
    "shots": 0,
    "options_only": False,
    "seed": 0,
    "question_limit": None,
}


@pytest.fixture
def database(database_url: str) -> Any:
    database = open_database(database_url)
    yield database
    database.close()


def _start(database: Database, model: str = "chance", **changed: Any) -> tuple[int, bool]:
    with database.transaction() as session:
        run, found = exam_runs.find_or_start_run(session, model, "seed", SETTINGS | changed, NOW)
        return run.id, found


def _outcome(question_id: str, choice: list[str], correct: bool | None) -> dict[str, Any]:
    return {
        "id": question_id,
        "kind": "single",
        "gold": ["B"],
        "choice": choice,
        "correct": correct,
        "probabilities": {"A": 0.7, "B": 0.3} if choice else {},
        "raw_choice": choice,
        "raw_correct": correct,
    }


def test_an_unfinished_run_is_found_again_only_with_the_same_settings(database: Any) -> None:
    first, found = _start(database)
    assert not found
    assert _start(database) == (first, True)
    for changed in ({"debias": "none"}, {"lang": "zh"}, {"question_limit": 5}, {"seed": 1}):
        other, found = _start(database, **changed)
        assert (other == first, found) == (False, False), changed
    assert _start(database, model="gemma3-270m")[0] != first
    limited, _ = _start(database, question_limit=5)
    assert _start(database, question_limit=5) == (limited, True)
    with database.transaction() as session:
        exam_runs.finish_run(session, first, [], {"accuracy": None}, NOW)
    again, found = _start(database)
    assert again != first
    assert not found


def test_measurements_are_committed_one_by_one_and_read_back(database: Any) -> None:
    run_id, _ = _start(database)
    cache = StoredMeasurements(database, run_id)
    assert (cache.kept, len(cache)) == (0, 0)
    cache["k1"] = [-0.1, -2.5]
    cache["k2"] = [-1.0, -0.5, -3.0]
    cache["k1"] = [-9.0, -9.0]  # measured once: the first value stays
    assert cache.written == 2
    reopened = StoredMeasurements(database, run_id)  # another process, after a crash
    assert reopened.kept == 2
    assert dict(reopened) == {"k1": [-0.1, -2.5], "k2": [-1.0, -0.5, -3.0]}
    assert "k3" not in reopened
    with pytest.raises(TypeError):
        del reopened["k1"]
    with database.transaction() as session:
        assert exam_runs.count_measurements(session, run_id) == 2


def test_two_processes_measuring_one_run_keep_the_first_measurement(database: Any) -> None:
    run_id, _ = _start(database)
    one, two = StoredMeasurements(database, run_id), StoredMeasurements(database, run_id)
    one["k"] = [-1.0]
    assert not exam_runs.add_measurement(database, run_id, "k", [-2.0])
    two["k"] = [-2.0]  # the unique key refuses it; the stored value is read instead
    assert two["k"] == [-1.0]
    assert two.written == 0
    with database.transaction() as session:
        assert exam_runs.measurements_of(session, run_id) == {"k": [-1.0]}


def test_a_finished_run_keeps_answers_and_summary(database: Any) -> None:
    run_id, _ = _start(database)
    outcomes = [_outcome("q1", ["A"], False), _outcome("q2", ["B"], True), _outcome("q3", [], None)]
    summary = {"accuracy": 0.5, "rstd": 0.25, "note": "中文也行"}
    with database.transaction() as session:
        exam_runs.finish_run(session, run_id, outcomes, summary, NOW + timedelta(minutes=3))
    with database.transaction() as session:
        run = exam_runs.find_run(session, run_id)
        assert run is not None
        assert run.finished_at == NOW + timedelta(minutes=3)
        assert exam_runs.summary_of(run) == summary
        assert exam_runs.outcomes_of(session, run_id) == outcomes
        # saving again replaces the answers (unique per run and question)
        exam_runs.finish_run(session, run_id, outcomes[:1], summary, NOW)
    with database.transaction() as session:
        assert [o["id"] for o in exam_runs.outcomes_of(session, run_id)] == ["q1"]
        assert exam_runs.find_run(session, run_id + 100) is None


def test_every_runs_answer_to_one_question(database: Any) -> None:
    plain, _ = _start(database, debias="none")
    debiased, _ = _start(database)
    elsewhere_id = None
    with database.transaction() as session:
        exam_runs.finish_run(session, plain, [_outcome("q1", ["A"], False)], {}, NOW)
        exam_runs.finish_run(session, debiased, [_outcome("q1", ["B"], True)], {}, NOW)
        other, _ = exam_runs.find_or_start_run(session, "chance", "other-bank", SETTINGS, NOW)
        elsewhere_id = other.id
        exam_runs.finish_run(session, other.id, [_outcome("q1", ["A"], False)], {}, NOW)
    with database.transaction() as session:
        answers = exam_runs.answers_to_question(session, "seed", "q1")
        assert [(run.id, run.debias, a["choice"], a["correct"]) for run, a in answers] == [
            (plain, "none", ["A"], False),
            (debiased, "pride", ["B"], True),
        ]
        assert exam_runs.answers_to_question(session, "seed", "q2") == []
        assert [r.id for r in exam_runs.list_runs(session)] == [plain, debiased, elsewhere_id]
        assert [r.id for r in exam_runs.list_runs(session, "other-bank")] == [elsewhere_id]


def test_peoples_answers_to_a_question(database: Any) -> None:
    with database.transaction() as session:
        assert progress.answers_right(session, "seed", "q1") == (0, 0)
        ada = progress.ensure_user(session, "ada", NOW)
        bob = progress.ensure_user(session, "bob", NOW)
        row = {"bank_id": "seed", "content_hash": "h", "answer": "A", "rating": 3,
               "duration_ms": 1000, "reviewed_at": NOW, "mode": "quiz"}  # fmt: skip
        progress.append_reviews(
            session,
            [
                row | {"user_id": ada.id, "question_id": "q1", "correct": True},
                row | {"user_id": ada.id, "question_id": "q1", "correct": False},
                row | {"user_id": bob.id, "question_id": "q1", "correct": True},
                row | {"user_id": bob.id, "question_id": "q1", "correct": None},  # rated only
                row | {"user_id": bob.id, "question_id": "q2", "correct": False},
            ],
        )
    with database.transaction() as session:
        assert progress.answers_right(session, "seed", "q1") == (2, 3)


def test_upgrade_from_0003_adds_the_exam_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), "0003")
        connection.commit()
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO users (id, name, created_at) VALUES (1, 'ada', :t)"),
            {"t": NOW.replace(tzinfo=None)},
        )
    engine.dispose()
    database = open_database(database_url)
    tables = set(inspect(database.engine).get_table_names())
    assert {"exam_runs", "exam_measurements", "exam_answers"} <= tables
    with database.transaction() as session:
        assert progress.find_user(session, "ada") is not None
    database.close()
    engine = make_engine(database_url)
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "0003")
        connection.commit()
        assert "exam_runs" not in inspect(connection).get_table_names()
    engine.dispose()
