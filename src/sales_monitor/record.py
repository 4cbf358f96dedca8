"""The sale-record contract: one record type and one pure (de)serializer.

Wire format (the topic `csv-data`):
- key: the id as UTF-8 text;
- value: a UTF-8 JSON object with the fields `id, nome, idade, cidade, valor, timestamp`;
- a key with a null value is a tombstone: it deletes that id;
- a message with no key (typed by a person into Kafka UI) takes its id from the value;
- the header `origem` names who wrote the message (`produtor`, `inspetor`, `send`,
  `csv:<arquivo>`); a message without it was typed by hand (Kafka UI): "manual".

The contract is total: any key, value and headers give a record, a tombstone or a
rejection, never an exception (hypothesis properties and the fuzz targets in tests/fuzz
search for one). Money is exact: `valor` is judged on its decimal text and lives here as
integer cents. Timestamps are timezone-aware in São Paulo time; naive input is taken as
São Paulo local time; a sale must fall in SALE_YEARS (no "now" in the rule, so a rebuilt
table gives every message the same verdict). Text is NFC, with controls and invisible
characters removed, so what looks the same is the same (docs/record-contract.md).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import orjson  # faster than the json module both ways (`uv run bench --only contract`)

from sales_monitor.json_reasons import json_reason

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
MAX_ID = 2**63 - 1
MAX_ID_DIGITS = len(str(MAX_ID))
MAX_CENTS = 10**13  # R$ 100 bilhões: far above any sale
AGE_RANGE = (0, 130)
MAX_TEXT = 200  # characters of nome, cidade and origem: every browser tab receives them
MAX_NUMBER_TEXT = 40  # characters of a `valor` quoted in a reason
MAX_TIMESTAMP_TEXT = 64
SALE_YEARS = (2000, 2099)  # a sale's timestamp, São Paulo time, first and last year
SOURCE_HEADER = "origem"
MANUAL_SOURCE = "manual"  # what a message without the header is counted as
FIELDS = ("id", "nome", "idade", "cidade", "valor", "timestamp")  # the JSON object's fields


@dataclass(frozen=True, slots=True)
class SaleRecord:
    id: int
    name: str
    age: int
    city: str
    value_cents: int
    timestamp: datetime  # aware, America/Sao_Paulo
    # who wrote it (the `origem` header): metadata, not content, so not compared
    source: str = field(default=MANUAL_SOURCE, compare=False)


@dataclass(frozen=True, slots=True)
class Tombstone:
    id: int


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: str


Decoded = SaleRecord | Tombstone | Rejection


class _Invalid(Exception):
    """Internal: carries the human-readable reason out of the field checks."""


_VALUE = (  # the JSON object, field order fixed; `valor` with exactly two decimals
    b'{"id": %d, "nome": %b, "idade": %d, "cidade": %b, "valor": %d.%02d, "timestamp": "%b"}'
)
json_text = orjson.dumps  # a str as a JSON string: quoted, escaped, UTF-8


def encode(record: SaleRecord) -> tuple[bytes, bytes]:
    """The Kafka key and value for a record."""
    return encode_fields(
        record.id, json_text(record.name), record.age, json_text(record.city),
        record.value_cents, moment_text(record.timestamp),
    )  # fmt: skip


def encode_fields(
    record_id: int, name: bytes, age: int, city: bytes, cents: int, moment: bytes
) -> tuple[bytes, bytes]:
    """The key and value of a record whose texts are already JSON strings (`json_text`)
    and whose moment is already text (`moment_text`): for a writer that makes many records
    from a few texts and one moment (the fake producer), without that work per record."""
    value = _VALUE % (record_id, name, age, city, cents // 100, cents % 100, moment)
    return b"%d" % record_id, value


def moment_text(moment: datetime) -> bytes:
    """A record's moment as its value carries it."""
    return moment.isoformat().encode()


def encode_tombstone(record_id: int) -> tuple[bytes, None]:
    return str(record_id).encode(), None


def source_headers(source: str) -> list[tuple[str, bytes]]:
    """The Kafka headers that mark a message as written by `source`."""
    return [(SOURCE_HEADER, source.encode())]


def source_of(headers: Iterable[tuple[str, bytes | None]] | None) -> str:
    """The `origem` header's value as clean text (at most MAX_TEXT characters), or "manual"
    for a message without it. Any headers: names and values of any type are skipped."""
    for header in headers or ():
        try:
            name, value = header
        except (TypeError, ValueError):
            continue
        if name == SOURCE_HEADER and type(value) is bytes and value:
            text = _SOURCES.get(value)
            if text is None:
                text = _source_text(value)
            if text:
                return text
    return MANUAL_SOURCE


