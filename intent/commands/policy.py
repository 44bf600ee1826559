"""intentctl policy ...: organisation policies."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Organisation policies: mandatory rules requests cannot loosen.", no_args_is_help=True)


@app.command("check")
def policy_check(path: Annotated[str, typer.Argument(metavar="FILE", help="An organisation policy YAML file.")]) -> None:
    """Validate an organisation policy file; errors give the line and the field."""
    from policies import load_policy

    policy = load_policy(path)
    typer.echo(f"ok: {policy.name!r}, {len(policy.rules)} rule(s): {', '.join(r.id for r in policy.rules)}")
