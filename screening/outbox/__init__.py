"""The email outbox: invitations and reminders reach patients through durable rows.

A message is a row (`OutboxMessage`) written in the same transaction as what caused it
(`queue`); reminders falling due are queued by the sender (`schedule`); each message is
composed when it is sent (`compose`, from templates/email/), sent over SMTP (`smtp`) by
`sender`, and the `commands` (`flask --app screening outbox send | work | list`) run it.
What is guaranteed, and what is not, is in docs/outbox.md.
"""
