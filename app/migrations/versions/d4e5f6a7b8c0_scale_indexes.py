"""indexes for lists paged by cursor at hospital scale, and the share list's patient search

Revision ID: d4e5f6a7b8c0
Revises: c3d4e5f6a7b9
Create Date: 2026-12-02 02:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d4e5f6a7b8c0"
down_revision = "c3d4e5f6a7b9"
branch_labels = None
depends_on = None

# Each single-column index below becomes the first column of a (column, created_at, id)
# index, which serves the same lookups and hands newest-first pages over without a sort.
REPLACED = (
    ("shares", "owner_id"),
    ("audit_events", "created_at"),
    ("audit_events", "kind"),
    ("audit_events", "actor_user_id"),
)
ORDERED = (
    ("shares", "ix_shares_created_at_id", ["created_at", "id"]),
    ("shares", "ix_shares_owner_id_created_at_id", ["owner_id", "created_at", "id"]),
    ("audit_events", "ix_audit_events_created_at_id", ["created_at", "id"]),
    ("audit_events", "ix_audit_events_kind_created_at_id", ["kind", "created_at", "id"]),
    (
        "audit_events",
        "ix_audit_events_actor_user_id_created_at_id",
        ["actor_user_id", "created_at", "id"],
    ),
)

# The share list's patient search: the ID in any case, the name's words anywhere in it.
TRIGRAMS = ("patient_id", "patient_name_folded")


def upgrade():
    for table, name, columns in ORDERED:
        op.create_index(name, table, columns, unique=False)
    for table, column in REPLACED:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    if op.get_bind().dialect.name == "postgresql":
        # A trusted extension (PostgreSQL 13+): the database's owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # On SQLite plain indexes (the `postgresql_` options are PostgreSQL's only).
    for column in TRIGRAMS:
        op.create_index(
            f"ix_share_studies_{column}_trigrams",
            "share_studies",
            [column],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade():
    for column in TRIGRAMS:
        op.drop_index(f"ix_share_studies_{column}_trigrams", table_name="share_studies")
    for table, column in REPLACED:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)
    for table, name, _columns in ORDERED:
        op.drop_index(name, table_name=table)
    # pg_trgm stays: other databases' objects on the server may use it by now.
