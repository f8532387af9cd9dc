from django.conf import settings
from django.db import models


class Message(models.Model):
    """A chat line, stored so that people joining a room see its history."""

    room = models.CharField(max_length=32, db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    text = models.CharField(max_length=500)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def as_event(self) -> dict:
        """The payload of the spec's `new message` event."""
        return {
            "id": self.id,
            "room": self.room,
            "author": self.author.get_username(),
            "text": self.text,
            "created": self.created.isoformat(),
        }
