"""Operating-system and Kafka client errors in a person's words."""

import errno

import pytest
from kafka import errors as kafka_errors

from sales_monitor.errors import os_reason
from sales_monitor.kafka.clients import KAFKA_REASONS, failure, kafka_reason

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOENT, "o arquivo não existe"),
        (errno.EACCES, "sem permissão para ler o arquivo"),
        (errno.EISDIR, "é uma pasta, não um arquivo"),
        (errno.EMFILE, "erro do sistema EMFILE"),
    ],
)
def test_os_errors_in_portuguese(code, reason):
    """Before: `No such file or directory`, the system's English text."""
    assert os_reason(OSError(code, "English text")) == reason


def test_kafka_errors_in_portuguese_their_subclasses_too():
    assert all(issubclass(kind, kafka_errors.KafkaError) for kind in KAFKA_REASONS)
    refused = kafka_errors.KafkaConnectionError("111 ECONNREFUSED")
    assert str(failure(refused)) == "a conexão com o broker caiu ou foi recusada"
    assert failure(refused).__cause__ is refused  # the English text stays, for the log
    timeout = kafka_errors.KafkaTimeoutError("Unable to bootstrap from [('127.0.0.1', 9)]")
    assert kafka_reason(timeout) == "o Kafka não respondeu a tempo"

    class Newer(kafka_errors.NotEnoughReplicasError):
        pass

    assert kafka_reason(Newer()) == "réplicas insuficientes para confirmar a escrita"
    assert kafka_reason(kafka_errors.StaleMetadata()) == "erro do Kafka (StaleMetadata)"


def test_the_tree_in_the_docstring_is_the_classes_tree():
    """Each name in `errors`' drawn tree sits under the class it is drawn under, and every
    error class of the module is drawn."""
    import inspect
    import re

    from sales_monitor import errors

    drawn: dict[str, str | None] = {}
    parents: list[str] = []
    for line in errors.__doc__.splitlines():
        found = re.match(r"^ {4}((?:[│ ] {3})*)(?:[├└]── )?([A-Z]\w+)", line)
        if not found:
            continue
        depth = len(found.group(1)) // 4 + (1 if "──" in line else 0)
        parents[depth:] = [found.group(2)]
        drawn[found.group(2)] = parents[depth - 1] if depth else None
    classes = {
        name: cls
        for name, cls in vars(errors).items()
        if inspect.isclass(cls) and issubclass(cls, errors.MonitorError)
    }
    assert set(drawn) == set(classes)
    for name, parent in drawn.items():
        mro_parents = [base.__name__ for base in classes[name].__bases__]
        assert parent is None and mro_parents == ["Exception"] or parent in mro_parents, name
