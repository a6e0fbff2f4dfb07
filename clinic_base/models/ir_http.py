import gc
import logging

from odoo import models
from odoo.tools import config

_logger = logging.getLogger(__name__)


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def _register_hook(self):
        """In a multi-worker server, the objects of the loaded registry are moved out of the garbage collector's
        reach (``gc.freeze()``): a full collection in a worker then scans what its requests made, not the hundreds of
        thousands of objects of the models, fields and caches, which took 0.2-2.5 s per collection on this suite's
        benchmark server and fell on whichever request was running (the p95 of the website's booking steps,
        bench/README.md «website»). The master process loads the registry before it forks the workers, so they
        start with it frozen (and share its memory pages instead of copying them when a collection touches them).

        Only in prefork mode: a registry reloaded in a worker after a module update leaves the old one frozen until
        the worker is recycled (``--limit-memory-soft``, ``--limit-request``); the threaded server of development
        and tests is left as Odoo runs it.
        """
        super()._register_hook()
        if config["workers"]:
            gc.collect()  # what is garbage already is not kept forever
            gc.freeze()
            _logger.info("Registry objects frozen out of garbage collection: %s", gc.get_freeze_count())
