"""evaluation medicines

The medication list as the rules read it (each entry with its class, recognised product
and ingredients), stored with every evaluation, so the doctor's summary shows the classes
that were evaluated rather than what a newer lexicon would say. NULL for evaluations
stored before this revision: their classes were never recorded.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("medicines", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_column("medicines")
