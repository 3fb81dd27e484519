"""negsim ground floor: terms, events, codec, logs, replay.

Everything a user needs to read, verify and replay a log is importable from here.
"""

from events._version import SCHEMA_VERSION, __version__
from events.clauses import Amendment, Clause, Expiry, clause_from_data, clause_to_data
from events.codec import GENESIS, Recorded, decode_event, encode_line
from events.errors import InputError, IntegrityError, NegsimError, OutputError, WorkerLostError
from events.model import (
    EVENT_TYPES,
    ContractExpired,
    ContractSigned,
    Event,
    FirstRefusalExercised,
    FirstRefusalWaived,
    MilestoneReached,
    NegotiationEnded,
    OfferAccepted,
    OfferMade,
    OfferRejected,
    OutsideDealAccepted,
    OutsideOfferMade,
    OutsideOptionImproved,
    ReviewOpened,
    RulingIssued,
    RunEnded,
    RunStarted,
)
from events.replay import AroundAgi, Folder, around_agi, around_milestone, fold, state_at
from events.state import ContractState
from events.terms import Offer, Outcome
from events.verify import (
    Fault,
    LogFaultError,
    VerifiedLog,
    repair_torn_tail,
    verify_bytes,
    verify_file,
)
from events.writer import ChainWriter, JsonlLog, MemoryLog

__all__ = [
    "EVENT_TYPES",
    "GENESIS",
    "SCHEMA_VERSION",
    "Amendment",
    "AroundAgi",
    "ChainWriter",
    "Clause",
    "ContractExpired",
    "ContractSigned",
    "ContractState",
    "Event",
    "Expiry",
    "Fault",
    "FirstRefusalExercised",
    "FirstRefusalWaived",
    "Folder",
    "InputError",
    "IntegrityError",
    "JsonlLog",
    "LogFaultError",
    "MemoryLog",
    "MilestoneReached",
    "NegotiationEnded",
    "NegsimError",
    "Offer",
    "OfferAccepted",
    "OfferMade",
    "OfferRejected",
    "Outcome",
    "OutputError",
    "OutsideDealAccepted",
    "OutsideOfferMade",
    "OutsideOptionImproved",
    "Recorded",
    "ReviewOpened",
    "RulingIssued",
    "RunEnded",
    "RunStarted",
    "VerifiedLog",
    "WorkerLostError",
    "__version__",
    "around_agi",
    "around_milestone",
    "clause_from_data",
    "clause_to_data",
    "decode_event",
    "encode_line",
    "fold",
    "repair_torn_tail",
    "state_at",
    "verify_bytes",
    "verify_file",
]
