"""treatment plans and check-ins

A doctor"s LDN plan (`treatment_plan`, its terms as one JSON document) with its history
(`plan_change`: started, changed, ended, by whom), and the check-ins of a plan (`checkin`:
a hashed-token link that opens on its due date, the answers, and the evaluation stored once
at submit with what the queue sorts on). Outbox messages may belong to a check-in.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("treatment_plan",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("response_id", sa.Integer(), nullable=False),
    sa.Column("terms", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("end_reason", sa.String(length=32), nullable=True),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("email", sa.String(length=254), nullable=True),
    sa.Column("reminders_stopped", sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("created_by_id", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["created_by_id"], ["doctor.id"], name=op.f("fk_treatment_plan_created_by_id_doctor")),
    sa.ForeignKeyConstraint(["response_id"], ["questionnaire_response.id"],
                            name=op.f("fk_treatment_plan_response_id_questionnaire_response")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_plan"))
    )
    with op.batch_alter_table("treatment_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_treatment_plan_response_id"), ["response_id"], unique=False)
    op.create_index("uq_treatment_plan_active", "treatment_plan", ["response_id"], unique=True,
                    sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table("checkin",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("plan_id", sa.Integer(), nullable=False),
    sa.Column("due_date", sa.Date(), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("link_salt", sa.String(length=64), nullable=True),
    sa.Column("opens_on", sa.Date(), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("issue", sa.Integer(), server_default="0", nullable=False),
    sa.Column("questionnaire_version", sa.String(length=32), nullable=True),
    sa.Column("answers", sa.JSON(), nullable=False),
    sa.Column("current_page", sa.String(length=64), nullable=True),
    sa.Column("revision", sa.Integer(), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("submitted", sa.Boolean(), nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("evaluation", sa.JSON(), nullable=True),
    sa.Column("ruleset_version", sa.String(length=32), nullable=True),
    sa.Column("urgent", sa.Boolean(), nullable=False),
    sa.Column("severity_rank", sa.Integer(), nullable=False),
    sa.Column("review_status", sa.String(length=16), nullable=False),
    sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["plan_id"], ["treatment_plan.id"], name=op.f("fk_checkin_plan_id_treatment_plan")),
    sa.ForeignKeyConstraint(["reviewed_by_id"], ["doctor.id"], name=op.f("fk_checkin_reviewed_by_id_doctor")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin")),
    sa.UniqueConstraint("plan_id", "due_date", name=op.f("uq_checkin_plan_id")),
    sa.UniqueConstraint("token_hash", name=op.f("uq_checkin_token_hash"))
    )
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkin_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index("ix_checkin_queue", ["submitted", "review_status", "urgent", "severity_rank"],
                              unique=False)

    op.create_table("plan_change",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("plan_id", sa.Integer(), nullable=False),
    sa.Column("action", sa.String(length=16), nullable=False),
    sa.Column("terms", sa.JSON(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("doctor_id", sa.Integer(), nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["doctor_id"], ["doctor.id"], name=op.f("fk_plan_change_doctor_id_doctor")),
    sa.ForeignKeyConstraint(["plan_id"], ["treatment_plan.id"], name=op.f("fk_plan_change_plan_id_treatment_plan")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_change"))
    )
    with op.batch_alter_table("plan_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_change_plan_id"), ["plan_id"], unique=False)

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkin_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_message_checkin_id"), ["checkin_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_outbox_message_checkin_id"), ["checkin_id", "slot"])
        batch_op.create_foreign_key(batch_op.f("fk_outbox_message_checkin_id_checkin"), "checkin", ["checkin_id"],
                                    ["id"], ondelete="CASCADE")



def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_message_checkin_id_checkin"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_outbox_message_checkin_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_outbox_message_checkin_id"))
        batch_op.drop_column("checkin_id")

    with op.batch_alter_table("plan_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_change_plan_id"))

    op.drop_table("plan_change")
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_queue")
        batch_op.drop_index(batch_op.f("ix_checkin_plan_id"))

    op.drop_table("checkin")
    op.drop_index("uq_treatment_plan_active", table_name="treatment_plan")
    with op.batch_alter_table("treatment_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_treatment_plan_response_id"))

    op.drop_table("treatment_plan")
