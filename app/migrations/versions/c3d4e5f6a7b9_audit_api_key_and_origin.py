"""audit events name their API key, and the masked network and browser family they came from

Revision ID: c3d4e5f6a7b9
Revises: b2c3d4e5f6a8
Create Date: 2026-11-24 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3d4e5f6a7b9'
down_revision = 'b2c3d4e5f6a8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_key_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('network', sa.String(length=49), nullable=True))
        batch_op.add_column(sa.Column('browser', sa.String(length=60), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_events_api_key_id'), ['api_key_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_audit_events_api_key_id_api_keys'),
            'api_keys',
            ['api_key_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_audit_events_api_key_id_api_keys'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_audit_events_api_key_id'))
        batch_op.drop_column('browser')
        batch_op.drop_column('network')
        batch_op.drop_column('api_key_id')
