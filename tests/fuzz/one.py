"""Fuzz one target with atheris: `python -m tests.fuzz.one TARGET [libFuzzer flags]`."""

import sys

import atheris

with atheris.instrument_imports(include=["sales_monitor"]):
    from tests.fuzz.targets import TARGETS


def main() -> None:
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
