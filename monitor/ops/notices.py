"""Notices: telling someone when a run needs a look (docs/scheduling.md, "Notices").

A run whose status is `failed` or `warning`, that wrote no issue it was meant to write, or that lost its
database sends one notice to each configured channel: a JSON POST to MONITOR_ALERT_WEBHOOK (the body a
WeCom or DingTalk group robot reads, with the run's facts beside it for other tools) and a mail to
MONITOR_ALERT_EMAIL over MONITOR_SMTP_HOST (STARTTLS when the server offers it). Delivery never fails
the run: each channel's outcome is logged and kept in the run document (`notice`), and `monitor runs
--run ID` shows it. Secrets stay out of logs and records: a webhook URL is shown without its query
(robots put their key there) and a password never at all.
"""
from __future__ import annotations

import json
import logging
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit, urlunsplit

from monitor.ops.health import FAILED, OK, WARNING
from monitor.ops.summary import run_summary
from monitor.storage.mongo import DatabaseUnavailable

logger = logging.getLogger(__name__)

#: MONITOR_ALERT_ON: `warning` sends a notice for warnings too (the default), `failed` only for runs that
#: failed, wrote no issue or lost the database.
ALERT_LEVELS = ("warning", "failed")
#: A robot's text message is limited (WeCom: 2,048 bytes); the outlets' reasons are cut before that.
TEXT_LIMIT = 1800


class NoticeConfigError(ValueError):
    """A notice setting is unusable; the message names the setting and what to do."""


@dataclass(frozen=True)
class NoticeConfig:
    webhook: str = ""
    emails: tuple[str, ...] = ()
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    level: str = "warning"
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, settings) -> "NoticeConfig":
        """The notice settings, checked (NoticeConfigError) so that a mistake shows when the command starts,
        not when the first notice is due."""
        get = lambda name: str(settings.get(name) or "").strip()  # noqa: E731
        webhook = get("MONITOR_ALERT_WEBHOOK")
        if webhook:
            parts = urlsplit(webhook)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise NoticeConfigError(f"MONITOR_ALERT_WEBHOOK is not an http(s) URL ({redact_url(webhook)!r}); "
                                        "give the robot's full URL, e.g. https://qyapi.weixin.qq.com/cgi-bin/webhook/"
                                        "send?key=…")
        emails = tuple(a.strip() for a in (get("MONITOR_ALERT_EMAIL") or "").split(",") if a.strip())
        for address in emails:
            if "@" not in address or any(c.isspace() for c in address):
                raise NoticeConfigError(f"MONITOR_ALERT_EMAIL: {address!r} is not a mail address; give addresses "
                                        "separated by commas")
        host = get("MONITOR_SMTP_HOST")
        if emails and not host:
            raise NoticeConfigError("MONITOR_ALERT_EMAIL is set but MONITOR_SMTP_HOST is not; name the mail server "
                                    "that sends the notices (and MONITOR_SMTP_PORT, MONITOR_SMTP_USER, "
                                    "MONITOR_SMTP_PASSWORD, MONITOR_SMTP_FROM as it needs)")
        port_text = get("MONITOR_SMTP_PORT") or "25"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise NoticeConfigError(f"MONITOR_SMTP_PORT {port_text!r} is not a port number (25, 465, 587 …)")
        user = get("MONITOR_SMTP_USER")
        sender = get("MONITOR_SMTP_FROM") or (user if "@" in user else f"monitor@{socket.getfqdn()}")
        level = (get("MONITOR_ALERT_ON") or "warning").lower()
        if level not in ALERT_LEVELS:
            raise NoticeConfigError(f"MONITOR_ALERT_ON {level!r}: give one of {', '.join(ALERT_LEVELS)}")
        try:
            timeout = float(get("MONITOR_ALERT_TIMEOUT") or 10)
        except ValueError:
            timeout = 0
        if not 0 < timeout <= 300:
            raise NoticeConfigError(f"MONITOR_ALERT_TIMEOUT {get('MONITOR_ALERT_TIMEOUT')!r}: give seconds, more than 0 and at most 300")
        return cls(webhook=webhook, emails=emails, smtp_host=host, smtp_port=int(port_text), smtp_user=user,
                   smtp_password=str(settings.get("MONITOR_SMTP_PASSWORD") or ""), smtp_from=sender, level=level,
                   timeout=timeout)


