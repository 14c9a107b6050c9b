"""The app boots and serves its public pages."""


def test_home_page_is_public(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Rehearse the 2026" in response.data


def test_security_headers_present(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_register_login_logout(client, auth, mailbox):
    response = client.post(
        "/register",
        data={
            "email": " New.Person@Example.com ",
            "display_name": "New Person",
            "password": "a long enough passphrase",
            "confirm": "a long enough passphrase",
        },
    )
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    link = mailbox.wait_for("new.person@example.com").link("/register/finish/")
    assert client.post(link.replace("http://localhost", "")).status_code == 302
    assert client.get("/dashboard").status_code == 200
    auth.logout()
    assert client.get("/dashboard").status_code == 302
    assert auth.login("new.person@example.com", "a long enough passphrase").status_code == 302
