"""Alerts reach the team's services through Apprise, and never hold up anything else."""

import email
import threading

import pytest

from sales_monitor.errors import SettingsError
from sales_monitor.ops.alerts import Alert
from sales_monitor.ops.notify import ATTEMPTS, QUEUED, AlertSender, check_urls
from tests.helpers.receivers import MailReceiver, WebhookReceiver
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.unit

SALE = Alert("high_ticket", "Venda alta: R$ 9.000,00 em *Belém*", "R$ 9.000,00 em *Belém* (id 3)")


@pytest.fixture
def receiver():
    found = WebhookReceiver()
    yield found
    found.close()


def test_an_alert_reaches_a_webhook_as_plain_text(receiver):
    sender = AlertSender([receiver.url]).start()
    try:
        assert sender.put(SALE)
        assert wait_for(lambda: sender.counts()["sent"] == {"high_ticket": 1}, 15)
    finally:
        sender.stop()
    (message,) = receiver.messages
    assert (message["title"], message["message"]) == (SALE.title, SALE.body)  # no markup


def test_an_alert_reaches_a_mailbox():
    mailbox = MailReceiver()
    sender = AlertSender([mailbox.url()]).start()
    try:
        sender.put(SALE)
        assert wait_for(lambda: len(mailbox.mail) == 1, 20), sender.failures()
    finally:
        sender.stop()
        mailbox.close()
    received = email.message_from_bytes(mailbox.mail[0])
    assert "gerente@example.com" in received["To"]
    assert "Belém" in str(email.header.make_header(email.header.decode_header(received["Subject"])))


def test_a_receiver_that_fails_is_tried_again_then_counted_and_named():
    failing = WebhookReceiver(status=500)
    pauses = []
    sender = AlertSender([failing.url], sleep=pauses.append).start()
    try:
        sender.put(SALE)
        assert wait_for(lambda: sender.counts()["failed"] == {"high_ticket": 1}, 30)
    finally:
        sender.stop()
        failing.close()
    assert failing.attempts == ATTEMPTS and pauses == [1.0, 2.0]  # a growing pause
    (failure,) = sender.failures()
    assert (failure.event, failure.attempts) == ("high_ticket", ATTEMPTS)
    assert failure.target.startswith("json://127.0.0.1:")


def test_a_receiver_that_hangs_never_makes_put_wait():
    hold = threading.Event()
    hanging = WebhookReceiver(hold=hold)
    sender = AlertSender([hanging.url]).start()
    try:
        assert sender.put(SALE)
        assert wait_for(lambda: hanging.attempts == 1, 15)  # taken off the queue, held
        accepted = [sender.put(SALE) for _ in range(QUEUED + 20)]  # the first is in flight
        assert accepted.count(True) == QUEUED and sender.counts()["dropped"] == {"high_ticket": 20}
    finally:
        hold.set()
        sender.stop()
        hanging.close()


@pytest.mark.parametrize("url", ["tgram://", "nada://x", "mailto://"])
def test_a_url_apprise_does_not_take_is_refused_without_its_secrets(url):
    with pytest.raises(SettingsError) as refused:
        check_urls([url + "segredo123"])
    assert "segredo123" not in str(refused.value)
    assert str(refused.value).startswith("a URL de alerta ")


def test_the_page_and_the_log_see_targets_with_their_secrets_masked():
    sender = AlertSender(["tgram://123456789:segredoABCDEF/987654"])
    assert "segredoABCDEF" not in " ".join(sender.targets)