# -- what a notice says ---------------------------------------------------------------------------
def reasons_for(run: dict, level: str = "warning") -> list[str]:
    """Why the run needs a notice (empty: it does not). `run` is a runs document."""
    reasons = []
    status = run.get("status")
    if run.get("exit_code") == 3 or run.get("record_error"):
        reasons.append("the database stopped answering during the run")  # (which is why its status is failed)
    elif status == FAILED:
        reasons.append("every outlet failed")
    elif status == WARNING and level == "warning":
        flagged = [n for n, s in sorted((run.get("outlets") or {}).items()) if s.get("verdict") != OK]
        reasons.append(f"outlet(s) need a look: {', '.join(flagged)}")
    export = run.get("export")
    if export is not None and not export.get("path"):
        reasons.append(f"no issue written: {export.get('error')}")
    return reasons


def notice_body(run: dict, reasons: list[str]) -> dict:
    """The JSON a webhook receives (documented in docs/scheduling.md)."""
    outlets = [{"outlet": name, "verdict": s.get("verdict"), "reasons": list(s.get("problems") or [])}
               for name, s in sorted((run.get("outlets") or {}).items()) if s.get("verdict") != OK]
    export = run.get("export") or {}
    return {
        "msgtype": "text",
        "text": {"content": notice_text(run, reasons, outlets)},
        "run_id": run.get("run_id"),
        "command": run.get("command"),
        "profile": run.get("profile"),
        "issue_date": run.get("issue_date"),
        "verdict": run.get("status"),
        "exit_code": run.get("exit_code"),
        "reasons": reasons,
        "outlets": outlets,
        "issue_path": export.get("path"),
        "host": socket.gethostname(),
    }


def notice_subject(run: dict) -> str:
    what = f"{run.get('profile')} issue {run.get('issue_date')}" if run.get("profile") else run.get("command", "run")
    return f"[monitor] {what}: {run.get('status')} (run {run.get('run_id')})"


def notice_text(run: dict, reasons: list[str], outlets: list[dict]) -> str:
    lines = [notice_subject(run)] + [f"- {r}" for r in reasons]
    for outlet in outlets:
        first = outlet["reasons"][0] if outlet["reasons"] else "no reason recorded"
        more = f" (+{len(outlet['reasons']) - 1} more)" if len(outlet["reasons"]) > 1 else ""
        lines.append(f"{outlet['outlet']}: {outlet['verdict']}: {first}{more}")
    path = (run.get("export") or {}).get("path")
    lines.append(f"issue: {path}" if path else "issue: none written")
    lines.append(f"details: monitor runs --run {run.get('run_id')}")
    text = "\n".join(lines)
    if len(text.encode("utf-8")) > TEXT_LIMIT:
        text = text.encode("utf-8")[:TEXT_LIMIT].decode("utf-8", "ignore") + "\n… (monitor runs --run for the rest)"
    return text


