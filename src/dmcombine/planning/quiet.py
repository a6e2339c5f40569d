"""One report per failed job.

When a ``shell:`` job exits non-zero, Snakemake logs the failure twice: first a ``RuleException``
("CalledProcessError in file ..., line N: Command 'set -euo pipefail; dmcombine ...' returned
non-zero exit status 1."), then the "Error in rule" block, which names the rule, the wildcards,
the log file and the command once more. The job's own message (``dmcombine: error: ...``) is
already on stderr above both. :func:`one_report_per_failed_job` drops the first record, so a
failed job shows its message, then one block with its log path and command.

Only that record is dropped: every other error (a missing output, a rule that raises while
parsing, a scheduler failure) is logged as before. Standard library only, like the rest of the
planning layer; a no-op where Snakemake's logger is not a :class:`logging.Logger` (Snakemake 7).
"""

from __future__ import annotations

import logging


class _FailedCommandFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "exception", None) != "RuleException":
            return True
        text = record.getMessage()
        return not ("CalledProcessError" in text and "returned non-zero exit status" in text)


def one_report_per_failed_job(logger: object) -> None:
    """Install the filter on Snakemake's logger (once)."""
    if isinstance(logger, logging.Logger) and not any(isinstance(f, _FailedCommandFilter) for f in logger.filters):
        logger.addFilter(_FailedCommandFilter())
