"""The command-line vocabulary every command shares: Portuguese argparse, one `Erro:` line
for bad input (exit status 2), and the flags and validators for Kafka, ports and counts."""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NoReturn

from sales_monitor.errors import SettingsError
from sales_monitor.settings import CODECS, ENGINES, HOST, LOG_FORMATS, Settings
from sales_monitor.settings import alert_urls as settings_alert_urls

if TYPE_CHECKING:
    from sales_monitor.kafka.connection import Connection
    from sales_monitor.kafka.interface import Producer
    from sales_monitor.kafka.publish import DeliveryStats

# argparse's own English phrases, as a person reading pt-BR should see them
_PHRASES = [
    (r"^argument ", "opção "),
    (r"the following arguments are required: ", "faltam os argumentos: "),
    (r"unrecognized arguments: ", "argumentos não reconhecidos: "),
    (r"not allowed with argument ", "não pode ser usada com "),
    (r"expected one argument", "espera um valor"),
    (r"invalid choice: ", "escolha inválida: "),
    (r"invalid (\w+) value: ", "valor inválido: "),
    (r"\(choose from ", "(escolha entre "),
    (r"ambiguous option: ", "opção ambígua: "),
    (r"^usage: ", "uso: "),
    (r"\noptions:\n", "\nopções:\n"),
    (r"\npositional arguments:\n", "\nargumentos:\n"),
]


def _portuguese(text: str) -> str:
    for pattern, replacement in _PHRASES:
        text = re.sub(pattern, replacement, text, flags=re.MULTILINE)
    return text


class Parser(argparse.ArgumentParser):
    """argparse in Portuguese whose errors are one `Erro:` line and exit status 2."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(add_help=False, **kwargs)
        self.add_argument("-h", "--help", action="help", help="mostra esta ajuda e sai")

    def format_usage(self) -> str:
        return _portuguese(super().format_usage())

    def format_help(self) -> str:
        return _portuguese(super().format_help())

    def error(self, message: str) -> NoReturn:
        fail(_portuguese(message))


def fail(message: str, status: int = 2) -> NoReturn:
    """One line on stderr and exit: the only way bad input ends a command."""
    print(f"Erro: {message}", file=sys.stderr)
    raise SystemExit(status)


def settings_or_exit() -> Settings:
    """For commands: the settings from the environment, or one `Erro:` line, exit 2."""
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        fail(str(error))
    configure_logs(settings)
    return settings


def producer_or_exit(
    settings: Settings, bootstrap: str, topic: str, compression: str
) -> tuple[Connection, Producer]:
    """For commands that write: the connection (with the --bootstrap-server flag) and a
    producer compressing as asked, the topic created if missing; or one `Erro:` line and
    exit status 1."""
    from sales_monitor.errors import BrokerUnavailable
    from sales_monitor.kafka.clients import ensure_topic, make_producer

    connection = settings.with_address(bootstrap).connection
    try:
        ensure_topic(connection, topic)
        return connection, make_producer(connection, compression_type=codec(compression))
    except BrokerUnavailable as error:
        fail(str(error), status=1)


def add_kafka_flags(parser: argparse.ArgumentParser, settings: Settings) -> None:
    parser.add_argument(
        "--bootstrap-server",
        type=bootstrap,
        default=settings.bootstrap_servers,
        help=f"endereço do Kafka (padrão {settings.bootstrap_servers})",
    )
    parser.add_argument(
        "--topic",
        type=topic_name,
        default=settings.topic,
        help=f"tópico (padrão {settings.topic})",
    )
    parser.add_argument(
        "--compression",
        choices=CODECS,
        default=settings.compression,
        help=f"compressão dos lotes que escreve (padrão {settings.compression}; "
        "KAFKA_COMPRESSION_TYPE)",
    )


def codec(name: str) -> str | None:
    """A codec name as kafka-python takes it (None: uncompressed)."""
    return None if name == "none" else name


def bootstrap(text: str) -> str:
    """`host:port[,host:port…]`, each port 1..65535."""
    for address in text.split(","):
        host, _, port_text = address.strip().rpartition(":")
        if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise argparse.ArgumentTypeError(
                f"endereço {address.strip()!r} inválido (use host:porta, ex.: localhost:9092)"
            )
    return text.strip()


def topic_name(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,249}", text):
        raise argparse.ArgumentTypeError(
            f"tópico {text!r} inválido (letras, números, '.', '_' e '-', até 249)"
        )
    return text


def port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"porta {text!r} inválida (use 1 a 65535)")
    return int(text)


def positive_int(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 18) or int(text) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} deve ser um inteiro maior que zero")
    return int(text)


def positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} deve ser um número maior que zero")
    return value


def seconds(text: str) -> float:
    """An interval in seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"intervalo inválido: {text!r} (use um número de segundos, ex.: 2 ou 0.5)"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"intervalo inválido: {text!r} (deve ser ≥ 0)")
    return value