_SOURCES: dict[bytes, str] = {}  # a few writers write every message: clean each name once


def _source_text(value: bytes) -> str:
    text = clean_text(value[: 4 * MAX_TEXT].decode("utf-8", "replace"))
    text = text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
    if len(value) <= 4 * MAX_TEXT:  # a huge header is cleaned each time, never kept
        if len(_SOURCES) >= 1_000:
            _SOURCES.clear()
        _SOURCES[value] = text
    return text


def decode(
    key: bytes | None,
    value: bytes | None,
    headers: Iterable[tuple[str, bytes | None]] | None = None,
) -> Decoded:
    """Turn one Kafka message into a record, a tombstone, or a rejection. Never raises."""
    try:
        key_id = None if key is None else _key_id(key)
        if value is None:
            if key_id is None:
                raise _Invalid("mensagem sem chave e sem valor")
            return Tombstone(key_id)
        data = _json_object(value)
        return _record(key_id, data, source_of(headers), lambda: _valor_text(value))
    except _Invalid as invalid:
        return Rejection(str(invalid))


def from_fields(data: Mapping, source: str = MANUAL_SOURCE) -> SaleRecord | Rejection:
    """A record from already-parsed wire fields (a CSV row, a JSON object), checked by the
    same rules as a message. `valor` may be an int, a Decimal (exact) or a float (judged on
    its shortest text). Never raises."""
    try:
        return _record(None, data, source, lambda: None)
    except _Invalid as invalid:
        return Rejection(str(invalid))


def parse_id(text: str) -> int | Rejection:
    """An id typed by a person (Apagar, `send --delete`): ASCII digits, 1..MAX_ID."""
    try:
        return _id_text(text.strip(), "id")
    except _Invalid as invalid:
        return Rejection(str(invalid))


def message_time(timestamp_ms: object) -> datetime | None:
    """A Kafka message's own timestamp as São Paulo time; None when it is absent (-1) or
    outside SALE_YEARS (any int64 can arrive, and `datetime` stops at the year 9999)."""
    if type(timestamp_ms) is not int or not SALE_MS[0] <= timestamp_ms < SALE_MS[1]:
        return None
    return datetime.fromtimestamp(timestamp_ms / 1000, SAO_PAULO)


def epoch_ms(moment: datetime) -> int:
    """A moment as Kafka timestamps and the table's hold it: milliseconds since the epoch."""
    return int(moment.timestamp() * 1000)


SALE_MS = tuple(  # SALE_YEARS as epoch ms, [first moment, after the last): timestamps taken as real
    epoch_ms(datetime(year, 1, 1, tzinfo=SAO_PAULO)) for year in (SALE_YEARS[0], SALE_YEARS[1] + 1)
)
KAFKA_MS_MAX = SALE_MS[1] - 1


