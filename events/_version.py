__version__ = "0.1.0"

# The log schema this negsim writes and reads (``RunStarted.schema``); a log claiming a
# higher one was written by a newer negsim. 2: contracts as clauses (ContractSigned v2,
# RulingIssued v3, offers as outcomes); schema-1 logs are upcast on read.
SCHEMA_VERSION = 2
