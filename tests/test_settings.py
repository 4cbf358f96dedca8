import re

import pytest

from sales_monitor.errors import SettingsError
from sales_monitor.kafka.connection import Connection
from sales_monitor.settings import Settings

pytestmark = pytest.mark.unit


def test_defaults_without_environment():
    assert Settings.from_env({}) == Settings(
        connection=Connection("localhost:9092"),
        topic="csv-data",
        refresh_seconds=3.0,
        max_rows=1_000_000,
        high_ticket_cents=180_000,
    )


def test_environment_overrides():
    settings = Settings.from_env(
        {
            "KAFKA_BOOTSTRAP_SERVERS": "kafka:29092",
            "KAFKA_TOPIC": "vendas",
            "DASHBOARD_REFRESH_SECONDS": "1.5",
            "DASHBOARD_MAX_ROWS": "10",
            "DASHBOARD_HIGH_TICKET": "999.99",
        }
    )
    assert (settings.bootstrap_servers, settings.topic) == ("kafka:29092", "vendas")
    assert (settings.refresh_seconds, settings.max_rows, settings.high_ticket_cents) == (
        1.5,
        10,
        99_999,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DASHBOARD_MAX_ROWS", "many"),
        ("DASHBOARD_MAX_ROWS", "0"),
        ("DASHBOARD_REFRESH_SECONDS", "0.1"),
        # nan passed every check and inf gave an OverflowError traceback
        ("DASHBOARD_REFRESH_SECONDS", "nan"),
        ("DASHBOARD_REFRESH_SECONDS", "inf"),
        ("DASHBOARD_HIGH_TICKET", "inf"),
        ("DASHBOARD_HIGH_TICKET", "nan"),
        ("DASHBOARD_HIGH_TICKET", "-inf"),
        ("DASHBOARD_MAX_ROWS", "9" * 5000),
        ("KAFKA_COMPRESSION_TYPE", "brotli"),
    ],
)
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(SettingsError, match=name) as refused:
        Settings.from_env({name: value})
    assert len(str(refused.value)) < 120  # one line, whatever was typed


@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4", "zstd", " ZSTD "])
def test_every_codec_kafka_knows_is_a_compression(codec):
    assert Settings.from_env({"KAFKA_COMPRESSION_TYPE": codec}).compression == codec.strip().lower()


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().topic = "x"


@pytest.mark.parametrize("value", ["a b", "host;rm", ""])
def test_a_dashboard_host_that_is_not_an_address_is_refused(value):
    if not value:  # empty means the default
        assert Settings.from_env({"DASHBOARD_HOST": value}).host == "127.0.0.1"
        return
    with pytest.raises(SettingsError, match="DASHBOARD_HOST"):
        Settings.from_env({"DASHBOARD_HOST": value})


def test_the_embedded_broker_s_settings_come_from_the_environment(tmp_path):
    embedded = Settings.from_env(
        {
            "SALES_MONITOR_BROKER": " Kafka ",
            "SALES_MONITOR_DATA_DIR": str(tmp_path / "dados"),
            "SALES_MONITOR_CACHE_DIR": str(tmp_path / "cache"),
            "SALES_MONITOR_MAVEN_URL": "https://espelho.example/maven2",
            "SALES_MONITOR_NO_TANSU": "1",
        }
    ).embedded
    assert embedded.engine == "kafka" and not embedded.tansu_allowed
    assert embedded.data_dir == tmp_path / "dados" and embedded.cache_dir == tmp_path / "cache"
    assert embedded.maven_url == "https://espelho.example/maven2"


def test_by_default_the_embedded_broker_lives_in_the_user_s_folders():
    embedded = Settings.from_env({}).embedded
    assert embedded.engine is None and embedded.tansu_allowed
    assert embedded.data_dir.name == embedded.cache_dir.name == "sales-monitor"
    assert embedded.data_dir != embedded.cache_dir


@pytest.mark.parametrize(
    ("name", "value"), [("SALES_MONITOR_BROKER", "docker"), ("SALES_MONITOR_NO_TANSU", "talvez")]
)
def test_a_bad_embedded_broker_setting_names_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_state_targets_are_read_in_reais_per_uf():
    chosen = Settings.from_env({"DASHBOARD_TARGET_STATES": " sp=20000; RJ=150,50 ;MG=0;"})
    assert chosen.targets.states == (("RJ", 150_50), ("SP", 20_000_00))


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("XX=1", "'XX=1' não é UF=valor"),
        ("SP", "'SP' não é UF=valor"),
        ("SP=abc", "DASHBOARD_TARGET_STATES[SP]='abc' não é um número"),
        ("SP=-1", "deve ser pelo menos 0"),
        ("SP=1e20", "acima do maior valor aceito"),
    ],
)
def test_a_bad_state_target_is_named(text, said):
    with pytest.raises(SettingsError, match=re.escape(said)):
        Settings.from_env({"DASHBOARD_TARGET_STATES": text})
