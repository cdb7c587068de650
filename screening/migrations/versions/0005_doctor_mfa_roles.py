"""doctor second factor and roles

Each doctor gets a role (clinician or admin), a TOTP secret with the last time step a
code was accepted for (a code is never accepted twice), and one-time recovery codes
stored as SHA-256. Existing accounts become clinicians, except the oldest account, which
becomes the admin (the first account created is always an admin). Existing doctors have
no second factor yet: with REQUIRE_MFA on they enrol at their next sign-in.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("doctor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=16), server_default="clinician", nullable=False))
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("mfa_enrolled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["doctor_id"], ["doctor.id"], name=op.f("fk_recovery_code_doctor_id_doctor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
    )
    op.create_index(op.f("ix_recovery_code_doctor_id"), "recovery_code", ["doctor_id"], unique=False)
    op.execute("UPDATE doctor SET role = 'admin' WHERE id = (SELECT MIN(id) FROM doctor)")


def downgrade() -> None:
    op.drop_index(op.f("ix_recovery_code_doctor_id"), table_name="recovery_code")
    op.drop_table("recovery_code")
    with op.batch_alter_table("doctor", schema=None) as batch_op:
        batch_op.drop_column("mfa_enrolled_at")
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("role")
