"""intentctl policy ...: organisation policies."""

from __future__ import annotations

from typing import Annotated

import typer

from intent.commands.common import CatalogOpt

app = typer.Typer(help="Organisation policies: mandatory rules requests cannot loosen.", no_args_is_help=True)


@app.command("check")
def policy_check(path: Annotated[str, typer.Argument(metavar="FILE", help="An organisation policy YAML file.")],
                 catalog: CatalogOpt = None) -> None:
    """Validate an organisation policy file; errors give the line and the field. The devices its
    rules exclude must name something in the catalog the plans use (--catalog: the same DIR)."""
    from hardware import load_catalog
    from policies import load_policy

    policy = load_policy(path, load_catalog(catalog))
    typer.echo(f"ok: {policy.name!r}, {len(policy.rules)} rule(s): {', '.join(r.id for r in policy.rules)}")
