"""What the forms need to exist: an admin, a colleague, a study, shares; built on demand."""

from __future__ import annotations

import re
from functools import cached_property

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.api_keys.keys import create_key
from app.api_keys.models import Scope
from app.db_types import utcnow
from app.extensions import db
from app.shares.models import ChallengeKind, Share
from app.users.models import Role, User
from tests.fixtures.app import PASSWORD
from tests.fixtures.shares import share_in_app
from tests.functional.forms_fuzz.pages import csrf_token, post_form

ADMIN_EMAIL = "admin@example.org"
COLLEAGUE_EMAIL = "colleague@example.org"
# DEMO0004's PatientBirthDate is 1972-02-29, typed as a recipient would.
BIRTH_DATES = ["29/02/1972", "1972-02-29", "29.02.1972"]
RECIPIENT_PASSWORD = "recipient password 42"
HIDDEN = re.compile(r'<input type="hidden" name="(secret|access_code)" value="([^"]+)"')


class World:
    """One app with CSRF on; each part is made the first time a case asks for it."""

    def __init__(self, app: Flask, study_id: str) -> None:
        self.app = app
        self.study_id = study_id
        self.api_key_id: int | None = None

    def _user(self, email: str, role: Role) -> int:
        with self.app.app_context():
            user = User(email=email, role=role, name="Dr Fuzz")
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
            return user.id

    @cached_property
    def admin_id(self) -> int:
        return self._user(ADMIN_EMAIL, Role.ADMIN)

    @cached_property
    def colleague_id(self) -> int:
        return self._user(COLLEAGUE_EMAIL, Role.CLINICIAN)

    def new_console(self, email: str = ADMIN_EMAIL) -> FlaskClient:
        """A client logged in through the real, CSRF-checked form (the admin's by default)."""
        self.admin_id  # noqa: B018  (the account must exist)
        client = self.app.test_client()
        token = csrf_token(client.get("/login"), "/login")
        pairs = [("email", email), ("password", PASSWORD)]
        assert post_form(client, "/login", pairs, token).status_code == 302
        return client

    @cached_property
    def console(self) -> FlaskClient:
        return self.new_console()

    @cached_property
    def created_page(self) -> TestResponse:
        """The share-created page, shown once: its forms carry the link secret."""
        path = f"/shares/new?study={self.study_id}"
        token = csrf_token(self.console.get(path), "/shares/new")
        pairs = [("study", self.study_id), ("expires", "15"), ("challenge", "none")]
        pairs += [("access_code", "y"), ("language", "en")]
        page = post_form(self.console, "/shares/new", pairs, token)
        assert page.status_code == 200, page.text
        return page

    @cached_property
    def console_share(self) -> dict[str, str]:
        """public_id, secret and access_code of the share the console made."""
        page = self.created_page.text
        found = dict(HIDDEN.findall(page))
        public_id = re.search(r'href="/shares/([A-Za-z0-9_-]+)"', page).group(1)
        return {"public_id": public_id, **found}

    @cached_property
    def recipient_share(self):
        """A share asking birth date and password, with an access code."""
        return share_in_app(
            self.app,
            [self.study_id],
            challenge=ChallengeKind.BIRTH_DATE_AND_PASSWORD,
            password=RECIPIENT_PASSWORD,
            access_code=True,
        )

    def recipient(self) -> FlaskClient:
        return self.app.test_client()

    def after_code(self) -> FlaskClient:
        """A recipient who typed the right access code: the challenge comes next."""
        client = self.recipient()
        token = csrf_token(client.get("/code"), "/code")
        code = self.recipient_share.access_code
        assert post_form(client, "/code", [("code", code)], token).status_code == 303
        return client

    def opened(self) -> FlaskClient:
        """A recipient past the challenge, on the share's pages."""
        client = self.recipient()
        path = f"/s/{self.recipient_share.secret}"
        token = csrf_token(client.get(path), path)
        pairs = [("birth_date", BIRTH_DATES[0]), ("password", RECIPIENT_PASSWORD)]
        assert post_form(client, path, pairs, token).status_code == 303
        return client

    def prepare(self, state: str | None) -> None:
        """Put the world in the state that shows the form (an unlock button needs a lock)."""
        self.admin_id  # noqa: B018  (every form can be posted by, or about, the admin)
        if state == "locked share":
            public_id = self.console_share["public_id"]
            with self.app.app_context():
                share = db.session.scalar(db.select(Share).where(Share.public_id == public_id))
                share.locked_at = utcnow()
                db.session.commit()
        elif state == "inactive colleague":
            with self.app.app_context():
                db.session.get(User, self.colleague_id).active = False
                db.session.commit()
        elif state == "api key":
            with self.app.app_context():
                admin = db.session.get(User, self.admin_id)
                created = create_key("Fuzzed RIS", admin, [Scope.SHARES_READ.value])
                self.api_key_id = created.api_key.id
        elif state == "colleague logged in":
            self.colleague_id  # noqa: B018  (the account must exist)
            self.new_console(COLLEAGUE_EMAIL)
        else:
            assert state is None, state

    def values(self, name: str) -> list[str]:
        """The real values of a {name} in a case's page or action."""
        if name == "share":
            return [self.console_share["public_id"]]
        if name == "user":
            return [str(self.colleague_id), str(self.admin_id)]
        if name == "secret":
            return [self.recipient_share.secret]
        if name == "study":
            return [self.study_id]
        if name == "key":
            return [str(self.api_key_id)]
        raise KeyError(name)

    def visitor(self, kind: str) -> FlaskClient:
        """A client in the state the form's page needs."""
        visitors = {
            "console": lambda: self.console,
            "new_console": self.new_console,
            "anonymous": self.app.test_client,
            "recipient": self.recipient,
            "after_code": self.after_code,
            "opened": self.opened,
        }
        return visitors[kind]()
