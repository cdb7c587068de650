"""The hidden-character tricks of issue 16, shared by the form, CLI and summary tests.

Each hides invisible characters inside "Oxycodone"; every one must read as the plain word.
"""

TRICKS = [
    ("soft hyphen", "Oxy\u00adcodone"),
    ("zero-width space", "Oxy\u200bcodone"),
    ("zero-width non-joiner", "Oxy\u200ccodone"),
    ("zero-width joiner", "Oxy\u200dcodone"),
    ("word joiner", "Oxy\u2060codone"),
    ("byte-order mark", "\ufeffOxycodone"),
    ("left-to-right mark", "Oxy\u200ecodone"),
    ("right-to-left mark", "Oxy\u200fcodone"),
    ("bidi embedding and pop", "Oxy\u202acodone\u202c"),
    ("right-to-left override", "Oxy\u202ecodone\u202c"),
    ("bidi isolates", "Oxy\u2066co\u2067do\u2068ne\u2069"),
    ("several at once", "\ufeffO\u00adx\u200by\u200dc\u2060o\u200ed\u202eo\u202cn\u2066e\u2069"),
]
TRICK_IDS = [name for name, _ in TRICKS]
