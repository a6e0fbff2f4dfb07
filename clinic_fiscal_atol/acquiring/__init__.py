from .base import AcquiringError, AcquiringResult
from .sberbank import SberbankPilot

PROVIDERS = {"sberbank": SberbankPilot}


def get_terminal(register):
    """The acquiring provider of a register (``register.terminal``), configured from it."""
    return PROVIDERS[register.terminal](register.terminal_path, timeout=register.terminal_timeout)


__all__ = ["AcquiringError", "AcquiringResult", "get_terminal"]
