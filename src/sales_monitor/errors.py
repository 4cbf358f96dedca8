"""Every failure the project reports, in one hierarchy:

    MonitorError
    ├── SettingsError (also ValueError)
    │   └── SecurityError
    ├── UnreadableFile (also ValueError)
    ├── KafkaFailure
    │   ├── BrokerUnavailable
    │   ├── UnreadableMessage
    │   ├── UnreadableBatch
    │   ├── OffsetsOutOfRange
    │   ├── DeliveryAborted
    │   └── TopicNotRead
    ├── EmbeddedBrokerError
    └── StartupError

`str(error)` is one sentence in Portuguese a person can act on; whatever caused it (a
kafka-python error, an OS error) is chained as `__cause__`, for the log. A command prints
`Erro: {error}`, a page shows it, and the traceback goes to the log only.
"""

from __future__ import annotations

import errno

START_HINT = "inicie um broker com `uv run broker` (ou `docker compose up -d kafka`)"


class MonitorError(Exception):
    """A failure of the sales monitor, said in one sentence."""


class SettingsError(MonitorError, ValueError):
    """A setting from the environment or a flag has a value we cannot use."""


class SecurityError(SettingsError):
    """Security settings that cannot work together; the message names them."""


class UnreadableFile(MonitorError, ValueError):
    """The file as a whole is not a sales file: nothing of it may be used."""


class KafkaFailure(MonitorError):
    """Kafka did not do what was asked; the client's own error is the cause."""

    unreachable = False  # the broker itself did not answer (not a refusal of the request)


class BrokerUnavailable(KafkaFailure):
    """No Kafka broker answered at the configured address, or it refused us."""

    def __init__(self, bootstrap: str, cause: Exception | str, hint: str = START_HINT):
        super().__init__(f"não foi possível falar com o Kafka em {bootstrap} ({cause}); {hint}")
        self.bootstrap = bootstrap


class UnreadableMessage(KafkaFailure):
    """The Kafka client cannot parse the next message of a partition (a header name that
    is not UTF-8, a corrupt batch): the reader lists it as rejected and seeks past it."""

    def __init__(self, partition: int, offset: int):
        super().__init__(f"mensagem ilegível na partição {partition}, offset {offset}")
        self.partition, self.offset = partition, offset


class UnreadableBatch(KafkaFailure):
    """A batch of a partition the Kafka client cannot decode (a codec it lacks, a corrupt
    compressed batch): the reader sets that partition aside, names it, reads the others, and
    tries it again later."""

    def __init__(self, partition: int, offset: int, reason: str):
        super().__init__(f"partição {partition}, offset {offset}: {reason}")
        self.partition, self.offset, self.reason = partition, offset, reason


class OffsetsOutOfRange(KafkaFailure):
    """The positions asked for are no longer in their partitions: records were removed
    before being read (retention, DeleteRecords), or the log was cut below them."""

    def __init__(self, offsets: dict[int, int]):
        where = ", ".join(f"partição {p} offset {o}" for p, o in sorted(offsets.items()))
        super().__init__(f"posição fora do tópico ({where})")
        self.offsets = offsets


class DeliveryAborted(KafkaFailure):
    """A record still waiting when its producer was closed: it was never delivered."""


class TopicNotRead(KafkaFailure):
    """The topic could not be read to its end: which ids a file owns is not known."""


class EmbeddedBrokerError(MonitorError):
    """The embedded broker cannot start here; the message says why and what to do."""


class StartupError(MonitorError):
    """A piece a command starts (the dashboard, the demo's) did not come up."""


_OS_REASONS = {
    errno.ENOENT: "o arquivo não existe",
    errno.EACCES: "sem permissão para ler o arquivo",
    errno.EPERM: "sem permissão para ler o arquivo",
    errno.EISDIR: "é uma pasta, não um arquivo",
    errno.ENOTDIR: "uma parte do caminho não é uma pasta",
    errno.ENAMETOOLONG: "o nome do arquivo é longo demais",
    errno.ELOOP: "o caminho tem links simbólicos em ciclo",
    errno.EIO: "erro de leitura do disco",
}


def os_reason(error: OSError) -> str:
    """An operating-system error in Portuguese (the system's own text is English here); an
    unusual one keeps its errno name, for a search."""
    if error.errno in _OS_REASONS:
        return _OS_REASONS[error.errno]
    name = errno.errorcode.get(error.errno or 0, "")
    return f"erro do sistema {name}".strip() if name else "erro do sistema ao ler o arquivo"