def host(text: str) -> str:
    """An address to listen on: a name, an IPv4 or an IPv6 address."""
    if not HOST.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(f"endereço {text!r} inválido (ex.: 127.0.0.1 ou 0.0.0.0)")
    return text.strip()


def ask_seconds(
    default: float, read: Callable[[str], str] = input, say: Callable[[str], None] = print
) -> float:
    """Ask until the answer is an interval (Enter: the default); a typo asks again."""
    while True:
        prompt = f"Intervalo entre mensagens em segundos (Enter = {default:g}): "
        answer = read(prompt).strip()
        if not answer:
            return default
        try:
            return seconds(answer.replace(",", "."))
        except argparse.ArgumentTypeError as error:
            say(f"{error}; tente de novo.")


def add_dashboard_flags(parser: argparse.ArgumentParser, settings: Settings) -> None:
    add_kafka_flags(parser, settings)
    parser.add_argument("--port", type=port, default=8501, help="porta do dashboard")
    parser.add_argument(
        "--host",
        type=host,
        default=settings.host,
        help=f"endereço em que o dashboard escuta (padrão {settings.host}: só esta máquina)",
    )
    parser.add_argument("--max-rows", type=positive_int, default=settings.max_rows)
    parser.add_argument("--refresh", type=positive_number, default=settings.refresh_seconds)
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=settings.read_only,
        help="esconde toda ação que escreve no tópico (DASHBOARD_READ_ONLY=1)",
    )
    ops = settings.operations
    parser.add_argument(
        "--metrics-port",
        type=port,
        default=ops.metrics_port,
        help="porta de /metrics (Prometheus), /healthz e /readyz, no endereço de --host "
        "(DASHBOARD_METRICS_PORT; padrão: desligado)",
    )
    parser.add_argument(
        "--alert-url",
        action="append",
        metavar="URL",
        help="para onde vão os alertas: uma URL do Apprise (tgram://, slack://, mailto://, "
        "json://…); repita para várias (DASHBOARD_ALERT_URLS, separadas por espaço)",
    )
    parser.add_argument(
        "--unprotected-no-login",
        action="store_true",
        default=settings.access.unprotected,
        help="aceita --host fora desta máquina sem login configurado: qualquer pessoa que "
        "alcance a porta vê os dados dos clientes (DASHBOARD_UNPROTECTED=1)",
    )
    add_log_flag(parser, settings)


def add_log_flag(parser: argparse.ArgumentParser, settings: Settings) -> None:
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default=settings.operations.log_format,
        help="json: cada evento do log numa linha JSON (SALES_MONITOR_LOG_FORMAT)",
    )


def with_flags(settings: Settings, args: argparse.Namespace) -> Settings:
    """The settings with the dashboard's flags; the alert URLs and the metrics port checked
    (Apprise takes each URL, the port is free), or one `Erro:` line."""
    urls = tuple(args.alert_url) if args.alert_url else settings.operations.alert_urls
    chosen = replace(
        settings.with_address(args.bootstrap_server),
        topic=args.topic,
        max_rows=args.max_rows,
        refresh_seconds=args.refresh,
        host=args.host,
        read_only=args.read_only,
        compression=args.compression,
        operations=replace(
            settings.operations,
            metrics_port=args.metrics_port,
            alert_urls=urls,
            log_format=args.log_format,
        ),
        access=replace(settings.access, unprotected=args.unprotected_no_login),
    )
    check_access(chosen)
    check_operations(chosen, args.port)
    configure_logs(chosen)
    return chosen


