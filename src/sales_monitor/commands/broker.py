"""`uv run broker`: an embedded Kafka broker on this machine (Tansu, or Apache Kafka with
`--broker kafka` and where Tansu does not exist), with the topic made, on the port of
KAFKA_BOOTSTRAP_SERVERS when that is a loopback address (as the other commands follow it),
else on 9092."""

from __future__ import annotations

from sales_monitor.brokers import engines
from sales_monitor.commands import flags
from sales_monitor.commands.flags import settings_or_exit
from sales_monitor.kafka.clients import ensure_topic
from sales_monitor.launch.processes import run_until_stopped, stop_on_signals
from sales_monitor.launch.web import local_port


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit()
    parser = flags.Parser(prog="broker", description="Broker Kafka embutido (Tansu ou Kafka).")
    own = local_port(settings.bootstrap_servers)
    parser.add_argument(
        "--port",
        type=flags.port,
        default=own or 9092,
        help=f"porta (padrão {own or 9092}, a de KAFKA_BOOTSTRAP_SERVERS quando é local)",
    )
    parser.add_argument("--topic", type=flags.topic_name, default=settings.topic)
    parser.add_argument("--partitions", type=flags.positive_int, default=1)
    flags.add_broker_flags(parser, settings)
    args = parser.parse_args(argv)
    embedded = flags.with_broker_flags(settings, args).embedded
    running: list[engines.Broker] = []
    stop = stop_on_signals()
    progress = engines.DownloadProgress(stop=stop)

    def start() -> None:
        broker, description = engines.start(embedded, args.port, args.fresh, progress)
        running.append(broker)
        ensure_topic(broker.bootstrap, args.topic, args.partitions)
        print(f"{description}\nTópico '{args.topic}' pronto. Ctrl-C para parar.", flush=True)
        if own != args.port:
            print(
                f"Aviso: KAFKA_BOOTSTRAP_SERVERS é {settings.bootstrap_servers}; para usar este "
                f"broker, os outros comandos precisam de --bootstrap-server {broker.bootstrap}.",
                flush=True,
            )

    return run_until_stopped(
        stop,
        start,
        exited=lambda: None if all(b.running() for b in running) else "broker",
        shutdown=lambda: engines.stop_all(running),
        died=lambda _: f"o broker parou sozinho:\n{running[0].output()[-1000:]}",
        farewell="Broker parado.",
    )


if __name__ == "__main__":
    raise SystemExit(main())
