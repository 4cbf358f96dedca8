"""`uv run send`: write records to the topic by hand, checked by the record contract first.

uv run send '{"id": 200, "nome": "Ana", ...}'   one record from the argument
uv run send --file vendas.csv                   many: JSON array, JSON Lines or CSV
uv run send < vendas.jsonl                      the same from standard input
uv run send --delete 200                        a tombstone for id 200
--dry-run                                       check only; nothing is sent
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sales_monitor.commands import flags
from sales_monitor.errors import UnreadableFile, os_reason
from sales_monitor.files import csv_rows, formats
from sales_monitor.kafka.publish import Publisher, end_write
from sales_monitor.ptbr import count_of
from sales_monitor.record import Rejection, Tombstone, parse_id
from sales_monitor.settings import Settings

SOURCE = "send"  # the `origem` header of every message this command writes
ACK_WAIT_S = 30.0  # how long the broker may take to acknowledge what was sent


def parse_args(argv: list[str] | None, settings: Settings) -> argparse.Namespace:
    parser = flags.Parser(prog="send", description="Envia registros ao tópico, validados antes.")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("record", nargs="?", help="um registro em JSON")
    what.add_argument("--file", help="arquivo JSON, JSON Lines ou CSV ('-' = entrada padrão)")
    what.add_argument("--delete", type=record_id, metavar="ID", help="apaga o id (tombstone)")
    parser.add_argument("--dry-run", action="store_true", help="só valida; não envia nada")
    flags.add_kafka_flags(parser, settings)
    return parser.parse_args(argv)


def record_id(text: str) -> int:
    """The id of --delete, by the contract's rule (the same as the inspector's Apagar)."""
    chosen = parse_id(text)
    if isinstance(chosen, Rejection):
        raise argparse.ArgumentTypeError(chosen.reason)
    return chosen


def read_input(args: argparse.Namespace) -> bytes:
    if args.record is not None:
        return args.record.encode()
    limit = csv_rows.MAX_FILE_BYTES + 1  # one byte past the bound is enough to refuse it
    if args.file not in (None, "-"):
        try:
            with Path(args.file).open("rb") as file:
                return file.read(limit)
        except OSError as error:
            flags.fail(f"não foi possível ler {args.file}: {os_reason(error)}")
    if args.file is None and sys.stdin.isatty():
        flags.fail("nada para enviar: passe um registro JSON, --file ARQUIVO ou --delete ID")
    return sys.stdin.buffer.read(limit)


def changes_from(args: argparse.Namespace) -> tuple[list, int]:
    """The valid records (or the one tombstone) and how many items were rejected; each
    rejection is printed with its line."""
    if args.delete is not None:
        return [Tombstone(args.delete)], 0
    try:
        rows = formats.parse(read_input(args), SOURCE, json_only=args.record is not None)
    except UnreadableFile as error:
        flags.fail(f"{error}; nada foi enviado")
    rejected = [row for row in rows if isinstance(row.decoded, Rejection)]
    for row in rejected:
        print(f"linha {row.line}: {row.reason}", file=sys.stderr)
    return [row.decoded for row in rows if not isinstance(row.decoded, Rejection)], len(rejected)


def main(argv: list[str] | None = None) -> int:
    settings = flags.settings_or_exit()
    args = parse_args(argv, settings)
    changes, rejected = changes_from(args)
    if args.dry_run:
        valid = count_of(len(changes), "válido", "válidos")
        print(
            f"Resumo: {valid}, {count_of(rejected, 'rejeitado', 'rejeitados')}; "
            "nada enviado (--dry-run)."
        )
        return 1 if rejected else 0
    connection, producer = flags.producer_or_exit(
        settings, args.bootstrap_server, args.topic, args.compression
    )
    publisher = Publisher(producer, args.topic, SOURCE)
    publisher.send_all(changes)
    stats = end_write(publisher, timeout=ACK_WAIT_S)
    print(stats.summary(rejected))
    if (error := stats.error_line(connection.bootstrap_servers)) is not None:
        print(error, file=sys.stderr)
    return 1 if rejected or stats.failed or stats.unconfirmed else 0


if __name__ == "__main__":
    raise SystemExit(main())
