"""A local fake of ATOL Web Requests (``/api/v2``) over an in-memory register, for tests and the benchmark.

It keeps the contract of the real server: a queue run in order, ``wait``/``inProgress``/``ready``/
``error``/``interrupted``/``blocked`` statuses, 409 on a repeated uuid (the tasks are not run again),
a block resolved by whether the fiscal document counter grew, validation errors 501 naming the
field. Faults are scripted with ``script(fault, ...)`` (played on the next fiscal tasks in order) or
drawn at random with ``fault_rate``:

- ``blocked_closed`` / ``blocked_open``: the link drops mid-receipt (``blocked``, ``connectionError``);
  the document was closed (resolves to ``ready``) or not (resolves to error 2);
- ``blocked_fn``: the fiscal storage fails mid-receipt (``blocked``, ``fnError``, code 115); the document
  was closed (resolves to ``ready`` on ``reconnect()``);
- ``paper_before``: no paper before closing (error 44); ``paper_after``: closed but not printed
  (``ready`` with ``notPrinted``, the queue blocked with ``paperError`` until ``continuePrint``);
- ``slow``: the POST is accepted but its answer comes after the client's timeout (a crash after POST);
- ``down``: the server drops the connection without answering (register PC or network down);
- ``offline``: the register is not activated: POST → 409, its uuid unknown.

``documents`` lists every fiscal document the register closed, with the receipt's additional
attribute (tag 1192), so a test counts how often one receipt was printed; ``operations`` lists the
X reports and cash in/out (no fiscal document) with their sum and operator.
"""

import json
import logging
import random
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler

from odoo.addons.clinic_base.tools.fake_http import FakeHttpServer

FISCAL = {"sell", "sellReturn", "sellCorrection", "sellReturnCorrection", "openShift", "closeShift"}
RECEIPTS = {"sell", "sellReturn", "sellCorrection", "sellReturnCorrection"}
TAXES = {"none", "vat0", "vat10", "vat20", "vat110", "vat120", "vat5", "vat7", "vat22"}
PAYMENT_TYPES = {"cash", "electronically", "prepaid", "credit", "other"}
_logger = logging.getLogger(__name__)
RANDOM_FAULTS = ("slow", "blocked_closed", "blocked_open", "paper_before", "paper_after", "down")


