"""The workflow a letter adds (the README shows the same text; `undersigned init` writes it)."""

from __future__ import annotations

ACTION = "undersigned/undersigned@v1"  # the project's repository, as it is published
WORKFLOW_PATH = ".github/workflows/undersigned.yml"

WORKFLOW = """\
# undersigned checks signature pull requests on this letter and lands the valid ones.
# It never checks out or runs a pull request's code: it reads the files through the API, as data,
# and its configuration (.github/undersigned.yml) only from the default branch.
name: undersigned
on:
  pull_request_target:
    types: [opened, synchronize, reopened, edited, closed]
  issue_comment:
    types: [created]
  push:
    branches: [{branch}]
  schedule:
    - cron: "*/12 * * * *"
  workflow_dispatch:
permissions:
  contents: write
  pull-requests: write
  issues: write
  checks: write
concurrency:
  group: undersigned-${{{{ github.repository }}}}
  cancel-in-progress: false
jobs:
  signatures:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: {action}
"""


def workflow(branch: str = "main", action: str = ACTION) -> str:
    """The workflow for a letter whose default branch is `branch`."""
    return WORKFLOW.format(branch=branch, action=action)
