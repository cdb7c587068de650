"""After the start: treatment plans, their check-ins and the services both sides share
(followup.md). The clinical arithmetic and rules are pure and live in screening.rules
(`plan`, `followup`, `checkin`); this package stores and loads what they work on."""
