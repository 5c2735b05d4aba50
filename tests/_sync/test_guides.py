# generated from tests/_async/test_guides.py by codegen; do not edit
"""The code of the guides (docs/guides), run against the real replica set through both twins.

Each guide's `main` asserts what it shows (the documents found, counted, updated...), so a
guide whose behaviour drifts from its text fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from examples._sync import (
    guide_fastapi,
    guide_models,
    guide_queries,
    guide_sessions,
    guide_updates,
)
from odmantic import SyncEngine

GUIDES = Path(__file__).resolve().parents[2] / "docs" / "guides"


def guide_outputs(name: str) -> str:
    """What a guide says its snippets print: its `Output` blocks, in order."""
    text = (GUIDES / f"{name}.md").read_text()
    return "".join(re.findall(r'```text title="Output"\n(.*?)```', text, re.S))


def test_models_guide(engine: SyncEngine) -> None:
    guide_models.main(engine)


def test_queries_guide(engine: SyncEngine, capsys: pytest.CaptureFixture[str]) -> None:
    guide_queries.main(engine)
    assert capsys.readouterr().out == guide_outputs("queries")


def test_sessions_guide(engine: SyncEngine, capsys: pytest.CaptureFixture[str]) -> None:
    guide_sessions.main(engine)
    assert capsys.readouterr().out == guide_outputs("sessions")


def test_updates_guide(engine: SyncEngine, capsys: pytest.CaptureFixture[str]) -> None:
    guide_updates.main(engine)
    assert capsys.readouterr().out == guide_outputs("updates")


def test_fastapi_guide(mongo_uri: str, database_name: str) -> None:
    with TestClient(guide_fastapi.make_app(mongo_uri, database_name)) as client:
        created = client.post("/gnomes", json={"name": "Gimble", "level": 3})
        assert created.status_code == 201, created.text
        gnome_id = created.json()["id"]
        assert client.post("/gnomes", json={"id": gnome_id, "name": "Evil"}).status_code == 409
        assert client.get(f"/gnomes/{gnome_id}").json()["name"] == "Gimble"
        assert client.get("/gnomes/5f85f36d6dfecacc68428a46").status_code == 404
        page = client.get("/gnomes", params={"size": 10}).json()
        assert (page["total"], [g["name"] for g in page["items"]]) == (1, ["Gimble"])
