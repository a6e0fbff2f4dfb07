"""The acquiring-provider interface: a bank terminal charges or refunds a card and says how it went."""

from dataclasses import dataclass


class AcquiringError(Exception):
    """The terminal could not be asked, or did not answer in time: the outcome is unknown.

    Never charge again after this: the operator checks the terminal's journal first.
    """


@dataclass
class AcquiringResult:
    approved: bool
    code: str
    message: str
    rrn: str = ""
    auth_code: str = ""
    slip: str = ""


class AcquiringProvider:
    """One terminal. Amounts are in roubles here; providers convert to kopecks (currency 643)."""

    def sale(self, amount):
        raise NotImplementedError

    def refund(self, amount, rrn):
        """Refund by the original operation's reference (RRN), not a void."""
        raise NotImplementedError
