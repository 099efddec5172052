import time
from collections import namedtuple

from odoo import api, fields, models

# What a run yields after each batch: the items of the batch, the
# ``(item, exception)`` of those left untouched, the return values of the
# successful calls of ``process``, whether the batch had to be retried item by
# item, and the seconds it took.
Batch = namedtuple("Batch", "items failed results retried duration")


class IrCronProgress(models.Model):
    _inherit = "ir.cron.progress"

    mph_batch_state = fields.Json(
        string="Batch job state",
        help="Where a batch job (mph.batch) stopped in this call, for its next call in the same run.",
    )


class BatchRun:
    """One run of a batch job; see ``mph.batch._mph_batch_run``."""

    def __init__(self, env, per_call):
        self.env = env
        progress_id = env.context.get("ir_cron_progress_id")
        self.progress = env["ir.cron.progress"].sudo().browse(progress_id) if progress_id else None
        # One batch per call only when the cron runner calls the job: it
        # commits and calls again while work remains. A manual run (a button,
        # "Run Manually", a test) does everything in one call.
        self.per_call = bool(per_call and self.progress and env.context.get("cron_id"))
        self.state = {}
        if self.per_call:
            previous = self.progress.search(
                [("cron_id", "=", self.progress.cron_id.id), ("id", "<", self.progress.id)], order="id desc", limit=1
            )
            if previous.remaining:
                self.state = dict(previous.mph_batch_state or {})
        # True on the first call of a run (always outside the cron runner).
        self.first = not self.state
        self.remaining = 0
        self.done = 0

    def batches(
        self, items, process, *, size, key, group=None, errors=(Exception,), on_batch_error=None, on_item_error=None
    ):
        """Process ``items`` (in ascending ``key`` order) in batches of
        ``size``; a batch never holds items of two ``group`` values.

        ``process(list_of_items)`` does the work of a batch inside a
        savepoint. When it raises one of ``errors``, the savepoint is rolled
        back, ``on_batch_error(items, exception)`` is called and the batch is
        retried item by item, each in its own savepoint: an item whose
        ``process([item])`` raises is rolled back (left untouched),
        ``on_item_error(item, exception)`` is called and the others go on.
        An exception outside ``errors`` stops the run. The callbacks run
        inside the ``except`` block (a logger's ``exception()`` gets the
        traceback).

        Yields a ``Batch`` after each batch, then reports the progress to
        the cron runner. Run by the cron runner with ``per_call``, one batch
        is done per call: ``key`` (a tuple of JSON values) of the batch's
        last item is kept in ``state`` and the next call goes on after it, so
        a failed item is not retried before the next run.
        """
        cursor = self.state.get("cursor")
        if cursor is not None:
            cursor = tuple(cursor)
            items = [item for item in items if tuple(key(item)) > cursor]
        chunks = self._split(items, size, group)
        total = len(items)
        self.remaining = total
        if not chunks and self.progress is not None:
            self.env["ir.cron"]._notify_progress(done=self.done, remaining=0)
        for chunk in chunks:
            start = time.perf_counter()
            results, failed, retried = self._process(chunk, process, errors, on_batch_error, on_item_error)
            batch = Batch(chunk, failed, results, retried, time.perf_counter() - start)
            yield batch
            self.done += len(chunk)
            self.remaining -= len(chunk)
            self.state["cursor"] = list(key(chunk[-1]))
            if self.per_call:
                self.env["ir.cron"]._notify_progress(done=len(chunk), remaining=self.remaining)
                self.progress.mph_batch_state = self.state if self.remaining else False
                return
            self.env["ir.cron"]._notify_progress(done=self.done, remaining=self.remaining)

    @staticmethod
    def _split(items, size, group):
        chunks = []
        for item in items:
            if chunks and len(chunks[-1]) < size and (group is None or group(chunks[-1][-1]) == group(item)):
                chunks[-1].append(item)
            else:
                chunks.append([item])
        return chunks

    def _process(self, chunk, process, errors, on_batch_error, on_item_error):
        cr = self.env.cr
        try:
            with cr.savepoint():
                result = process(chunk)
            return [result], [], False
        except errors as error:
            if on_batch_error:
                on_batch_error(chunk, error)
        results, failed = [], []
        for item in chunk:
            try:
                with cr.savepoint():
                    results.append(process([item]))
            except errors as error:
                failed.append((item, error))
                if on_item_error:
                    on_item_error(item, error)
        return results, failed, True


class MphBatch(models.AbstractModel):
    """Batch jobs done once: process records in batches, each batch in a
    savepoint; a failing batch is rolled back and retried one by one, so
    every record is either fully processed or untouched. Run by the cron
    runner, a job does one batch per call and reports its progress with
    ``ir.cron._notify_progress``: the runner commits and calls it again while
    work remains. Elsewhere the job does everything in one call, in the
    caller's transaction. Nothing here commits."""

    _name = "mph.batch"
    _description = "Batch Job"

    @api.model
    def _mph_batch_run(self, per_call=False):
        """A new run; a job's cron entry point passes ``per_call=True``.

        ``run.state`` is a dict the job may keep its own run-wide values in
        (JSON values): kept from one call to the next of the same run by the
        cron runner, empty at the start of a run. ``run.first`` tells the
        first call of a run, ``run.remaining`` after ``run.batches(...)``
        whether the run is complete (0)."""
        return BatchRun(self.env, per_call)
