"""Exports of the questionnaire and of submitted answers for other systems.

:mod:`screening.export.fhir` turns the questionnaire definition into a FHIR R4
``Questionnaire`` and a patient's answers into a ``QuestionnaireResponse``. The functions
are pure (no Flask, no database, no clock) so that views, commands and tests share them.
The mapping is described in ``docs/exports.md``.
"""
