"""The embedded broker: kombu's filesystem transport, with each message written whole.

kombu writes a message file in place (create, then write), and a worker polling the folder
renames and reads any file whose name ends in ``.<queue>.msg`` — so it can take a message
that is still empty and die on the JSON. Here a message is written under a name no poll
matches and renamed into place once complete: a rename within a folder is atomic.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        staging = f"{final}.writing"  # ends in neither queue's suffix: no poll takes it
        try:
            with open(staging, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(staging, final)
        except OSError as error:
            raise ChannelError(f"Cannot add file {final!r} to directory") from error


class Transport(filesystem.Transport):
    Channel = Channel
