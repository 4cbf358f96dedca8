"""Everything that talks to Kafka, and the only package that imports kafka-python.

`clients` builds and wraps the clients (`interface` says what the rest of the project may
ask of them), `publish` writes, `browse` and `offsets` read on demand for the inspector,
`connection` is the address and security, `embedded` runs Tansu; kafka-python 3's gaps
are worked around in `_workarounds`. Its errors leave as `errors.KafkaFailure`.
"""
