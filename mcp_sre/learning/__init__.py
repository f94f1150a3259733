"""Self-learning: a failure store, feedback (explicit and implicit), and lessons that change
the next answer -- local to ``$MCP_SRE_HOME``, inspectable (``mcp-sre lessons``), reversible,
and off with ``MCP_SRE_LEARNING=0``."""

from mcp_sre.learning.learner import VERDICTS, Learner, learner_from_settings, learning_enabled
from mcp_sre.learning.store import Event, FailureStore, Lesson

__all__ = ["VERDICTS", "Event", "FailureStore", "Learner", "Lesson", "learner_from_settings",
           "learning_enabled"]
