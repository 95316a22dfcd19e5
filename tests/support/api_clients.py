"""API clients that tests share: one authenticated with a user's token (one per thread in the
races), and the security world's client per persona."""

from __future__ import annotations

from rest_framework.test import APIClient


def token_client(user) -> APIClient:
    """An API client of its own (one per thread), authenticated with the user's token, that
    answers a server error as a 500 response instead of raising it in the test."""
    from rastrack.accounts.tokens import token_issue

    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user)}")
    return client


def client_for(world, persona: str | None) -> APIClient:
    """The security world's client for a persona (tests/builders/security.py), one per persona
    for the whole world: making a client loads the middleware chain (WhiteNoise scans the
    static files), which would cost more than the request."""
    clients = world.extra.setdefault("clients", {})
    key = persona or "anon"
    if key not in clients:
        client = APIClient()
        if key != "anon":
            client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[key]}")
        clients[key] = client
    client = clients[key]
    client.cookies.clear()
    return client
