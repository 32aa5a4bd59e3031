"""Reading contacts and interaction history from other tools' CSV exports (SPEC §8 "CRM").

No Qt and no SQL here: these modules turn a file into checked rows and a
report; the workspace stores them (``builder.store.importing``), and both the
import dialog and ``automation-builder import`` use them.
"""
