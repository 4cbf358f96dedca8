"""`uv run broker`: an embedded Kafka broker (Tansu) on this machine, with the topic made."""

from __future__ import annotations

import sys

from sales_monitor.commands import flags
from sales_monitor.commands.flags import settings_or_exit
from sales_monitor.errors import BrokerError, BrokerUnavailable
from sales_monitor.kafka.clients import ensure_topic
from sales_monitor.kafka.embedded import EmbeddedBroker
from sales_monitor.processes import stop_on_signals, wait_for_stop


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit()
    parser = flags.Parser(prog="broker", description="Broker Kafka embutido (Tansu).")
    parser.add_argument("--port", type=flags.port, default=9092, help="porta (padrão 9092)")
    parser.add_argument("--topic", type=flags.topic_name, default=settings.topic)
    parser.add_argument("--partitions", type=flags.positive_int, default=1)
    args = parser.parse_args(argv)
    stop = stop_on_signals()
    try:
        broker = EmbeddedBroker(args.port).start()
    except BrokerError as error:
        print(f"Erro: {error}", file=sys.stderr)
        return 1
    try:
        ensure_topic(broker.bootstrap, args.topic, args.partitions)
        print(
            f"Broker Kafka (Tansu) ouvindo em {broker.bootstrap}; tópico '{args.topic}' pronto.\n"
            "Armazenamento em memória: as mensagens se perdem quando o broker para. "
            "Ctrl-C para parar.",
            flush=True,
        )
        if wait_for_stop(stop, lambda: None if broker.running() else "broker"):
            print(f"Erro: o broker parou sozinho:\n{broker.output()[-1000:]}", file=sys.stderr)
            return 1
    except BrokerUnavailable as error:
        print(f"Erro: {error}", file=sys.stderr)
        return 1
    finally:
        broker.stop()
    print("Broker parado.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
