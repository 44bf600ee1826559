"""Errors raised by the policy layer."""

from __future__ import annotations


class PolicyError(ValueError):
    """A policy file is malformed, or a request asks for something a policy forbids."""

    code = "policy-error"
    hint = "fix the policy file or the request as the message says"
