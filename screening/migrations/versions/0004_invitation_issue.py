"""invitation issue

Which issue of a patient's link is current. A patient session stores the issue it was
opened under; re-issuing or revoking the link bumps it, so every older session ends at
once, and a revoked link re-issued later never brings a dormant session back. Existing
invitations start at 0; sessions opened before this revision carry no issue and must
open their link again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issue", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("issue")