def folded(text: str) -> str:
    """Text for a comparison or a search: no accents, no case (NFKD, combining marks
    dropped, casefold), so `iris` finds `Íris` and `sao paulo` is São Paulo."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def clean_text(text: str) -> str:
    """NFC, controls and invisible characters (format, private-use, unassigned) removed,
    every kind of space as one ASCII space, no space at either end."""
    if (
        text.isprintable()
        and "  " not in text
        and (text.isascii() or unicodedata.is_normalized("NFC", text))
    ):
        return text.strip()  # the usual case: nothing to remove
    kept = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        elif unicodedata.category(char)[0] != "C":
            kept.append(char)
    return unicodedata.normalize("NFC", " ".join("".join(kept).split()))


def _key_id(key: bytes) -> int:
    if key.isdigit() and len(key) <= MAX_ID_DIGITS:  # the usual key: ASCII digits
        return _positive_id(int(key))
    try:
        text = key.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise _Invalid("chave não é texto UTF-8") from None
    return _id_text(text, "chave")


def _id_text(text: str, what: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise _Invalid(f"{what} {text[:40]!r} não é um id inteiro positivo")
    digits = text.lstrip("0")
    if len(digits) > MAX_ID_DIGITS:  # int() of a long text is slow, past 4,300 refused
        raise _Invalid(f"{what} com {len(digits)} dígitos: fora do intervalo 1..{MAX_ID}")
    return _positive_id(int(digits or "0"))


def _json_object(value: bytes) -> dict:
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as error:  # also invalid UTF-8, NaN, Infinity, depth > 1024
        raise _Invalid(f"valor não é JSON válido: {json_reason(error)}") from None
    if not isinstance(data, dict):
        raise _Invalid("valor JSON não é um objeto")
    return data


def _record(
    key_id: int | None, data: Mapping, source: str, valor_text: Callable[[], str | None]
) -> SaleRecord:
    # One straight pass, checks inline: this runs once per message read, and a helper call
    # per field cost a quarter of decoding. `type(x) is int` also rules out booleans.
    get = data.get
    record_id = get("id")
    if record_id is None:
        if key_id is None:
            raise _Invalid("campo 'id' ausente e mensagem sem chave")
        record_id = key_id
    else:
        if type(record_id) is not int:
            raise _Invalid(f"campo 'id' deve ser um número inteiro, veio {_shown(record_id)}")
        _positive_id(record_id)
        if key_id is not None and key_id != record_id:
            raise _Invalid(f"id da chave ({key_id}) difere do id do valor ({record_id})")
    name = _text(get("nome"), "nome")
    age = get("idade")
    if type(age) is not int:
        if "idade" not in data:
            raise _Invalid("campo 'idade' ausente")
        raise _Invalid(f"campo 'idade' deve ser um número inteiro, veio {_shown(age)}")
    if not AGE_RANGE[0] <= age <= AGE_RANGE[1]:
        raise _Invalid(f"idade {_shown(age)} fora do intervalo {AGE_RANGE[0]}..{AGE_RANGE[1]}")
    city = _text(get("cidade"), "cidade")
    cents = _cents(get("valor"), valor_text)
    return SaleRecord(record_id, name, age, city, cents, _timestamp(get("timestamp")), source)


def _shown(value: object) -> str:
    """A value inside a reason: short, and never a huge int turned into digits."""
    if type(value) is int and not -(10**40) < value < 10**40:
        return "um inteiro enorme"
    return f"{value!r:.40}"


def _positive_id(value: int) -> int:
    if not 0 < value <= MAX_ID:
        raise _Invalid(f"id {_shown(value)} fora do intervalo 1..{MAX_ID}")
    return value


def _text(value: object, name: str) -> str:
    if type(value) is not str:
        raise _Invalid(f"campo '{name}' deve ser um texto não vazio")
    if len(value) > 4 * MAX_TEXT:  # not worth cleaning: it cannot come down to MAX_TEXT
        raise _Invalid(f"campo '{name}' tem {len(value)} caracteres; o máximo é {MAX_TEXT}")
    text = clean_text(value)
    if not text:
        raise _Invalid(f"campo '{name}' deve ser um texto não vazio")
    if len(text) > MAX_TEXT:
        raise _Invalid(f"campo '{name}' tem {len(text)} caracteres; o máximo é {MAX_TEXT}")
    return text


# --- valor: exact, from the number's decimal text -------------------------------------
_NUMBER = re.compile(r"(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?")
_VALOR_KEY = b'"valor"'
_AFTER_VALOR_KEY = re.compile(rb"[ \t\r\n]*:[ \t\r\n]*(-?[0-9][0-9.eE+-]*)")


_VALOR_RANGE = "fora do intervalo de R$ 0,00 a R$ 100.000.000.000,00"  # 0..MAX_CENTS


def _cents(value: object, valor_text: Callable[[], str | None]) -> int:
    if type(value) is int:
        if not 0 <= value <= MAX_CENTS // 100:
            shown = _shown(value) if abs(value) >= 10**40 else _ptbr_number(str(value))
            raise _Invalid(f"valor {shown} {_VALOR_RANGE}")
        return value * 100
    if type(value) is float:
        text = valor_text() or repr(value)  # repr: the shortest text that reads back
    elif type(value) is Decimal:
        text = str(value)
    else:
        raise _Invalid("campo 'valor' deve ser um número")
    return _cents_of_text(text)


def _cents_of_text(text: str) -> int:
    """Exact integer cents of a JSON number's text, judged digit by digit."""
    whole, dot, fraction = text.partition(".")
    usual = whole.isdigit() and whole.isascii() and len(whole) <= 11 and len(fraction) <= 2
    if usual and (not dot or fraction.isdigit()):  # 1234.56: in range, nothing to scale
        return int(whole) * 100 + int(fraction or 0) * (10 if len(fraction) == 1 else 1)
    match = _NUMBER.fullmatch(text)
    shown = text if len(text) <= MAX_NUMBER_TEXT else text[:MAX_NUMBER_TEXT] + "…"
    if match is None:
        raise _Invalid(f"valor {shown!r} não é um número em reais")
    shown = _ptbr_number(shown)
    sign, whole, fraction, exponent = match.groups()
    fraction = fraction or ""
    digits = (whole + fraction).lstrip("0")
    if not digits:
        return 0
    significant = digits.rstrip("0")
    shift = _power(exponent) - len(fraction) + 2 + len(digits) - len(significant)
    if shift < 0:
        raise _Invalid(f"valor {shown} tem mais de duas casas decimais")
    if sign or len(significant) + shift > len(str(MAX_CENTS)):
        raise _Invalid(f"valor {shown} {_VALOR_RANGE}")
    cents = int(significant) * 10**shift
    if cents > MAX_CENTS:
        raise _Invalid(f"valor {shown} {_VALOR_RANGE}")
    return cents


