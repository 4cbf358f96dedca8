"""Brokers the project starts by itself, no Docker needed: Tansu (`tansu`, in memory, Linux
x86_64) and Apache Kafka (`apache`: a KRaft node on the Java runtime from PyPI, its jars
fetched once by `jars`, its log on disk); `engines` chooses and starts one."""