def check_access(settings: Settings) -> None:
    """Beyond this machine, a login or the person's explicit word; else one `Erro:` line."""
    from sales_monitor.launch.web import login_configured
    from sales_monitor.settings import is_loopback

    if is_loopback(settings.host) or settings.access.unprotected or login_configured():
        return
    fail(
        f"--host {settings.host} abre o dashboard a outras máquinas, e não há login "
        "configurado ([auth] em .streamlit/secrets.toml; veja docs/compartilhar.md); "
        "configure-o, ou use --unprotected-no-login para abrir sem proteção"
    )


def check_operations(settings: Settings, dashboard_port: int) -> None:
    ops = settings.operations
    try:
        settings_alert_urls(" ".join(ops.alert_urls), "--alert-url")  # a flag's: `scheme://…`
        if ops.alert_urls:
            from sales_monitor.ops.notify import check_urls

            check_urls(ops.alert_urls)
    except SettingsError as error:
        fail(str(error))
    if ops.metrics_port == dashboard_port:
        fail(f"--metrics-port {ops.metrics_port} é a porta do dashboard; escolha outra")
    check_metrics_port(settings, ops.metrics_port)


def add_metrics_flag(parser: argparse.ArgumentParser) -> None:
    """A writer's own operations port (the dashboard's env var is the dashboard's)."""
    parser.add_argument(
        "--metrics-port",
        type=port,
        help="serve /metrics (Prometheus), /healthz e /readyz nesta porta, em 127.0.0.1 "
        "(ou DASHBOARD_HOST)",
    )


def check_metrics_port(settings: Settings, chosen: int | None) -> None:
    """One `Erro:` line if the port is taken, before anything starts."""
    from sales_monitor.brokers.ports import port_is_open
    from sales_monitor.launch.web import reachable_host

    if chosen is not None and port_is_open(reachable_host(settings.host), chosen):
        fail(f"a porta de métricas {chosen} já está em uso")


def serve_writer_metrics(
    settings: Settings, chosen: int | None, stats: DeliveryStats, writer: str
) -> None:
    """The writer's figures on `chosen`, said in one line; or one `Erro:` line."""
    if chosen is None:
        return
    from sales_monitor.launch.web import browser_host
    from sales_monitor.ops.writers import writer_server

    try:
        writer_server(settings.host, chosen, stats, writer)
    except OSError as error:
        from sales_monitor.errors import os_reason

        fail(f"a porta de métricas {chosen} não pôde ser aberta: {os_reason(error)}", status=1)
    print(f"Métricas: http://{browser_host(settings.host)}:{chosen}/metrics", flush=True)


def operations_lines(settings: Settings) -> list[str]:
    """What a command says of the operations port and the alerts, secrets left out."""
    from sales_monitor.launch.web import browser_host
    from sales_monitor.settings import secretless

    ops, lines = settings.operations, []
    if ops.metrics_port is not None:
        base = f"http://{browser_host(settings.host)}:{ops.metrics_port}"
        lines.append(f"Métricas: {base}/metrics  (saúde: /healthz, /readyz)")
    if ops.alert_urls:
        lines.append("Alertas para: " + ", ".join(secretless(url) for url in ops.alert_urls))
    return lines


def configure_logs(settings: Settings) -> None:
    from sales_monitor.ops import logs

    logs.configure(settings.operations.log_format)


def add_broker_flags(parser: argparse.ArgumentParser, settings: Settings) -> None:
    """Which broker to start where none answers, and whether to start it empty."""
    default = settings.embedded.engine
    parser.add_argument(
        "--broker",
        choices=ENGINES,
        default=default,
        help="o broker embutido: tansu (em memória, só Linux x86_64) ou kafka (Apache Kafka, "
        f"guarda as vendas em disco); padrão {default or 'tansu onde existe, senão kafka'} "
        "(SALES_MONITOR_BROKER)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="com --broker kafka, apaga as vendas guardadas e começa vazio",
    )


def with_broker_flags(settings: Settings, args: argparse.Namespace) -> Settings:
    return replace(settings, embedded=replace(settings.embedded, engine=args.broker))
