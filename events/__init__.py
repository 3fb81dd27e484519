"""negsim ground floor: terms, events, codec, logs, replay.

Everything a user needs to read, verify and replay a log is importable from here.
"""

from events._version import SCHEMA_VERSION, __version__
from events.codec import GENESIS, Recorded, decode_event, encode_line
from events.errors import InputError, IntegrityError, NegsimError, OutputError, WorkerLostError
from events.model import (
    EVENT_TYPES,
    RIGHTS,
    AgiClause,
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
    ReviewOpened,
    RulingIssued,
    RunEnded,
    RunStarted,
)
from events.replay import Folder, around_milestone, fold, state_at
from events.state import ContractState
from events.terms import Offer, Outcome, Terms, TermsPatch
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
    "RIGHTS",
    "SCHEMA_VERSION",
    "AgiClause",
    "ChainWriter",
    "ContractExpired",
    "ContractSigned",
    "ContractState",
    "Event",
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
    "Recorded",
    "ReviewOpened",
    "RulingIssued",
    "RunEnded",
    "RunStarted",
    "Terms",
    "TermsPatch",
    "VerifiedLog",
    "WorkerLostError",
    "__version__",
    "around_milestone",
    "decode_event",
    "encode_line",
    "fold",
    "repair_torn_tail",
    "state_at",
    "verify_bytes",
    "verify_file",
]
