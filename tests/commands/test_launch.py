import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from sales_monitor.brokers.ports import free_port, port_is_open
from sales_monitor.kafka.connection import Connection
from sales_monitor.launch.web import dashboard_env, local_port
from sales_monitor.settings import Settings
from tests.helpers.processes import alive, children_of, started_commands
from tests.helpers.topic import read_topic
from tests.helpers.waiting import wait_for

DASHBOARD = [sys.executable, "-m", "sales_monitor.commands.dashboard"]
DEMO = [
    sys.executable,
    "-m",
    "sales_monitor.commands.demo",
]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("bootstrap", "port"),
    [("localhost:9092", 9092), ("127.0.0.1:19092", 19092), ("kafka:9092", None), ("a:1,b:2", None)],
)
def test_only_a_loopback_address_gets_an_embedded_broker(bootstrap, port):
    assert local_port(bootstrap) == port


@pytest.mark.unit
def test_dashboard_env_carries_the_settings(tmp_path):
    from sales_monitor.access import Role
    from sales_monitor.settings import Access, Embedded, Operations
    from sales_monitor.targets import Targets

    chosen = Settings(
        connection=Connection("h:1"),
        topic="t",
        max_rows=7,
        embedded=Embedded(data_dir=tmp_path / "dados", cache_dir=tmp_path / "cache"),
        targets=Targets(day=5_000_050, month=90_000_000, states=(("RJ", 12_345), ("SP", 7))),
        operations=Operations(
            metrics_port=9100,
            alert_urls=("json://127.0.0.1:9/a", "tgram://t/c"),
            stall_minutes=2.5,
            outage_seconds=30,
            group_seconds=0,
            hour_share=0.75,
            log_format="json",
        ),
        access=Access(roles=(("ana@x.com", Role.OPERACAO), ("@x.com", Role.LEITURA))),
    )
    env = dashboard_env(chosen, base={})
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "h:1" and env["KAFKA_TOPIC"] == "t"
    assert Settings.from_env(env) == chosen


@pytest.fixture
def start_demo():
    """Starts `uv run demo` with extra flags and environment; never leaves one running."""
    with started_commands() as start:
        yield lambda *flags, **env: start([*DEMO, *flags], env=os.environ | env)


@pytest.mark.broker
def test_demo_starts_everything_and_ctrl_c_leaves_nothing_behind(start_demo):
    kafka_port, web_port = free_port(), free_port()
    demo = start_demo(
        "--port",
        str(web_port),
        "--interval",
        "0.2",
        KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{kafka_port}",
    )
    lines = []
    for line in demo.stdout:
        lines.append(line)
        if "Dashboard: http://localhost:" in line:
            break
    assert f"Dashboard: http://localhost:{web_port}" in "".join(lines), demo.stderr.read()
    assert "Broker embutido (" in "".join(lines)
    assert f") em 127.0.0.1:{kafka_port}" in "".join(lines)
    with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/_stcore/health", timeout=5) as reply:
        assert reply.read() == b"ok"
    assert len(read_topic(f"127.0.0.1:{kafka_port}", "csv-data", expected=3)) >= 3
    pieces = children_of(demo.pid)
    assert len(pieces) >= 3  # broker, producer, dashboard
    demo.send_signal(signal.SIGINT)
    out, err = demo.communicate(timeout=60)
    assert demo.returncode == 0, err
    assert "Resumo:" in out and "Demo encerrado." in out
    assert not [pid for pid in pieces if alive(pid)]
    assert not port_is_open("127.0.0.1", kafka_port) and not port_is_open("127.0.0.1", web_port)


@pytest.mark.broker
def test_demo_uses_a_broker_that_already_answers(broker, topic, start_demo):
    demo = start_demo(
        "--port",
        str(free_port()),
        "--rate",
        "50",
        KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap,
        KAFKA_TOPIC=topic,
    )
    first = demo.stdout.readline()
    assert f"Usando o broker Kafka que já responde em {broker.bootstrap}" in first
    assert len(read_topic(broker.bootstrap, topic, expected=20)) >= 20
    demo.send_signal(signal.SIGTERM)
    demo.communicate(timeout=60)
    assert demo.returncode == 0
    assert port_is_open(*broker.bootstrap.split(":")[:1], broker.port)  # not ours to stop