class FakeAtol(FakeHttpServer):
    def __init__(self, latency=0.0, fault_rate=0.0, seed=1, hang_seconds=1.5, block_seconds=None, auto_open=True):
        self.lock = threading.RLock()
        self.latency = latency  # seconds a task stays wait/inProgress
        self.fault_rate = fault_rate
        self.random = random.Random(seed)
        self.hang_seconds = hang_seconds
        self.block_seconds = block_seconds  # None: a block lasts until reconnect()
        self.auto_open = auto_open
        self.reset()
        self._serve(_handler(self))

    @property
    def url(self):
        return f"{self.address}/api/v2"

    def reset(self):
        with self.lock:
            self.requests = {}  # uuid -> {"tasks", "results", "ready_at", "number"}
            self.order = []
            self.faults = []
            self.documents = []  # (type, uuid, attribute, total)
            self.task_log = []  # every task run, as (type, uuid)
            self.operations = []  # X reports and cash in/out done (no fiscal document): (type, cashSum, operator)
            self.posts = 0
            self.fd = 100
            self.shift = {"state": "closed", "number": 0, "opened_at": None}
            self.activated = True
            self.down = False
            self.blocked = None  # {"uuid", "reason", "until", "closed"}
            self.paper_block = None

    def script(self, *faults):
        with self.lock:
            self.faults.extend(faults)

    def reconnect(self):
        with self.lock:
            if self.blocked:
                self.blocked["until"] = 0

    def load_paper(self):
        with self.lock:
            self.paper_block = None

    def printed(self, attribute):
        return sum(1 for doc in self.documents if doc[2] == attribute)

    # ------------------------------------------------------------------ HTTP

    def handle(self, method, path, body):
        """(status, answer); a negative status answers after ``hang_seconds``; None drops the connection."""
        path = path.split("?", 1)[0]
        with self.lock:
            self._advance()
            if method == "POST" and path.endswith("/requests"):
                if self.down or (self.fault_rate and self._draw() == "down"):
                    return None
                return self._post(body)
            if self.down:
                return None
            if method == "GET" and "/requests/" in path:
                return self._get(path.rsplit("/", 1)[1])
            if method == "DELETE" and "/requests/" in path:
                return self._delete(path.rsplit("/", 1)[1])
            if path.endswith("/getRequestsQueueStatus"):
                return 200, {
                    "number": len(self.order),
                    "ready": sum(1 for u in self.order if self._done(self.requests[u])),
                    "canceled": 0,
                    "isBlocked": bool(self.blocked or self.paper_block),
                    "blockedUUID": (self.blocked or self.paper_block or {}).get("uuid", ""),
                    "blockReason": (self.blocked or self.paper_block or {}).get("reason", ""),
                }
            if path.endswith("/serverInfo"):
                return 200, {"version": "1.0.4.0", "driverVersion": "10.10.8.0"}
            return 404, {"error": {"code": 404, "description": "Неизвестный путь"}}

    def _post(self, body):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return 400, {"error": {"code": 400, "description": "Некорректный JSON"}}
        uuid, tasks = data.get("uuid"), data.get("request")
        if not uuid or not isinstance(tasks, list) or not tasks:
            return 400, {"error": {"code": 400, "description": "Поле request пустое или отсутствует"}}
        if not self.activated:
            return 409, {"error": {"code": 409, "description": "ККТ не активирована"}}
        if uuid in self.requests:
            return 409, {"error": {"code": 409, "description": f"Задание с uuid {uuid} уже существует"}}
        self.posts += 1
        start = max([time.monotonic()] + [r["ready_at"] for r in self.requests.values()])
        self.requests[uuid] = {
            "tasks": tasks,
            "results": [{"status": "wait", "error": {"code": 0, "description": ""}, "result": None} for _t in tasks],
            "ready_at": start + self.latency,
            "number": len(self.order) + 1,
        }
        self.order.append(uuid)
        slow = self._next_fault("slow", tasks)
        answer = {
            "number": len(self.order),
            "uuid": uuid,
            "isBlocked": bool(self.blocked),
            "blockedUUID": "",
            "blockReason": "",
        }
        return (-201 if slow else 201), answer

    def _get(self, uuid):
        request = self.requests.get(uuid)
        if not request:
            return 404, {"error": {"code": 404, "description": f"Задание {uuid} не найдено"}}
        return 200, {"results": request["results"]}

    def _delete(self, uuid):
        request = self.requests.get(uuid)
        if not request:
            return 404, {"error": {"code": 404, "description": f"Задание {uuid} не найдено"}}
        if any(r["status"] != "wait" for r in request["results"]):
            return 409, {"error": {"code": 409, "description": "Задание уже выполняется"}}
        for result in request["results"]:
            result.update(status="canceled", error={"code": 503, "description": "Задание отменено"})
        return 200, {}

    # ------------------------------------------------------------------ the register

    def _draw(self):
        if self.fault_rate and self.random.random() < self.fault_rate:
            return self.random.choice(RANDOM_FAULTS)
        return None

    def _next_fault(self, kind, tasks):
        """Whether fault ``kind`` is played now: the next scripted one, or a random one for a fiscal task."""
        if self.faults and self.faults[0] == kind:
            self.faults.pop(0)
            return True
        if kind == "slow" and self.fault_rate and any(t.get("type") in RECEIPTS for t in tasks):
            return self._draw() == "slow"
        return False

    def _done(self, request):
        return all(r["status"] not in ("wait", "inProgress", "blocked") for r in request["results"])

    def _advance(self):
        """Run every queued task whose time has come, in order, unless the queue is blocked."""
        now = time.monotonic()
        if self.blocked and self.blocked["until"] is not None and now >= self.blocked["until"]:
            self._resolve_block()
        if self.paper_block and self.paper_block.get("until") is not None and now >= self.paper_block["until"]:
            self.paper_block = None  # the cashier loaded paper; the server printed the rest
        for uuid in self.order:
            request = self.requests[uuid]
            if self._done(request):
                continue
            if self.blocked or self.paper_block or request["ready_at"] > now:
                if request["results"][0]["status"] == "wait" and not self.blocked:
                    request["results"][0]["status"] = "inProgress"
                return
            failed = False
            for task, result in zip(request["tasks"], request["results"], strict=True):
                if result["status"] != "wait" and result["status"] != "inProgress":
                    continue
                if failed:
                    result.update(status="interrupted", error={"code": 502, "description": "Прервано ошибкой"})
                    continue
                self.task_log.append((task.get("type"), uuid))
                self._run(uuid, task, result)
                if result["status"] == "blocked":
                    return
                failed = result["status"] == "error"

    def _resolve_block(self):
        block, self.blocked = self.blocked, None
        request = self.requests[block["uuid"]]
        for result in request["results"]:
            if result["status"] == "blocked":
                if block["closed"]:
                    result.update(status="ready", error={"code": 0, "description": "Ошибок нет"})
                else:
                    result.update(status="error", error={"code": 2, "description": "Нет связи с ККТ"})
            elif result["status"] in ("wait", "inProgress") and not block["closed"]:
                result.update(status="interrupted", error={"code": 502, "description": "Прервано ошибкой"})

    def _fail(self, result, code, text):
        result.update(status="error", error={"code": code, "description": text}, result=None)

    def _run(self, uuid, task, result):
        shift = self.shift
        if shift["state"] == "opened" and datetime.now() - shift["opened_at"] > timedelta(hours=24):
            shift["state"] = "expired"
        if task.get("type") in RECEIPTS:
            return self._run_receipt(uuid, task, result)
        return self._run_operation(uuid, task, result)

    def _receipt_fault(self, task):
        kinds = ("blocked_closed", "blocked_open", "blocked_fn", "paper_before", "paper_after")
        fault = next((kind for kind in kinds if self._next_fault(kind, [task])), None)
        if not fault and self.fault_rate:
            drawn = self._draw()
            fault = drawn if drawn in kinds else None
        return fault

    def _run_receipt(self, uuid, task, result):
        error = _validate(task)
        if error:
            return self._fail(result, 501, error)
        if self.shift["state"] == "expired":
            return self._fail(result, 68, "Смена превысила 24 часа")
        if self.shift["state"] == "closed":
            if not self.auto_open:
                return self._fail(result, 73, "Смена закрыта - операция невозможна")
            self._open_shift()
        fault = self._receipt_fault(task)
        if fault == "paper_before":
            return self._fail(result, 44, "Нет бумаги")
        if fault == "blocked_open":
            result.update(status="blocked", error={"code": 241, "description": "Связь с ККТ потеряна"})
            self.blocked = {"uuid": uuid, "reason": "connectionError", "closed": False, "until": self._until()}
            return None
        params = self._document(task["type"], uuid, task)
        result.update(result={"fiscalParams": params, "warnings": {"notPrinted": fault == "paper_after"}})
        if fault == "blocked_closed":
            result.update(status="blocked", error={"code": 241, "description": "Связь с ККТ потеряна"})
            self.blocked = {"uuid": uuid, "reason": "connectionError", "closed": True, "until": self._until()}
            return None
        if fault == "blocked_fn":
            result.update(status="blocked", error={"code": 115, "description": "Ошибка обмена с ФН"})
            self.blocked = {"uuid": uuid, "reason": "fnError", "closed": True, "until": self._until()}
            return None
        result.update(status="ready", error={"code": 0, "description": "Ошибок нет"})
        if fault == "paper_after":
            self.paper_block = {"uuid": uuid, "reason": "paperError", "until": self._until()}
        return None

    def _run_operation(self, uuid, task, result):
        kind, shift = task.get("type"), self.shift
        if kind == "openShift":
            if shift["state"] != "closed":
                return self._fail(result, 83, "Смена открыта - операция невозможна")
            params = self._open_shift()
        elif kind == "closeShift":
            if shift["state"] == "closed":
                return self._fail(result, 73, "Смена закрыта - операция невозможна")
            count = sum(1 for doc in self.documents if doc[0] in RECEIPTS and doc[4] == shift["number"])
            params = {"fiscalParams": self._document(kind, uuid, task), "receiptsCount": count}
            shift.update(state="closed", opened_at=None)
        elif kind in ("cashIn", "cashOut") and shift["state"] != "opened":
            return self._fail(result, 73, "Смена закрыта - операция невозможна")
        elif kind in ("reportX", "cashIn", "cashOut", "continuePrint"):
            if kind == "continuePrint":
                self.paper_block = None
            else:
                operator = (task.get("operator") or {}).get("name")
                self.operations.append((kind, task.get("cashSum"), operator))
            params = {}
        elif kind in ("getShiftStatus", "getFnStatus", "getDeviceStatus"):
            params = self._query(kind)
        else:
            return self._fail(result, 501, f"Неизвестный тип задания type = {kind}")
        result.update(status="ready", error={"code": 0, "description": "Ошибок нет"}, result=params)
        return None

    def _query(self, kind):
        shift = self.shift
        if kind == "getShiftStatus":
            expires = shift["opened_at"] + timedelta(hours=24) if shift["opened_at"] else None
            status = {
                "state": shift["state"],
                "number": shift["number"],
                "expiredTime": expires.isoformat() if expires else "",
            }
            return {"shiftStatus": status}
        if kind == "getFnStatus":
            return {"fnStatus": {"fiscalDocumentNumber": self.fd, "fnState": "fiscalMode", "warnings": {}}}
        return {
            "deviceStatus": {
                "paperPresent": not self.paper_block,
                "coverOpened": False,
                "currentDateTime": datetime.now().isoformat(),
                "fiscal": True,
            }
        }

    def _until(self):
        return None if self.block_seconds is None else time.monotonic() + self.block_seconds

    def _open_shift(self):
        self.shift.update(state="opened", number=self.shift["number"] + 1, opened_at=datetime.now())
        return {"fiscalParams": self._document("openShift", "", {})}

    def _document(self, kind, uuid, task):
        self.fd += 1
        total = task.get("total", 0)
        self.documents.append((kind, uuid, task.get("additionalAttribute"), total, self.shift["number"]))
        return {
            "fiscalDocumentDateTime": datetime.now().strftime("%Y-%m-%dT%H:%M:%S+05:00"),
            "fiscalDocumentNumber": self.fd,
            "fiscalDocumentSign": str(3000000000 + self.fd),
            "fiscalReceiptNumber": len(self.documents),
            "fnNumber": "9999078900012345",
            "registrationNumber": "0000000001012345",
            "shiftNumber": self.shift["number"],
            "total": total,
            "fnsUrl": "www.nalog.gov.ru",
        }


