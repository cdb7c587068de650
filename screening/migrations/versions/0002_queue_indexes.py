"""queue indexes

Indexes that give the doctor queue its order and filters straight from an index with
100,000 submissions (see screening.models and screening.doctor.queue): partial (submitted
only) indexes in the queue's exact order, one led by severity for the severity filter,
and lower(patient_ref) for the reference search. They replace ix_response_queue (whose
order the query could not use) and ix_response_review (which misled SQLite's planner).

Generated with alembic autogenerate (rev_id 0002), which dropped the two old indexes;
the expression indexes it cannot compare on SQLite were added by hand below.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLE = "questionnaire_response"
# The queue's order: urgent first, severity, appointment with undated last, then ID.
QUEUE_TAIL: list[str | sa.TextClause] = [
    sa.text("(appointment_date IS NULL)"), "appointment_date", "id", "review_status",
]


def upgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index("ix_response_queue")
        batch_op.drop_index("ix_response_review")

    postgresql = op.get_bind().dialect.name == "postgresql"
    submitted: dict[str, Any] = {"postgresql_where": sa.text("submitted = true")} if postgresql else {
        "sqlite_where": sa.text("submitted = 1")}
    op.create_index(
        "ix_response_queue_order", TABLE, [sa.text("urgent DESC"), "severity_rank", *QUEUE_TAIL],
        unique=False, **submitted,
    )
    op.create_index(
        "ix_response_queue_severity", TABLE, ["severity_rank", sa.text("urgent DESC"), *QUEUE_TAIL],
        unique=False, **submitted,
    )
    ref = "lower(patient_ref) text_pattern_ops" if postgresql else "lower(patient_ref)"
    op.create_index("ix_response_ref_lower", TABLE, [sa.text(ref)], unique=False)


def downgrade() -> None:
    op.drop_index("ix_response_ref_lower", table_name=TABLE)
    op.drop_index("ix_response_queue_severity", table_name=TABLE)
    op.drop_index("ix_response_queue_order", table_name=TABLE)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index("ix_response_review", ["review_status", "submitted"], unique=False)
        batch_op.create_index(
            "ix_response_queue", ["submitted", "urgent", "severity_rank", "appointment_date", "id"], unique=False,
        )