@pytest.mark.broker
def test_demo_with_an_unreachable_remote_broker_fails_in_one_line():
    env = os.environ | {"KAFKA_BOOTSTRAP_SERVERS": "kafka.invalid:9092"}
    result = subprocess.run(
        DEMO,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        "Erro: não foi possível falar com o Kafka em kafka.invalid:9092"
    )
    assert "Traceback" not in result.stderr


@pytest.mark.broker
def test_demo_stops_everything_when_a_piece_dies(broker, topic, start_demo):
    demo = start_demo(
        "--port", str(free_port()), KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap, KAFKA_TOPIC=topic
    )
    for line in demo.stdout:
        if "Dashboard:" in line:
            break
    pieces = children_of(demo.pid)
    producer = next(p for p in pieces if b"sales_monitor.commands.producer" in _cmdline(p))
    os.kill(producer, signal.SIGKILL)
    _, err = demo.communicate(timeout=60)
    assert demo.returncode == 1
    assert "Erro: o produtor parou sozinho; encerrando o demo." in err
    assert not [pid for pid in pieces if alive(pid)]


def _cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


@pytest.mark.unit
@pytest.mark.parametrize(
    "command", [DEMO, [sys.executable, "-m", "sales_monitor.commands.producer"]]
)
def test_bad_environment_stops_commands_in_one_line(command):
    env = os.environ | {"DASHBOARD_MAX_ROWS": "lots"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr == "Erro: DASHBOARD_MAX_ROWS='lots' não é um inteiro válido\n"


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(_ip(address))
    return found


def _ip(hex_address: str) -> str:
    if len(hex_address) == 8:
        return ".".join(str(b) for b in bytes.fromhex(hex_address)[::-1])
    return "::1" if hex_address.endswith("01000000") and set(hex_address[:24]) == {"0"} else "::"


@pytest.mark.broker
@pytest.mark.parametrize(
    ("flags", "expected"),
    [((), {"127.0.0.1"}), (("--host", "0.0.0.0", "--unprotected-no-login"), {"0.0.0.0"})],
)
def test_dashboard_listens_on_loopback_unless_asked(broker, topic, flags, expected):
    port = free_port()
    env = os.environ | {"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "KAFKA_TOPIC": topic}
    dashboard = subprocess.Popen(
        [sys.executable, "-m", "sales_monitor.commands.dashboard", "--port", str(port), *flags],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        from sales_monitor.launch.web import wait_healthy

        assert wait_healthy(port, dashboard)
        assert listening_addresses(port) == expected
        pieces = children_of(dashboard.pid)
    finally:
        dashboard.terminate()
        dashboard.wait(timeout=30)
    assert pieces and wait_for(lambda: not [pid for pid in pieces if alive(pid)])


@pytest.mark.unit
@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--port", "99999"), "Erro: opção --port: porta '99999' inválida (use 1 a 65535)\n"),
        (("--max-rows", "0"), "Erro: opção --max-rows: '0' deve ser um inteiro maior que zero\n"),
        (
            ("--bootstrap-server", "semporta"),
            "Erro: opção --bootstrap-server: endereço 'semporta' inválido "
            "(use host:porta, ex.: localhost:9092)\n",
        ),
        (("--nada",), "Erro: argumentos não reconhecidos: --nada\n"),
        (
            ("--host", "a b"),
            "Erro: opção --host: endereço 'a b' inválido (ex.: 127.0.0.1 ou 0.0.0.0)\n",
        ),
        (
            ("--metrics-port", "0"),
            "Erro: opção --metrics-port: porta '0' inválida (use 1 a 65535)\n",
        ),
        (
            ("--metrics-port", "8511", "--port", "8511"),
            "Erro: --metrics-port 8511 é a porta do dashboard; escolha outra\n",
        ),
        (
            ("--alert-url", "tgram://s3gr3d0"),
            "Erro: a URL de alerta 'tgram://…' não é aceita pelo Apprise (veja o "
            "formato do serviço em https://github.com/caronc/apprise/wiki)\n",
        ),
        (
            ("--alert-url", "s3gr3d0"),
            "Erro: --alert-url: 's3g…' não é uma URL de alerta (ex.: tgram://token/chat, "
            "mailto://…, json://host:porta/caminho)\n",
        ),
        (
            ("--log-format", "xml"),
            "Erro: opção --log-format: escolha inválida: 'xml' (escolha entre 'text', 'json')\n",
        ),
    ],
)
def test_bad_dashboard_flags_end_in_one_line_before_anything_starts(flags, message):
    result = subprocess.run(
        [sys.executable, "-m", "sales_monitor.commands.dashboard", *flags],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (2, message)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("command", "flags", "message"),
    [
        (
            "demo",
            ("--interval", "abc"),
            "Erro: opção --interval: intervalo inválido: 'abc' "
            "(use um número de segundos, ex.: 2 ou 0.5)\n",
        ),
        ("demo", ("--rate", "-5"), "Erro: opção --rate: '-5' deve ser um número maior que zero\n"),
        (
            "demo",
            ("--port", "99999"),
            "Erro: opção --port: porta '99999' inválida (use 1 a 65535)\n",
        ),
        (
            "broker",
            ("--port", "99999"),
            "Erro: opção --port: porta '99999' inválida (use 1 a 65535)\n",
        ),
        (
            "producer",
            ("--count", "x"),
            "Erro: opção --count: 'x' deve ser um inteiro maior que zero\n",
        ),
        (
            "producer",
            ("--metrics-port", "0"),
            "Erro: opção --metrics-port: porta '0' inválida (use 1 a 65535)\n",
        ),
        (
            "csv_monitor",
            ("vendas.csv", "--metrics-port", "x"),
            "Erro: opção --metrics-port: porta 'x' inválida (use 1 a 65535)\n",
        ),
    ],
)
def test_bad_flags_end_every_command_in_one_line_before_anything_starts(command, flags, message):
    result = subprocess.run(
        [sys.executable, "-m", f"sales_monitor.commands.{command}", *flags],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stderr, result.stdout) == (2, message, "")


@pytest.mark.unit
def test_listening_beyond_this_machine_needs_a_login_or_the_persons_word(tmp_path):
    result = subprocess.run(
        [*DASHBOARD, "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=os.environ | {"HOME": str(tmp_path)},  # no secrets file anywhere
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "Erro: --host 0.0.0.0 abre o dashboard a outras máquinas, e não há login configurado "
        "([auth] em .streamlit/secrets.toml; veja docs/compartilhar.md); configure-o, ou use "
        "--unprotected-no-login para abrir sem proteção\n"
    )


@pytest.mark.unit
def test_a_metrics_port_in_use_stops_the_command_before_it_starts():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*DASHBOARD, "--metrics-port", str(port)], capture_output=True, text=True, timeout=60
        )
    assert (result.returncode, result.stderr) == (
        2,
        f"Erro: a porta de métricas {port} já está em uso\n",
    )


