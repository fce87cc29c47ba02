"""The contract checker itself, and the label endpoints the service's known defect (issue 11) is about."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.github_sim import Demo, Simulator, person
from tests.github_sim.contract import Checker
from tests.github_sim.schemas import rest, to_json_schema


def test_nullable_becomes_a_null_type_and_oneof_becomes_anyof() -> None:
    refs: set[str] = set()
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "nullable": True},
            "b": {"nullable": True, "allOf": [{"$ref": "#/components/schemas/simple-user"}]},
            "c": {"oneOf": [{"type": "string"}, {"type": "string", "enum": ["x"]}]},
            "d": {"type": "string", "enum": ["x"], "nullable": True},
        },
    }
    out = to_json_schema(schema, refs)
    assert out["properties"]["a"] == {"type": ["string", "null"]}
    assert out["properties"]["b"] == {"anyOf": [{"allOf": [{"$ref": "#/definitions/simple-user"}]}, {"type": "null"}]}
    assert "anyOf" in out["properties"]["c"] and "oneOf" not in out["properties"]["c"]
    assert out["properties"]["d"] == {"type": ["string", "null"], "enum": ["x", None]}
    assert refs == {"simple-user"}


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("GET", "/repos/o/r/git/ref/heads/main", "/repos/{owner}/{repo}/git/ref/{ref}"),
        ("PATCH", "/repos/o/r/git/refs/heads/a/b", "/repos/{owner}/{repo}/git/refs/{ref}"),
        ("GET", "/repos/o/r/contents/.github/undersigned.yml", "/repos/{owner}/{repo}/contents/{path}"),
        ("GET", "/repos/o/r/issues/comments/5", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
        ("GET", "/repos/o/r/issues/5/comments", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
        ("GET", "/repos/o/r/commits", "/repos/{owner}/{repo}/commits"),
    ],
)
def test_requests_find_their_operation(method: str, path: str, template: str) -> None:
    found = rest().operation(method, path)
    assert found is not None and found[0] == template


def test_an_undocumented_route_is_a_violation() -> None:
    assert [v.message for v in Checker().request("GET", "/repos/o/r/git/refs/heads/main", None)] == [
        "no such operation in GitHub's REST description"
    ]


@pytest.mark.parametrize(
    ("body", "ok"),
    [
        ({"labels": ["a"]}, True),
        ({"labels": [{"name": "a"}]}, True),
        (["a"], True),  # the bare array the description's prose allows (PyGithub sends it)
        ({"labels": []}, False),  # minItems 1: issue 11's defect
        ([], False),
        ({"labels": [1]}, False),
    ],
)
def test_set_labels_bodies(body: Any, ok: bool) -> None:
    found = Checker().request("PUT", "/repos/o/r/issues/1/labels", body)
    assert (found == []) is ok, found


def test_removing_every_label_with_put_is_off_contract() -> None:
    """The service once sent `PUT .../labels` with `labels: []`; it now removes labels one by one."""
    (empty,) = Checker().request("PUT", "/repos/o/r/issues/1/labels", {"labels": []})
    assert "labels" in empty.message


def test_a_short_response_is_a_violation() -> None:
    found = Checker().response("GET", "/repos/o/r/issues/1/labels", 200, [{"name": "x"}])
    assert any('"color" is a required property' in v.message for v in found), found


def test_label_endpoints_as_github_documents_them(sim: Simulator, demo: Demo) -> None:
    number = int(
        person(sim, "ada").sign(demo.repo.full_name, "README.md", "-  Ada [@ada](https://github.com/ada)")["number"]
    )
    maintainer = demo.maintainer  # a collaborator: may label
    http = httpx.Client(base_url=sim.base_url, headers={"Authorization": f"token {maintainer.token}"})
    sim.closers.append(http.close)
    labels = f"/repos/{demo.repo.full_name}/issues/{number}/labels"

    def names(answer: httpx.Response) -> list[str]:
        assert answer.status_code == 200, answer.text
        return [label["name"] for label in answer.json()]

    assert names(http.post(labels, json={"labels": ["a", "b"]})) == ["a", "b"]
    assert names(http.post(labels, json={"labels": [{"name": "c"}]})) == ["a", "b", "c"]
    assert names(http.delete(f"{labels}/b")) == ["a", "c"]  # the remaining labels
    assert http.delete(f"{labels}/b").status_code == 404  # "Label does not exist"
    assert names(http.put(labels, json={"labels": ["d"]})) == ["d"]
    assert http.delete(labels).status_code == 204
    assert names(http.get(labels)) == []
    assert sim.contract is not None
    assert sim.contract.violations == []
    # The service's old way, `labels: []`, is answered (GitHub clears the labels) but off-contract: it fails a test.
    assert names(http.put(labels, json={"labels": []})) == []
    assert [v.operation for v in sim.contract.take()] == ["PUT /repos/{owner}/{repo}/issues/{issue_number}/labels"]
