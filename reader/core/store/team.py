"""A PostgreSQL project's team: who may do what, enforced by the database itself.

Three group roles (NOLOGIN), created by the migration ``m009_team`` of
reader.core.store.postgres_schema with their grants and row-level security:

- ``reader_lead`` manages documents, the codebook and the team: every table, every row;
- ``reader_coder`` reads everything, creates tags, and creates, changes and deletes only the
  annotations (and their tags and undo steps) whose ``coder`` is the coder's own role;
- ``reader_viewer`` reads (and so exports) everything, and writes nothing.

A member is a login role in one of them: ``reader team add NAME --role coder``. reader never
sets a password (that is the server's business: ``\\password NAME`` in psql, or certificates);
the names here are SQL identifiers, quoted by psycopg, never spliced.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from psycopg import sql as pg_sql

from reader.core.errors import StoreError
from reader.core.store.postgres import PostgresGateway

__all__ = ["GROUP_ROLES", "Member", "TeamRole", "add_member", "members"]


class TeamRole(StrEnum):
    LEAD = "lead"
    CODER = "coder"
    VIEWER = "viewer"

    @property
    def group(self) -> str:
        """The PostgreSQL group role that carries this role's rights."""
        return f"reader_{self.value}"


GROUP_ROLES = tuple(role.group for role in TeamRole)


@dataclass(frozen=True)
class Member:
    name: str
    role: TeamRole


def members(gateway: PostgresGateway) -> list[Member]:
    """Every login role in one of the team's groups, by name (one role each: the highest)."""
    rows = gateway.query(
        "select m.rolname, g.rolname from pg_auth_members am"
        " join pg_roles g on g.oid = am.roleid join pg_roles m on m.oid = am.member"
        f" where g.rolname in ({', '.join('?' for _ in GROUP_ROLES)})"
        " order by m.rolname",
        list(GROUP_ROLES),
    )
    found: dict[str, TeamRole] = {}
    order = list(TeamRole)
    for name, group in rows:
        role = TeamRole(str(group).removeprefix("reader_"))
        current = found.get(str(name))
        if current is None or order.index(role) < order.index(current):
            found[str(name)] = role
    return [Member(name, role) for name, role in found.items()]


def check_member_name(name: str) -> str:
    if not name or len(name.encode("utf-8")) > 63:
        raise StoreError("A member's name is 1 to 63 bytes (a PostgreSQL role name).")
    if name.startswith("pg_") or name in GROUP_ROLES or not name.isprintable():
        raise StoreError(
            f"{name!r} cannot be a member's name: it is reserved, or has control characters."
        )
    return name


def add_member(gateway: PostgresGateway, name: str, role: TeamRole) -> bool:
    """Make ``name`` a member with ``role`` (creating the login role if it is new; any other
    team role it had is taken away). True when the role was created. Needs a lead (with
    CREATEROLE, to create roles) or a superuser: the server refuses anyone else."""
    check_member_name(name)
    allowed = gateway.one(
        "select rolsuper or pg_has_role(current_user, 'reader_lead', 'member')"
        " from pg_roles where rolname = current_user"
    )
    if not (allowed and allowed[0]):
        raise StoreError(
            f"Only a lead (or a superuser) manages the team; {gateway.role!r} is not one."
        )
    identifier = pg_sql.Identifier(name)
    with gateway.transaction():
        created = gateway.one("select 1 from pg_roles where rolname = ?", [name]) is None
        if created:
            gateway.execute_composed(pg_sql.SQL("create role {} login").format(identifier))
        for other in TeamRole:
            if other is not role:
                gateway.execute_composed(
                    pg_sql.SQL("revoke {} from {}").format(
                        pg_sql.Identifier(other.group), identifier
                    )
                )
        gateway.execute_composed(
            pg_sql.SQL("grant {} to {}").format(pg_sql.Identifier(role.group), identifier)
        )
    return created
