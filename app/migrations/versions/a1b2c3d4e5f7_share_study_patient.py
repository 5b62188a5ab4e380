"""the patient of each shared study (name, folded name, PatientID, AccessionNumber)

Stored when a share is made, so the console lists and searches shares by patient without
asking Orthanc. Upgrade adds the columns empty: a migration must not depend on Orthanc being
reachable. Existing rows are filled afterwards by `flask shares backfill-patients`, which asks
Orthanc for each shared study and leaves a row empty when its study is gone.

Revision ID: a1b2c3d4e5f7
Revises: f1a2b3c4d5e6
Create Date: 2026-11-24 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e5f7'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('share_studies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_name', sa.String(length=324), nullable=True))
        batch_op.add_column(sa.Column('patient_name_folded', sa.String(length=324), nullable=True))
        batch_op.add_column(sa.Column('patient_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('accession_number', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_share_studies_patient_id'), ['patient_id'], unique=False)


def downgrade():
    with op.batch_alter_table('share_studies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_studies_patient_id'))
        batch_op.drop_column('accession_number')
        batch_op.drop_column('patient_id')
        batch_op.drop_column('patient_name_folded')
        batch_op.drop_column('patient_name')
