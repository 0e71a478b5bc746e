from datetime import timedelta

from edge_support import USERS, Api

from aiwebpos_edge.clock import SettableClock


async def test_a_cashier_logs_in_with_a_pin_at_a_terminal(api: Api) -> None:
    answer = await api.client.post("/api/v1/auth/pin", json={"terminal_id": "T1", "pin": USERS["cashier"][1]})
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    assert body["user"] == {
        "username": "thabo",
        "roles": ["cashier"],
        "full_name": "",
        "active": True,
        "has_pin": True,
    }


async def test_password_login_and_a_wrong_password(api: Api) -> None:
    ok = await api.client.post(
        "/api/v1/auth/login", json={"username": "lerato", "password": "lerato-password"}
    )
    assert ok.status_code == 200 and ok.json()["user"]["roles"] == ["manager"]
    bad = await api.client.post("/api/v1/auth/login", json={"username": "lerato", "password": "nope"})
    assert bad.status_code == 401 and "wrong username or password" in bad.json()["detail"]


async def test_repeated_wrong_pins_lock_the_terminal_for_a_while(api: Api, clock: SettableClock) -> None:
    for _ in range(5):
        answer = await api.client.post("/api/v1/auth/pin", json={"terminal_id": "T2", "pin": "0000"})
    assert answer.status_code == 429 and "locked" in answer.json()["detail"]
    right = await api.client.post("/api/v1/auth/pin", json={"terminal_id": "T2", "pin": USERS["cashier"][1]})
    assert right.status_code == 429, "even the right PIN waits out the lockout"
    other = await api.client.post("/api/v1/auth/pin", json={"terminal_id": "T3", "pin": USERS["cashier"][1]})
    assert other.status_code == 200, "other terminals are not locked"
    clock.advance(timedelta(minutes=6))
    later = await api.client.post("/api/v1/auth/pin", json={"terminal_id": "T2", "pin": USERS["cashier"][1]})
    assert later.status_code == 200


async def test_an_idle_session_times_out(api: Api, clock: SettableClock) -> None:
    assert (await api.get("/api/v1/auth/me")).status_code == 200
    clock.advance(timedelta(minutes=14))
    assert (await api.get("/api/v1/auth/me")).status_code == 200, "activity keeps the session alive"
    clock.advance(timedelta(minutes=16))
    answer = await api.get("/api/v1/auth/me")
    assert answer.status_code == 401 and "without activity" in answer.json()["detail"]


async def test_an_expired_token_is_refused(api: Api, clock: SettableClock) -> None:
    headers = await api.headers("cashier")
    for _ in range(12 * 5):  # stay active, past the 12-hour token lifetime
        clock.advance(timedelta(minutes=12))
        answer = await api.client.get("/api/v1/auth/me", headers=headers)
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]


async def test_logout_ends_the_session(api: Api) -> None:
    assert (await api.post("/api/v1/auth/logout")).status_code == 200
    assert (await api.get("/api/v1/auth/me")).status_code == 401


async def test_changing_a_users_roles_logs_them_out(api: Api) -> None:
    assert (await api.get("/api/v1/auth/me", role="cashier")).status_code == 200
    change = await api.call("PATCH", "/api/v1/users/thabo", role="admin", json={"roles": ["analyst"]})
    assert change.status_code == 200 and change.json()["roles"] == ["analyst"]
    assert (await api.get("/api/v1/auth/me", role="cashier")).status_code == 401


async def test_pins_are_unique_and_short_pins_refused(api: Api) -> None:
    taken = await api.post(
        "/api/v1/users",
        {"username": "x1", "password": "password1", "roles": ["cashier"], "pin": USERS["cashier"][1]},
        role="admin",
    )
    assert taken.status_code == 409
    short = await api.post(
        "/api/v1/users",
        {"username": "x2", "password": "password1", "roles": ["cashier"], "pin": "12"},
        role="admin",
    )
    assert short.status_code == 422
    unknown_role = await api.post(
        "/api/v1/users", {"username": "x3", "password": "password1", "roles": ["boss"]}, role="admin"
    )
    assert unknown_role.status_code == 422
    users = await api.get("/api/v1/users", role="admin")
    assert not {"x1", "x2", "x3"} & {u["username"] for u in users.json()}


async def test_the_client_address_is_recorded_at_login(api: Api, node_settings) -> None:  # type: ignore[no-untyped-def]
    await api.headers("cashier")
    from aiwebpos_edge.db.database import connect

    conn = connect(node_settings.db_path, readonly=True)
    row = conn.execute(
        "SELECT client_ip, terminal_id, method FROM sessions ORDER BY created_at DESC LIMIT 1"
    ).fetchone()
    audit = conn.execute(
        "SELECT details FROM audit_log WHERE action = 'login' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    conn.close()
    assert row["client_ip"] and row["terminal_id"] == "T1" and row["method"] == "pin"
    assert row["client_ip"] in audit["details"]
