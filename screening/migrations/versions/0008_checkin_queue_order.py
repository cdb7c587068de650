"""check-in queue order

`ix_checkin_queue` gains the check-in lists' order (due date, then ID) after its four
equality columns (submitted, review status, urgent, severity), so each list is read as
ordered index seeks that stop at the page's end instead of reading and sorting every
check-in of its kind (screening.doctor.queue, screening.doctor.checkin_list). The index on a
check-in's plan gains the same four columns, so the queue's search by patient reference is
read from the patients found rather than from every flagged check-in.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLE = "checkin"
EQUAL = ["submitted", "review_status", "urgent", "severity_rank"]


def upgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_queue")
        batch_op.create_index("ix_checkin_queue", [*EQUAL, "due_date", "id"], unique=False)
        batch_op.drop_index("ix_checkin_plan_id")
        batch_op.create_index("ix_checkin_plan_queue", ["plan_id", *EQUAL], unique=False)


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_plan_queue")
        batch_op.create_index("ix_checkin_plan_id", ["plan_id"], unique=False)
        batch_op.drop_index("ix_checkin_queue")
        batch_op.create_index("ix_checkin_queue", EQUAL, unique=False)
