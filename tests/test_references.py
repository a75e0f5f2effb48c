"""The agentcore:// grammar: the forms it reads, and what each reads to."""

from __future__ import annotations

import pytest

from agentcore_identity_cli.errors import UsageError
from agentcore_identity_cli.references import Reference, is_reference, parse_reference, template_references


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("agentcore://api-key/openai", Reference("api-key", "openai")),
        ("AGENTCORE://api-key/openai", Reference("api-key", "openai")),
        ("agentcore://api-key/openai?workload=agent-1&user=alice", Reference("api-key", "openai", "agent-1", "alice")),
        ("agentcore://oauth2/github", Reference("oauth2", "github")),
        (
            "agentcore://oauth2/github?flow=m2m&scopes=repo,read:org",
            Reference("oauth2", "github", flow="M2M", scopes=("repo", "read:org")),
        ),
        (
            "agentcore://oauth2/corp?flow=USER_FEDERATION&scopes=openid%20email&user=alice&workload=agent",
            Reference("oauth2", "corp", "agent", "alice", "USER_FEDERATION", ("openid", "email")),
        ),
        (
            "agentcore://oauth2/corp?resources=https://api.example.com/&audiences=a,b",
            Reference("oauth2", "corp", resources=("https://api.example.com/",), audiences=("a", "b")),
        ),
        (
            "agentcore://workload-token/support-agent?user=alice",
            Reference("workload-token", "support-agent", user="alice"),
        ),
        ("agentcore://workload-token/agent.v2", Reference("workload-token", "agent.v2")),
    ],
)
def test_the_forms_of_the_grammar(text: str, expected: Reference) -> None:
    assert parse_reference(text) == expected


def test_the_canonical_text_parses_back_to_the_same_reference() -> None:
    reference = parse_reference("agentcore://oauth2/corp?user=alice&scopes=a,b&flow=m2m&workload=w")
    assert str(reference) == "agentcore://oauth2/corp?flow=M2M&user=alice&workload=w&scopes=a,b"
    assert parse_reference(str(reference)) == reference


def test_what_counts_as_meant_for_a_reference() -> None:
    assert is_reference("agentcore://api-key/x")
    assert is_reference("Agentcore:typo")  # refused later with what was expected, never passed through
    assert not is_reference("agentcore")
    assert not is_reference("https://agentcore.example.com")
    assert not is_reference("sk-live-123")


def test_an_empty_scopes_list_differs_from_none() -> None:
    assert parse_reference("agentcore://oauth2/corp").scopes is None  # the provider's default scopes
    with pytest.raises(UsageError, match="is empty"):
        parse_reference("agentcore://oauth2/corp?scopes=")


def test_template_references_name_their_line() -> None:
    found = template_references("a\n{{agentcore://api-key/a}} {{  agentcore://oauth2/b?flow=M2M  }}\n{{ x }}", "t")
    assert [str(reference) for _, reference in found] == ["agentcore://api-key/a", "agentcore://oauth2/b?flow=M2M"]
    with pytest.raises(UsageError, match="in t, line 2"):
        template_references("ok\n{{ agentcore://nope/x }}", "t")