_PLAIN_NUMBER = re.compile(r"(-?)(\d+)(?:\.(\d+))?")


def _ptbr_number(text: str) -> str:
    """A number's text as a Brazilian writes it (`-1234.5` -> `-1.234,5`), digits as they
    came; a text with an exponent, or cut short, stays as it is."""
    match = _PLAIN_NUMBER.fullmatch(text)
    if match is None:
        return text
    sign, whole, fraction = match.groups()
    grouped = f"{int(whole):,}".replace(",", ".") if len(whole) <= MAX_NUMBER_TEXT else whole
    if len(whole) > 1 and whole.startswith("0"):
        grouped = whole  # as written: 007
    return f"{sign}{grouped}" + (f",{fraction}" if fraction is not None else "")


def _power(exponent: str | None) -> int:
    """An exponent's value; one of many digits is only "huge" (int() would be slow)."""
    if not exponent:
        return 0
    if len(exponent) <= 9:
        return int(exponent)
    return -(10**9) if exponent.startswith("-") else 10**9


def _valor_text(raw: bytes) -> str | None:
    """The text of the top-level `valor` number in a JSON object orjson has accepted.
    Without backslashes every quote delimits a string, so a single `"valor"` is that key;
    anything else is read again by the json module, which keeps the number's text."""
    at = raw.find(_VALOR_KEY)
    if at >= 0 and raw.find(_VALOR_KEY, at + 1) < 0 and b"\\" not in raw:
        match = _AFTER_VALOR_KEY.match(raw, at + len(_VALOR_KEY))
        return match.group(1).decode("ascii") if match else None  # [0-9.eE+-] only
    try:
        text = json.loads(raw, parse_float=str, parse_int=str).get("valor")
    except (ValueError, RecursionError):
        return None
    return text if type(text) is str else None


_ISO_PARTS = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")


def _no_such_moment(value: str) -> str | None:
    """For a text shaped like ISO 8601 whose date or time does not exist (31/02, 25:00),
    the reason as a Brazilian writes the moment; None for any other text."""
    match = _ISO_PARTS.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = match.groups()
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return f"timestamp: a data {day}/{month}/{year} não existe"
    if hour is not None and (int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59):
        seconds = f":{second}" if second and second != "00" else ""
        return f"timestamp: a hora {hour}:{minute}{seconds} não existe"
    return None


def _timestamp(value: object) -> datetime:
    if type(value) is not str:
        raise _Invalid("campo 'timestamp' deve ser um texto ISO 8601")
    try:
        if len(value) > MAX_TIMESTAMP_TEXT:
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Invalid(
            _no_such_moment(value) or f"timestamp {value[:40]!r} não é ISO 8601"
        ) from None
    first, last = SALE_YEARS
    if moment.tzinfo is None:  # São Paulo wall time, as most writers send it
        if not first <= moment.year <= last:
            raise _Invalid(f"timestamp {value!r} fora dos anos {first} a {last}")
        return moment.replace(tzinfo=SAO_PAULO)
    # the year first: near the year 1 or 9999 converting to another zone overflows
    local = moment.astimezone(SAO_PAULO) if first <= moment.year + 1 <= last + 2 else None
    if local is None or not first <= local.year <= last:
        raise _Invalid(f"timestamp {value!r} fora dos anos {first} a {last}")
    return local
