"""Running a clinic's installation: schema, demo data, backups, retention and erasure.

Services (`backup`, `retention`, `demo`) and the commands that expose them (`commands`).
"""
