"""birth dates at rest as a keyed hash (HMAC-SHA256 under the birth-date key of SECRET_KEY)

Upgrade hashes every stored birth date with the current SECRET_KEY, then drops the clear column.

Downgrade cannot give the dates back: it re-adds `birth_date` empty. Shares that ask for a
birth date then refuse every answer (the old code compares against nothing) until the
clinician makes a new share; nothing is opened by mistake.

Revision ID: d2b7a9e41c10
Revises: b3f1c2d4e5a6
Create Date: 2026-11-23 09:30:00

"""
from alembic import op
import sqlalchemy as sa

from app.shares.birth_dates import hash_birth_date


# revision identifiers, used by Alembic.
revision = 'd2b7a9e41c10'
down_revision = 'b3f1c2d4e5a6'
branch_labels = None
depends_on = None

# The table as this revision sees it, not the ORM model, which changes later.
shares = sa.table(
    'shares',
    sa.column('id', sa.Integer),
    sa.column('birth_date', sa.String),
    sa.column('birth_date_hash', sa.String),
)


def upgrade():
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_date_hash', sa.String(length=64), nullable=True))

    connection = op.get_bind()
    rows = connection.execute(
        sa.select(shares.c.id, shares.c.birth_date).where(shares.c.birth_date.is_not(None))
    ).all()
    for share_id, birth_date in rows:
        connection.execute(
            shares.update()
            .where(shares.c.id == share_id)
            .values(birth_date_hash=hash_birth_date(birth_date))
        )

    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_column('birth_date')


def downgrade():
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_date', sa.String(length=8), nullable=True))
        batch_op.drop_column('birth_date_hash')
