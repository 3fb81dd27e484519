__version__ = "0.1.0"

# The log schema this negsim writes and reads (``RunStarted.schema``); a log claiming a
# higher one was written by a newer negsim.
SCHEMA_VERSION = 1
