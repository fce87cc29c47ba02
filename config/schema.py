"""Export the JSON schema of `.github/undersigned.yml` (run: python -m config.schema)."""

from __future__ import annotations

import json

from config.model import Config

SCHEMA_ID = "https://undersigned.dev/schema/undersigned.v1.json"


def config_schema() -> dict[str, object]:
    schema = Config.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def render_schema() -> str:
    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render_schema(), end="")
