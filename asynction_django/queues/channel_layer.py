"""python-socketio's pub/sub manager over the project's Channels layer.

A project that already runs ``channels_redis`` shares emits between processes through it
(``ASYNCTION_MESSAGE_QUEUE = "channels"``) with no second broker setting. The layer only
carries python-socketio's own pub/sub messages, as Redis or RabbitMQ would.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from channels.layers import get_channel_layer
from socketio.async_pubsub_manager import AsyncPubSubManager

REJOIN_EVERY = 3600.0  # group memberships expire (channels_redis: after a day); renew them


class ChannelLayerManager(AsyncPubSubManager):
    name = "channels"

    def __init__(self, alias: str = "default", channel: str = "socketio",
                 write_only: bool = False, logger: Any = None, json: Any = None):
        super().__init__(channel=channel, write_only=write_only, logger=logger, json=json)
        self.alias = alias

    def _layer(self) -> Any:
        layer = get_channel_layer(self.alias)
        if layer is None:
            raise RuntimeError(f"no Channels layer {self.alias!r}: set CHANNEL_LAYERS")
        return layer

    async def _publish(self, data: dict[str, Any]) -> None:
        try:
            await self._layer().group_send(self.channel, {"type": "socketio.message",
                                                          "data": data})
        except Exception as exc:  # noqa: BLE001 - logged like python-socketio's managers
            self._get_logger().error("Cannot publish to the channel layer... giving up",
                                     extra={"channel_layer_exception": str(exc)})

    async def _listen(self) -> AsyncIterator[dict[str, Any]]:
        retry_sleep = 1
        while True:
            try:
                layer = self._layer()
                name = await layer.new_channel()
                joined = None
                while True:
                    if joined is None or time.monotonic() - joined > REJOIN_EVERY:
                        await layer.group_add(self.channel, name)
                        joined = time.monotonic()
                    try:
                        message = await asyncio.wait_for(layer.receive(name), REJOIN_EVERY)
                    except TimeoutError:
                        continue
                    retry_sleep = 1
                    yield message["data"]
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001
                self._get_logger().error(
                    f"Cannot receive from the channel layer... retrying in {retry_sleep} secs",
                    extra={"channel_layer_exception": str(exc)})
                await asyncio.sleep(retry_sleep)
                retry_sleep = min(retry_sleep * 2, 60)
