"""The app's guards without a browser: the token, the hosts, the folder, the body caps, the
reopen link, and user text kept as text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.errors import InputError
from flopbook.web.guard import Folder
from flopbook.web.limits import MAX_FORM
from flopbook.web.scenarios import decode_state, encode_state, run_text

testclient = pytest.importorskip("starlette.testclient")

ROOT = Path(__file__).resolve().parents[2]
FLEET = (ROOT / "examples" / "fleet.yaml").read_text()
HX = {"HX-Request": "true"}


@pytest.fixture
def client(tmp_path):
    from flopbook.web import create_app

    (tmp_path / "fleet.yaml").write_text(FLEET)
    app = create_app(token="sesame", folder=tmp_path)
    with testclient.TestClient(app, base_url="http://127.0.0.1:8765") as c:
        yield c


def _in(client):
    client.get("/?token=sesame", follow_redirects=False)
    return client


def test_no_token_no_page(client):
    for path in ("/", "/catalog", "/static/htmx.min.js"):
        assert client.get(path).status_code == 403
    assert client.post("/run", data={"text": FLEET}).status_code == 403
    assert client.get("/?token=wrong").status_code == 403


def test_the_token_becomes_a_strict_cookie_and_leaves_the_address(client):
    r = client.get("/catalog?token=sesame&x=1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/catalog?x=1"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/catalog").status_code == 200


def test_other_host_names_and_other_sites_are_refused(client):
    _in(client)
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    r = client.post("/run", data={"text": FLEET}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403


def test_a_body_past_its_cap_is_refused_with_one_line(client):
    _in(client)
    r = client.post("/run", content=b"x" * (MAX_FORM + 1), headers=HX)
    assert r.status_code == 413 and "\n" not in r.text and "MB" in r.text

    def chunks():  # no length announced: counted as it arrives
        for _ in range(MAX_FORM // 65536 + 2):
            yield b"x" * 65536

    form = {**HX, "content-type": "application/x-www-form-urlencoded"}
    r = client.post("/run", content=chunks(), headers=form)
    assert r.status_code == 413


def test_the_folder_keeps_names_inside(tmp_path):
    (tmp_path / "in").mkdir()
    folder = Folder(tmp_path / "in")
    outside = tmp_path / "secret.yaml"
    outside.write_text("x: 1")
    os.symlink(outside, tmp_path / "in" / "link.yaml")
    for name in ("../secret.yaml", str(outside), "link.yaml", "a/../../secret.yaml"):
        with pytest.raises(InputError, match="outside the folder"):
            folder.path(name)
    assert folder.path("ok.yaml") == (tmp_path / "in" / "ok.yaml").resolve()
    with pytest.raises(InputError, match="ending in"):
        folder.path("notes.txt", suffixes=(".yaml",))


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_a_link_carries_its_scenario_exactly(text):
    assert decode_state(encode_state(text)) == text


def test_a_damaged_link_is_one_line():
    with pytest.raises(InputError, match="does not hold a scenario"):
        decode_state("not-base64!!")
    with pytest.raises(InputError, match="more than"):
        decode_state("A" * 100_000)


def test_a_page_escapes_what_the_user_wrote(client):
    _in(client)
    text = FLEET.replace(
        "name: A mixed Hopper and Blackwell training fleet", 'name: "<script>alert(1)</script>"'
    )
    r = client.post("/run", data={"text": text}, headers=HX)
    assert "<script>alert" not in r.text and "&lt;script&gt;" in r.text


def test_pages_run_no_script_but_htmx(client):
    _in(client)
    for path in ("/", "/audit", "/catalog", "/cases", "/claims"):
        html = client.get(path).text
        assert html.count("<script") == 1 and '<script src="/static/htmx.min.js">' in html
        assert '"allowEval":false' in html


def test_an_error_names_its_line_and_the_server_answers_after(client):
    _in(client)
    r = client.post("/run", data={"text": FLEET.replace("16k GPU", "16k GPUZ")}, headers=HX)
    assert 'role="alert"' in r.text and "scenario.yaml:22: skus[0].count" in r.text
    assert client.post("/run", data={"text": FLEET}, headers=HX).status_code == 200


def test_samples_are_bounded():
    with pytest.raises(InputError, match="samples"):
        run_text(FLEET, samples=10**9)


def test_a_claims_file_is_sent_to_the_claim_checker():
    text = (ROOT / "examples" / "claims.yaml").read_text()
    with pytest.raises(InputError, match="claims file"):
        run_text(text, "claims.yaml")


@pytest.mark.parametrize("example", ["training", "inference", "inference-moe", "company"])
def test_every_kind_opens(example):
    run = run_text((ROOT / "examples" / f"{example}.yaml").read_text(), f"{example}.yaml")
    assert run.rows and all(r.cells for r in run.rows)


def test_an_upload_past_the_cap_is_refused(client, monkeypatch):
    from flopbook.web import limits

    monkeypatch.setattr(limits, "MAX_UPLOAD", 1000)
    _in(client)
    big = {"book": ("big.xlsx", b"PK\x03\x04" + b"\x00" * 200_000, "application/octet-stream")}
    r = client.post("/audit", files=big, headers=HX)
    assert r.status_code == 413 and "upload" in r.text


def test_the_command_refuses_a_bad_port_in_one_line(cli, tmp_path):
    run = cli("serve", "--no-browser", "--port", "70000", "--folder", str(tmp_path))
    assert run.code == 2 and run.err.count("\n") == 1 and "--port" in run.err


def test_the_command_refuses_a_file_outside_the_folder(cli, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "x.yaml").write_text("name: x")
    run = cli("serve", "../x.yaml", "--no-browser", "--folder", ".", cwd=tmp_path / "in")
    assert run.code == 2 and "outside the folder" in run.err and run.err.count("\n") == 1
