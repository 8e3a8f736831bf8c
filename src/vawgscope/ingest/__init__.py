"""Reading a dataset folder into a store: mapping, validation, rejects and pseudonymisation."""

from vawgscope.ingest.run import IngestReport, TableReport, ingest
from vawgscope.ingest.sources import IngestError

__all__ = ["IngestError", "IngestReport", "TableReport", "ingest"]
