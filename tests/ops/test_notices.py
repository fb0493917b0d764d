"""Run notices: a webhook POST and a mail for runs that need a look, against real servers on 127.0.0.1
(an HTTP server in a thread, aiosmtpd for SMTP), recorded in the run document and never failing the run."""
from __future__ import annotations

import json
import logging
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from helpers import ROOT, free_port, run_monitor
from notice_servers import SECRET_KEY, Mailbox, Webhook
from monitor.ops.notices import NoticeConfig, NoticeConfigError, notice_for, reasons_for, redact_url

SMTP_PASSWORD = "smtp-pass-93ab"
UNREACHABLE_DB = "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=500"


@pytest.fixture
def webhook():
    with Webhook() as hook:
        yield hook


@pytest.fixture
def smtp_server():
    """A plain SMTP server (no TLS, no login), as an office relay on the local network is."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


def _failing_run_archive(make_archive):
    # No list page of any outlet: every outlet fails.
    return make_archive(keep=lambda url, outlet: "/robots.txt" in url)


def test_a_run_whose_outlets_all_fail_sends_one_notice_by_webhook_and_mail(monitor_env, db, make_archive, webhook,
                                                                           smtp_server):
    result = run_monitor("run", "--profile", "weekly", "--issue-date", "2026-01-16", "--number", "657",
                         "--replay", _failing_run_archive(make_archive),
                         env={"MONITOR_ALERT_WEBHOOK": webhook.url, "MONITOR_ALERT_EMAIL": "ops@example.org",
                              "MONITOR_SMTP_HOST": "127.0.0.1", "MONITOR_SMTP_PORT": str(smtp_server.port),
                              "MONITOR_SMTP_FROM": "monitor@example.org"})
    assert result.returncode == 1, result.stdout + result.stderr  # the notice does not change the exit code
    [run] = list(db.runs.find({}))

    [post] = webhook.posts
    body = post["body"]
    assert post["type"].startswith("application/json")
    assert body["run_id"] == run["run_id"] and body["verdict"] == "failed"
    assert body["profile"] == "weekly" and body["issue_date"] == "2026-01-16" and body["issue_path"] is None
    assert {o["outlet"] for o in body["outlets"]} == set(run["outlets"]) and len(body["outlets"]) == 12
    assert all(o["verdict"] == "failed" and "no list page could be fetched" in o["reasons"] for o in body["outlets"])
    # The shape a WeCom / DingTalk group robot reads.
    assert body["msgtype"] == "text" and run["run_id"] in body["text"]["content"]
    assert "xinhua: failed: no list page could be fetched" in body["text"]["content"]

    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["ops@example.org"] and mail.mail_from == "monitor@example.org"
    text = mail.content.decode("utf-8")
    assert run["run_id"] in text and "failed" in text and "xinhua" in text

    notice = run["notice"]
    assert notice["reasons"][0] == "every outlet failed"
    assert [(d["channel"], d["sent"]) for d in notice["deliveries"]] == [("webhook", True), ("email", True)]
    shown = run_monitor("runs", "--run", run["run_id"])
    assert shown.returncode == 0, shown.stderr
    assert "notice: webhook to http://127.0.0.1:" in shown.stdout and ": sent; email to ops@example.org: sent" \
        in shown.stdout
    listed = run_monitor("runs")
    assert "notice: webhook to http://127.0.0.1:" in listed.stdout
    # The robot's key never shows: not in the output, the log or the run document.
    for text in (result.stdout, result.stderr, shown.stdout, listed.stdout, json.dumps(run, default=str)):
        assert SECRET_KEY not in text


def test_a_notice_that_cannot_be_delivered_is_recorded_and_the_run_goes_on(monitor_env, db, make_archive):
    refused = (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    with Webhook(reply=refused) as hook:
        result = run_monitor("crawl", "xinhua", "--since", "2026-01-10", "--until", "2026-01-16",
                             "--replay", _failing_run_archive(make_archive),
                             env={"MONITOR_ALERT_WEBHOOK": hook.url, "MONITOR_ALERT_EMAIL": "ops@example.org",
                                  "MONITOR_SMTP_HOST": "127.0.0.1", "MONITOR_SMTP_PORT": str(free_port()),
                                  "MONITOR_SMTP_USER": "monitor", "MONITOR_SMTP_PASSWORD": SMTP_PASSWORD})
    assert result.returncode == 1, result.stdout + result.stderr  # as without notices: the one outlet failed
    assert "Traceback" not in result.stderr
    [run] = list(db.runs.find({}))
    webhook_try, mail_try = run["notice"]["deliveries"]
    assert not webhook_try["sent"] and "errcode 93000" in webhook_try["error"]
    assert not mail_try["sent"] and "refused" in mail_try["error"].lower()
    assert "could not be sent by webhook" in result.stderr and "could not be sent by email" in result.stderr
    assert "notice: webhook to" in result.stdout and "NOT sent" in result.stdout
    for text in (result.stdout, result.stderr, json.dumps(run, default=str)):
        assert SECRET_KEY not in text and SMTP_PASSWORD not in text


def test_an_ok_crawl_sends_nothing(monitor_env, db, webhook):
    result = run_monitor("crawl", "xinhua", "--since", "2026-01-10", "--until", "2026-01-16",
                         "--replay", ROOT / "samples" / "weekly-sample.warc.gz",
                         env={"MONITOR_ALERT_WEBHOOK": webhook.url})
    assert result.returncode == 0, result.stdout + result.stderr
    [run] = list(db.runs.find({}))
    assert run["status"] == "ok" and "notice" not in run
    assert webhook.posts == []


def test_a_database_unreachable_at_the_start_is_noticed_though_no_run_is_recorded(tmp_path, webhook):
    result = run_monitor("run", "--profile", "weekly", "--issue-date", "2026-01-16",
                         env={"MONGO_URI": UNREACHABLE_DB, "MONITOR_DATA_DIR": str(tmp_path / "data"),
                              "MONITOR_ALERT_WEBHOOK": webhook.url})
    assert result.returncode == 3, result.stdout + result.stderr
    [post] = webhook.posts
    assert post["body"]["run_id"] is None and post["body"]["exit_code"] == 3
    assert post["body"]["profile"] == "weekly" and post["body"]["issue_date"] == "2026-01-16"
    assert "the database is unreachable" in post["body"]["reasons"][0] and "127.0.0.1:9" in post["body"]["reasons"][0]


@pytest.mark.parametrize("env, says", [
    ({"MONITOR_ALERT_WEBHOOK": "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + SECRET_KEY},
     "MONITOR_ALERT_WEBHOOK is not an http(s) URL"),
    ({"MONITOR_ALERT_EMAIL": "ops@example.org"}, "MONITOR_ALERT_EMAIL is set but MONITOR_SMTP_HOST is not"),
    ({"MONITOR_ALERT_EMAIL": "ops at example.org", "MONITOR_SMTP_HOST": "mail"}, "is not a mail address"),
    ({"MONITOR_ALERT_EMAIL": "ops@example.org", "MONITOR_SMTP_HOST": "mail", "MONITOR_SMTP_PORT": "smtp"},
     "MONITOR_SMTP_PORT 'smtp' is not a port number"),
    ({"MONITOR_ALERT_ON": "always"}, "MONITOR_ALERT_ON 'always': give one of warning, failed"),
])
def test_a_bad_notice_setting_stops_the_command_before_the_crawl(monitor_env, db, env, says):
    result = run_monitor("crawl", "xinhua", "--replay", ROOT / "samples" / "weekly-sample.warc.gz", env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr
    assert SECRET_KEY not in result.stderr
    assert db.runs.count_documents({}) == 0


# -- which runs get a notice, and the mail's way to the server (in process) -----------------------------------
def _run(status="ok", export=None, **outlets):
    doc = {"run_id": "r1", "command": "run", "profile": "weekly", "issue_date": "2026-01-16", "status": status,
           "exit_code": 0, "outlets": {name: {"verdict": v, "problems": [] if v == "ok" else ["no list entries"]}
                                       for name, v in outlets.items()}}
    if export is not None:
        doc["export"] = export
    return doc


def test_which_runs_need_a_notice():
    written = {"path": "/x/2026-01-16-657.md", "number": 657, "count": 3}
    assert reasons_for(_run("ok", written, xinhua="ok")) == []
    assert reasons_for(_run("warning", written, xinhua="ok", cnr="warning")) == ["outlet(s) need a look: cnr"]
    assert reasons_for(_run("warning", written, cnr="warning"), level="failed") == []
    empty = {"error": "EmptyWindow: no article qualifies for the weekly issue of 2026-01-16"}
    assert reasons_for(_run("ok", empty, xinhua="ok"), level="failed") == \
        ["no issue written: EmptyWindow: no article qualifies for the weekly issue of 2026-01-16"]
    assert reasons_for({**_run("failed", xinhua="ok"), "exit_code": 3, "record_error": "gone"}) == \
        ["the database stopped answering during the run"]
    # A crawl (no export) that is ok needs none.
    assert reasons_for(_run("ok", xinhua="ok")) == []


def test_webhook_urls_are_shown_without_their_secrets():
    assert redact_url("https://user:pw@oapi.dingtalk.com/robot/send?access_token=abc#x") == \
        "https://oapi.dingtalk.com/robot/send?…"
    assert redact_url("http://127.0.0.1:8080/hook") == "http://127.0.0.1:8080/hook"


@pytest.fixture
def tls_files(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def test_mail_goes_over_starttls_with_login_when_the_server_offers_it(tls_files, monkeypatch, caplog):
    cert, key = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password, session.ssl is not None))
        return AuthResult(success=auth_data.password == SMTP_PASSWORD.encode(), handled=False)

    mailbox = Mailbox()
    # This server refuses mail and login before STARTTLS: the notice must upgrade the connection first.
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), tls_context=context,
                            require_starttls=True, authenticator=authenticator, auth_require_tls=True)
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test's own certificate
        config = NoticeConfig.from_settings({
            "MONITOR_ALERT_EMAIL": "ops@example.org, lead@example.org", "MONITOR_SMTP_HOST": "127.0.0.1",
            "MONITOR_SMTP_PORT": str(controller.port), "MONITOR_SMTP_USER": "monitor@example.org",
            "MONITOR_SMTP_PASSWORD": SMTP_PASSWORD})
        with caplog.at_level(logging.DEBUG):
            notice = notice_for(config, _run("failed", xinhua="failed"))
    finally:
        controller.stop()
    assert [d["sent"] for d in notice["deliveries"]] == [True], notice
    assert logins == [(b"monitor@example.org", SMTP_PASSWORD.encode(), True)]
    [mail] = mailbox.messages
    assert mail.mail_from == "monitor@example.org"  # the user's address when no MONITOR_SMTP_FROM is set
    assert mail.rcpt_tos == ["ops@example.org", "lead@example.org"]
    assert "[monitor] weekly issue 2026-01-16: failed (run r1)" in mail.content.decode()
    assert SMTP_PASSWORD not in caplog.text


def test_a_wrong_smtp_password_is_recorded_not_raised(tls_files, monkeypatch):
    cert, key = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=free_port(), tls_context=context,
                            authenticator=lambda *a: AuthResult(success=False, handled=False),
                            auth_require_tls=True)
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        config = NoticeConfig.from_settings({
            "MONITOR_ALERT_EMAIL": "ops@example.org", "MONITOR_SMTP_HOST": "127.0.0.1",
            "MONITOR_SMTP_PORT": str(controller.port), "MONITOR_SMTP_USER": "monitor",
            "MONITOR_SMTP_PASSWORD": "wrong"})
        [delivery] = notice_for(config, _run("failed", xinhua="failed"))["deliveries"]
    finally:
        controller.stop()
    assert not delivery["sent"] and delivery["error"].startswith("SMTP 535")


def test_settings_are_checked():
    with pytest.raises(NoticeConfigError, match="MONITOR_ALERT_TIMEOUT"):
        NoticeConfig.from_settings({"MONITOR_ALERT_TIMEOUT": "0"})
    config = NoticeConfig.from_settings({})
    assert (config.webhook, config.emails) == ("", ()) and notice_for(config, _run("failed", xinhua="failed"))["deliveries"] == []
