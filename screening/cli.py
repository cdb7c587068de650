"""Flask commands: `flask --app screening <command>`.

Each package owns its commands (operations, doctor accounts, exports, the clinical
CLIs); this module only registers them, so `flask --help` lists them all.
"""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from .doctor.commands import COMMANDS as DOCTOR_COMMANDS
    from .export.commands import COMMANDS as EXPORT_COMMANDS
    from .followup.commands import COMMANDS as FOLLOWUP_COMMANDS
    from .medications.cli import classify_medication_command
    from .operations.commands import COMMANDS as OPERATIONS_COMMANDS
    from .outbox.commands import COMMANDS as OUTBOX_COMMANDS
    from .rules.cli import COMMANDS as RULES_COMMANDS

    for command in (*OPERATIONS_COMMANDS, *RULES_COMMANDS, classify_medication_command,
                    *DOCTOR_COMMANDS, *EXPORT_COMMANDS, *OUTBOX_COMMANDS, *FOLLOWUP_COMMANDS):
        app.cli.add_command(command)