@pytest.mark.unit
@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DASHBOARD_METRICS_PORT": "x"}, "DASHBOARD_METRICS_PORT='x' não é uma porta"),
        ({"DASHBOARD_ALERT_HOUR_SHARE": "2"}, "deve ser uma fração entre 0 e 1"),
        ({"DASHBOARD_ALERT_STALL_MINUTES": "0"}, "deve ser pelo menos 0.1"),
        ({"SALES_MONITOR_LOG_FORMAT": "xml"}, "deve ser text ou json"),
        (
            {"DASHBOARD_ALERT_URLS": "json://ok nada"},
            "DASHBOARD_ALERT_URLS: 'nad…' não é uma URL de alerta",
        ),
        ({"DASHBOARD_ROLES": "ana@x.com=dona"}, "DASHBOARD_ROLES: 'ana@x.com=dona' não é"),
    ],
)
def test_bad_operations_settings_stop_the_command_in_one_line(env, message):
    result = subprocess.run(
        DASHBOARD, capture_output=True, text=True, timeout=60, env=os.environ | env
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("Erro: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.unit
def test_help_speaks_portuguese():
    result = subprocess.run(
        [sys.executable, "-c", "from sales_monitor.commands.send import main; main()", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("uso: send")
    assert "opções:" in result.stdout and "mostra esta ajuda e sai" in result.stdout


@pytest.fixture
def taken_port():
    """A port something already listens on."""
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def _until(process: subprocess.Popen, text: str) -> str:
    """Standard output up to the line with `text` (or the end)."""
    seen = ""
    for line in process.stdout:
        seen += line
        if text in line:
            break
    return seen


@pytest.mark.broker
@pytest.mark.parametrize("command", ["dashboard", "demo"])
def test_a_busy_port_is_replaced_alike_in_portuguese(command, broker, topic, taken_port):
    """Before: the demo said `usando outra`, the dashboard printed Streamlit's English
    `Port 18601 is not available` and exited 1."""
    env = os.environ | {"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "KAFKA_TOPIC": topic}
    process = subprocess.Popen(
        [sys.executable, "-m", f"sales_monitor.commands.{command}", "--port", str(taken_port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        out = _until(process, "Dashboard: http://")
        lines = [line for line in out.splitlines() if line.strip()]
        moved = next(line for line in lines if line.startswith("A porta"))
        chosen = int(moved.removesuffix(".").rsplit(" ", 1)[1])
        assert moved == f"A porta {taken_port} está ocupada; o dashboard usa a porta {chosen}."
        url = f"http://localhost:{chosen}"
        assert lines[-1].strip() in (
            f"Dashboard: {url}  (Ctrl-C para parar)",
            f"Dashboard: {url}  (Ctrl-C para parar tudo)",
        )
        assert "You can now view" not in out and "Streamlit" not in out
    finally:
        rest, err = _ctrl_c(process)
    assert process.returncode == 0, err
    assert rest.strip().endswith(("Dashboard encerrado.", "Demo encerrado."))


@pytest.mark.broker
def test_the_broker_listens_where_kafka_bootstrap_servers_points():
    """`uv run broker` listens where the other commands are told to look."""
    port = free_port()
    broker = subprocess.Popen(
        [sys.executable, "-m", "sales_monitor.commands.broker"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"KAFKA_BOOTSTRAP_SERVERS": f"localhost:{port}"},
    )
    try:
        first = broker.stdout.readline()
        assert first.startswith("Broker embutido (") and f") em 127.0.0.1:{port}" in first
    finally:
        out, _ = _ctrl_c(broker)
    assert "Aviso" not in out and out.strip().endswith("Broker parado.")


def _ctrl_c(process: subprocess.Popen) -> tuple[str, str]:
    """Stop a command as a person does; killed if it does not end within a minute."""
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


def _connected_to(pid: int, port: int) -> bool:
    """Whether process `pid` has an established TCP connection to `port` (/proc)."""
    sockets = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            sockets.add(target[8:-1])
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            remote_port, state, inode = int(fields[2].split(":")[1], 16), fields[3], fields[9]
            if state == "01" and remote_port == port and inode in sockets:  # 01: ESTABLISHED
                return True
    return False


@pytest.mark.broker
def test_the_dashboard_reads_the_topic_before_anyone_opens_the_page(broker, topic):
    """Before: `streamlit run` ran the app at the first visit, so the table started filling
    only then (a page opened 10 s after the server showed 0 sales for 6 s, on 200,000)."""
    from sales_monitor.launch.web import start_dashboard, stop_children

    settings = Settings(connection=Connection(broker.bootstrap), topic=topic)
    server, port = start_dashboard(settings, free_port())
    try:
        # only the health check has been asked of it: no page, no session
        assert wait_for(lambda: _connected_to(server.pid, broker.port), timeout=30)
    finally:
        stop_children([server])
