"""Storage: the only package that holds SQL. `core` has the writer, intakes and work
orders; each other module keeps the tables of one feature and registers its schema."""
from gateway.store.core import (
    Store, StorageUnavailable, StoredIntake, UpdateIdConflict,
)

__all__ = ["Store", "StorageUnavailable", "StoredIntake", "UpdateIdConflict"]
