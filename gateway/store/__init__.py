"""Storage: the only package that holds SQL, on SQLite (WAL mode, the embedded default) or
PostgreSQL (several gateway nodes over one database).

    writer.py      the group-commit writer, over one of:
    sqlite.py        the SQLite file
    postgres.py      PostgreSQL (psycopg 3), its schema in migrations/*.sql
    intakes.py     reports as the channels gave them, and attachment records
    workorders.py  work orders, the change feed, history, the case's contacts, answers back
    state.py       channels' small durable state (conversations, calls), with expiry
    outbox.py      the answers-back queue the delivery worker reads
    console.py     operators, sessions, audit log, labelled examples, the review queue
    calls.py       the console's view of hotline calls

`Store` is the one object the application opens; feature modules wrap it.
"""
from gateway.errors import StorageUnavailable
from gateway.store.intakes import COLUMNS as INTAKE_COLUMNS
from gateway.store.intakes import SCHEMA as INTAKE_SCHEMA
from gateway.store.intakes import StoredIntake
from gateway.store.workorders import SCHEMA as WORKORDER_SCHEMA
from gateway.store.workorders import UpdateIdConflict, WorkOrderRecords

__all__ = ["Store", "StorageUnavailable", "StoredIntake", "UpdateIdConflict"]


class Store(WorkOrderRecords):
    """The database: intakes and work orders, plus the tables of the feature modules
    whose schemas are passed in."""

    def __init__(self, target, *, schemas: list[str] | None = None, **options):
        super().__init__(target, schemas=[INTAKE_SCHEMA, WORKORDER_SCHEMA, *(schemas or [])],
                         columns=INTAKE_COLUMNS, **options)
