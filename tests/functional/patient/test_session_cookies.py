"""The console and the recipient pages keep separate session cookies."""


def test_a_clinician_can_open_a_share_in_their_own_browser(logged_in_client, doe_share):
    client = logged_in_client
    assert client.get("/shares").status_code == 200
    opened = client.post(f"/s/{doe_share.secret}", data={"birth_date": "29/02/1972"})
    assert opened.status_code == 303
    assert client.get("/v/").status_code == 200
    # The recipient's session swap cleared its own cookie, not the console's login.
    assert client.get("/shares").status_code == 200
    assert client.get_cookie("studyshare") is not None
    assert client.get_cookie("studyshare-recipient") is not None
    client.post("/v/sign-out")
    assert client.get("/shares").status_code == 200
    assert client.get("/v/").status_code == 401