# -- delivery -------------------------------------------------------------------------------------
def redact_url(url: str) -> str:
    """The URL without what may be a secret: query and fragment (robot keys, access tokens), user info."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "…" if parts.query else "", ""))


def post_webhook(url: str, body: dict, timeout: float) -> None:
    """POST `body` as JSON; raises OSError (with a message free of the URL's secrets) unless accepted.
    Robots answer 200 with {"errcode": N, "errmsg": ...} where N != 0 means refused."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "monitor-notice/1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as e:
        raise OSError(f"HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        raise OSError(f"cannot reach it: {e.reason}") from None
    try:
        reply = json.loads(answer.decode("utf-8", "replace")) if answer.strip() else None
    except ValueError:
        reply = None
    if isinstance(reply, dict) and reply.get("errcode") not in (None, 0):
        raise OSError(f"refused: errcode {reply.get('errcode')}: {reply.get('errmsg')}")


def send_mail(config: NoticeConfig, subject: str, text: str) -> None:
    """One mail to every MONITOR_ALERT_EMAIL address: implicit TLS on port 465, else plain SMTP upgraded
    with STARTTLS when the server offers it; login only when a user is set. Raises OSError/SMTPException."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config.smtp_from
    message["To"] = ", ".join(config.emails)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config.smtp_from.rpartition("@")[2] or None)
    message.set_content(text)
    context = ssl.create_default_context()
    if config.smtp_port == 465:
        client = smtplib.SMTP_SSL(config.smtp_host, config.smtp_port, timeout=config.timeout, context=context)
    else:
        client = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.timeout)
    with client:
        client.ehlo()
        if config.smtp_port != 465 and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if config.smtp_user:
            client.login(config.smtp_user, config.smtp_password)
        client.send_message(message)


def deliver(config: NoticeConfig, run: dict, reasons: list[str], summary: str = "") -> list[dict]:
    """Send the notice on every configured channel; each outcome as a record (never raises)."""
    deliveries = []
    body = notice_body(run, reasons)
    if config.webhook:
        deliveries.append(_attempt("webhook", redact_url(config.webhook),
                                   lambda: post_webhook(config.webhook, body, config.timeout)))
    if config.emails:
        text = body["text"]["content"] + ("\n\n" + summary if summary else "")
        deliveries.append(_attempt("email", ", ".join(config.emails),
                                   lambda: send_mail(config, notice_subject(run), text)))
    return deliveries


def _attempt(channel: str, to: str, send) -> dict:
    record = {"channel": channel, "to": to, "at": datetime.now(timezone.utc)}
    try:
        send()
    except (OSError, smtplib.SMTPException, ssl.SSLError, ValueError) as e:
        error = str(e) or type(e).__name__
        if isinstance(e, smtplib.SMTPResponseException):
            error = f"SMTP {e.smtp_code}: {e.smtp_error.decode('utf-8', 'replace') if isinstance(e.smtp_error, bytes) else e.smtp_error}"
        logger.error("The run's notice could not be sent by %s to %s: %s", channel, to, error)
        return {**record, "sent": False, "error": error[:500]}
    logger.info("The run's notice was sent by %s to %s", channel, to)
    return {**record, "sent": True}


def notice_for(config: NoticeConfig, run: dict) -> dict | None:
    """The run's `notice` field: None when no notice is due; else why, and each channel's outcome
    (no channel configured: `deliveries` is empty). The mail also carries the run's summary."""
    reasons = reasons_for(run, config.level)
    if not reasons:
        return None
    return {"reasons": reasons, "deliveries": deliver(config, run, reasons, run_summary(run))}


def notify_run(config: NoticeConfig, service, run: dict) -> dict:
    """Send the finished run's notice where one is due and keep it in the run document (or the spool,
    with the rest of the run's record, when the database is gone). Returns the run document."""
    notice = notice_for(config, run)
    if notice is None:
        return run
    recorded = service.update_run({"notice": notice})
    return {**run, **recorded, "notice": notice}


@contextmanager
def notice_when_unreachable(config: NoticeConfig, *, command: str, profile: str | None = None, issue_date=None):
    """Around a command's work with the database (or the Redis of a distributed run): when it cannot be
    reached before the run is finished (no run document to record it in), send a notice saying so, then let
    the error go on."""
    from monitor.distributed.board import RedisUnavailable
    try:
        yield
    except (DatabaseUnavailable, RedisUnavailable) as e:
        what, code = ("the database", 3) if isinstance(e, DatabaseUnavailable) else ("Redis", 4)
        run = {"run_id": None, "command": command, "profile": profile,
               "issue_date": issue_date.isoformat() if issue_date else None, "status": FAILED, "exit_code": code}
        deliver(config, run, [f"{what} is unreachable, nothing was done: {e}"])
        raise
