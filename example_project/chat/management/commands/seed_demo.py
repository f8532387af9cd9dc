from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_USERS = [
    ("alice", "chat-demo-1", False),
    ("bob", "chat-demo-1", False),
    ("admin", "chat-admin-1", True),
]


class Command(BaseCommand):
    help = "Create the example chat's demo users (idempotent)."

    def handle(self, *args, **options):
        users = get_user_model()
        for username, password, staff in DEMO_USERS:
            user, created = users.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.is_staff = user.is_superuser = staff
                user.save()
                if options["verbosity"] >= 1:
                    self.stdout.write(self.style.SUCCESS(f"created {username}"))
