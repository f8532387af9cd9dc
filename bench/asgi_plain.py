"""The baseline: bare python-socketio, ``socketio.ASGIApp`` straight on the server, with
hand-registered handlers doing what the spec's do (no Channels, no Django)."""

import socketio

sio = socketio.AsyncServer(async_mode="asgi")


@sio.on("echo")
async def echo(sid, item):
    return item


@sio.on("broadcast")
async def broadcast(sid, item):
    await sio.emit("news", item)


application = socketio.ASGIApp(sio)
