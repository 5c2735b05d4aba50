"""The code of the guides (docs/guides), run against the real replica set through both twins.

Every `examples/_async/guide_<topic>.py` with a `main(engine)` is found here, run, and what it
prints compared with the `Output` blocks of `docs/guides/<topic>.md`, in order: a guide whose
behaviour drifts from its text fails. Adding a guide page needs no change to this file."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from odmantic import AIOEngine

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ROOT / "docs" / "guides"
# This file's twin ("_async", or "_sync" in the generated copy) picks the examples' twin.
TWIN = Path(__file__).parent.name
EXAMPLES = ROOT / "examples" / TWIN
TOPICS = sorted(
    path.stem.removeprefix("guide_")
    for path in EXAMPLES.glob("guide_*.py")
    if "\ndef main(" in path.read_text() or "\nasync def main(" in path.read_text()
)


def guide_outputs(name: str) -> str:
    """What a guide says its snippets print: its `Output` blocks, in order."""
    text = (GUIDES / f"{name}.md").read_text()
    return "".join(re.findall(r'```text title="Output"\n(.*?)```', text, re.S))


def test_every_guide_example_has_its_page() -> None:
    assert TOPICS and all((GUIDES / f"{topic}.md").exists() for topic in TOPICS), TOPICS


@pytest.mark.parametrize("topic", TOPICS)
async def test_guide_prints_what_its_page_shows(
    topic: str, engine: AIOEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    module = importlib.import_module(f"examples.{TWIN}.guide_{topic}")
    await module.main(engine)
    assert capsys.readouterr().out == guide_outputs(topic)


def test_fastapi_guide(
    mongo_uri: str, database_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The FastAPI tutorial's app answers its requests as the page shows."""
    fastapi_guide = importlib.import_module(f"examples.{TWIN}.guide_fastapi")
    fastapi_guide.run(mongo_uri, database_name)
    assert capsys.readouterr().out == guide_outputs("fastapi")
