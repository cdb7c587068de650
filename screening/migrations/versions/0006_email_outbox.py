"""email outbox

Invitations get an optional email address (kept only while the link can be used), the salt
their link is derived from (so a reminder can carry the same link), and a "stop reminders"
switch. `outbox_message` holds the messages to send: one row per message, unique per
invitation and slot, with its status, attempts, next attempt, lease and last error.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("link_salt", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reminders_stopped", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("slot", sa.String(length=64), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("in_flight_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["invitation_id"], ["invitation.id"],
                                name=op.f("fk_outbox_message_invitation_id_invitation"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("invitation_id", "slot", name=op.f("uq_outbox_message_invitation_id")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_message_id")),
    )
    op.create_index("ix_outbox_due", "outbox_message", ["status", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_outbox_message_invitation_id"), "outbox_message", ["invitation_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_message_invitation_id"), table_name="outbox_message")
    op.drop_index("ix_outbox_due", table_name="outbox_message")
    op.drop_table("outbox_message")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("reminders_stopped")
        batch_op.drop_column("link_salt")
        batch_op.drop_column("email")