def _validate(task):
    """The driver's 501 message (naming the field) for a malformed receipt, else None."""
    if not (task.get("operator") or {}).get("name"):
        return "Не указано поле operator.name"
    items, payments = task.get("items"), task.get("payments")
    if not items:
        return "Не указано поле items"
    if not payments:
        return "Не указано поле payments"
    total = 0.0
    for index, item in enumerate(items):
        if item.get("type") != "position":
            continue
        if (item.get("tax") or {}).get("type") not in TAXES:
            return f"Неверное значение поля items[{index}].tax.type"
        if not item.get("name") or len(item["name"]) > 128:
            return f"Неверное значение поля items[{index}].name"
        if abs(item["price"] * item["quantity"] - item["amount"]) > 0.01 + 1e-9:
            return f"Неверное значение поля items[{index}].amount"
        total += item["amount"]
    if any(p.get("type") not in PAYMENT_TYPES for p in payments):
        return "Неверное значение поля payments.type"
    paid = sum(p.get("sum", 0) for p in payments)
    if round(paid, 2) < round(total, 2):
        return "Сумма оплаты меньше суммы чека (payments)"
    if "total" in task and abs(task["total"] - total) > 0.005:
        return "Неверное значение поля total"
    return None


def _handler(fake):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = fake.handle(method, self.path, body)
            if answer is None:
                self.close_connection = True
                return
            status, data = answer
            if status < 0:  # accepted, but the answer comes after the client's timeout
                time.sleep(fake.hang_seconds)
                status = -status
            try:
                raw = json.dumps(data, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError) as exc:
                _logger.info("fake ATOL: the client gave up before the answer (%s)", exc)

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def do_DELETE(self):
            self._serve("DELETE")

        def log_message(self, *args):
            pass

    return Handler
