"""The embedded broker: a worker polling the queue folder never takes a half-written message.

With kombu's own filesystem transport, a reader in another process racing 2,000 writes of
20 kB messages read an empty or partial file about 85 times (a JSONDecodeError each, which
stops a worker); the transport Groundwork uses writes each message whole before it is seen.
"""

import json
import multiprocessing
from queue import Empty

from kombu import Connection

MESSAGES = 600


def _channel(folder: str):
    options = {
        "data_folder_in": folder,
        "data_folder_out": folder,
        "control_folder": folder,
        "store_processed": False,
    }
    connection = Connection(
        "filesystem://localhost//", transport="core.broker:Transport", transport_options=options
    )
    return connection.channel()


def _write(folder: str) -> None:
    channel = _channel(folder)
    for number in range(MESSAGES):
        channel._put("celery", {"number": number, "padding": "x" * 20_000})


def test_a_reader_racing_the_writer_reads_every_message_whole(tmp_path):
    writer = multiprocessing.get_context("spawn").Process(target=_write, args=(str(tmp_path),))
    writer.start()
    channel = _channel(str(tmp_path))
    read, broken = [], 0
    while writer.is_alive() or len(read) + broken < MESSAGES:
        try:
            read.append(channel._get("celery")["number"])
        except Empty:
            if not writer.is_alive() and len(read) + broken < MESSAGES:
                break
        except json.JSONDecodeError:
            broken += 1
    writer.join()

    assert broken == 0
    assert sorted(read) == list(range(MESSAGES))
