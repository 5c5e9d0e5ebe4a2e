"""Generated requests to the file routes (api/exports.py) of a real server holding the demo
study: downloads (`GET /projects/{id}/{what}`) and REFI-QDA imports (`POST /projects/{id}/import`).
Whatever the request, the answer is never a 5xx; every other refusal is JSON with
`errors[0].extensions.code` (never INTERNAL); a download that succeeds has its kind's media type
and an import that succeeds says what it did.

Paths hold the study's ids, made-up text and raw percent-encoded oddities; requests come with
the owner's token, none, or another scheme. Uploads are random bytes, nothing, or the study's own
export (downloaded once per test) mutated: bytes flipped, cut short, members renamed, dropped,
added or recompressed, the project XML's elements removed, duplicated, moved, renamed or given
odd attributes and text; sent as the field `file`, under another name, as a text field, twice,
or not as a form at all, with a `users` field of random JSON or none. Imports merge into the demo
project (slow on Bolt), so they get THEMEMAP_FUZZ_EXAMPLES // 3 examples per adapter; bad tokens,
counted by the failed-authentication limit, have a small test of their own (the server's limit
then answers 429 RATE_LIMITED, a coded refusal too).
"""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from collections import Counter
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from api.exports import DOWNLOADS
from tests.faults.conftest import Demo
from tests.faults.fuzzing import EXAMPLES, fuzz_settings, study_ids, weighted
from tests.servers import DEMO_PROJECT

ODDITIES = ["%00", "%2F", "%2f", "%2e%2e", "..", ".", "%", "%ZZ", "%C0%AF", "%FF%FE", "%E2%80%AE", "~", "%20", ";x=1"]
"""Raw path pieces sent as they are (percent signs not escaped)."""
BAD_TOKENS_EXAMPLES = 15
"""More than the server's failed-authentication limit (10 a minute), to see it refuse too."""


def segment(ids: list[str]) -> st.SearchStrategy[str]:
    """A path segment: one of the study's ids, or pieces of escaped text and raw oddities (never
    '.' or '..' alone, which the client resolves, leaving the file routes)."""
    piece = st.text(max_size=12).map(lambda t: quote(t, safe="")) | st.sampled_from(ODDITIES)
    made_up = st.lists(piece, max_size=4).map("".join).filter(lambda s: s not in (".", ".."))
    return weighted((3, st.sampled_from(ids)), (2, made_up))


def project_path(ids: list[str], demo: int) -> st.SearchStrategy[str]:
    """`/projects/<id>`: the demo project's `demo` times in `demo` + 1 (else another segment)."""
    return weighted((demo, st.just(DEMO_PROJECT)), (1, segment(ids))).map(lambda p: f"/projects/{p}")


def authorization(token: str, signed_in: int) -> st.SearchStrategy[dict[str, str]]:
    """The owner's token `signed_in` times in `signed_in` + 2; else no header, or a scheme that is
    not Bearer (neither is counted as a failed authentication)."""
    return weighted(
        (signed_in, st.just({"Authorization": f"Bearer {token}"})),
        (1, st.just({})),
        (1, st.sampled_from(["Basic dXNlcjpwdw==", "Bearer", "Digest x", token]).map(lambda a: {"Authorization": a})),
    )


def check_refusal(response: httpx.Response, request: str) -> str:
    """The code of a refusal; fails unless it is a 4xx answered as a coded JSON error."""
    assert response.status_code < 500, f"{response.status_code} for {request}\n{response.text[:2000]}"
    assert response.headers["content-type"].startswith("application/json"), f"{request}\n{response.text[:500]}"
    code = response.json()["errors"][0]["extensions"]["code"]
    assert code and code != "INTERNAL", f"{code} for {request}\n{response.text[:2000]}"
    return str(code)


def test_generated_downloads_never_fail_internally(demo_server: Demo) -> None:
    ids = study_ids(demo_server)
    what = weighted(
        (5, st.sampled_from(list(DOWNLOADS))),
        (1, st.sampled_from(list(DOWNLOADS)).map(str.upper)),
        (1, st.just("import")),
        (2, segment(ids)),
    )
    downloads = st.tuples(st.sampled_from(["GET", "GET", "GET", "POST"]), project_path(ids, 2), what)
    outcomes: Counter[str] = Counter()
    with httpx.Client(base_url=demo_server.url, timeout=60) as http:

        @fuzz_settings(EXAMPLES)
        @given(downloads, authorization(demo_server.token, 6))
        def fuzz(download: tuple[str, str, str], headers: dict[str, str]) -> None:
            method, path, kind = download
            # Starlette redirects a path ending in a slash ('%2F' decoded) to the one without
            response = http.request(method, f"{path}/{kind}", headers=headers, follow_redirects=True)
            request = f"{method} {path}/{kind} {headers}"
            if response.is_success:
                served = DOWNLOADS[response.url.path.rsplit("/", 1)[-1]]
                assert response.headers["content-type"] == served.media_type, request
                assert response.content, request
                outcomes["ok"] += 1
            else:
                outcomes[check_refusal(response, request)] += 1

        fuzz()
    print(f"fuzz downloads[{demo_server.adapter}]: {sum(outcomes.values())} requests, outcomes {dict(outcomes)}")
    assert outcomes["ok"] > 0, outcomes


class Upload(bytes):
    """Bytes to upload whose repr says how they were made instead of holding them all, so that a
    failing example (and every strategy built on an archive) prints readably."""

    what: str

    def __new__(cls, data: bytes, what: str) -> Upload:
        upload = super().__new__(cls, data)
        upload.what = what
        return upload

    def __repr__(self) -> str:
        return f"<{self.what}: {len(self)} bytes>"


def members(archive: bytes) -> dict[str, Upload]:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return {name: Upload(z.read(name), name) for name in z.namelist()}


def zipped(files: list[tuple[str, bytes, int]]) -> bytes:
    """An archive of (name, data, compression) members, duplicate names kept."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": meant
        for name, data, compression in files:
            z.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return out.getvalue()


COMPRESSIONS = st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
"""Text lxml will write into XML (no control characters)."""
ODD_VALUES = weighted(
    (3, XML_TEXT),
    (
        3,
        st.sampled_from(
            ["", "-1", "0", "1e3", "99999999999999999999999", "true", "no", "#zzz", "{not-a-guid}", "internal://x.txt"]
        ),
    ),
    (1, st.uuids().map(lambda u: "{" + str(u).upper() + "}")),
    (1, st.just("internal://../project.qde")),
)
ATTRIBUTES = ["guid", "name", "targetGUID", "startPosition", "endPosition", "creatingUser", "isCodable", "color"]
TAGS = ["Code", "Set", "Case", "TextSource", "Coding", "PlainTextSelection", "Note", "Link", "IntegerValue", "Foo"]


@st.composite
def mutated_xml(draw: st.DrawFn, xml: bytes) -> Upload:
    """The project XML with one to four elements (of a kind drawn first, so that rare kinds get
    their turn) removed, duplicated, moved, renamed, or given odd attributes or text."""
    root = etree.fromstring(xml)
    done = []
    for _ in range(draw(st.integers(1, 4))):
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        tag = draw(st.sampled_from(sorted({e.tag for e in elements})))
        element = draw(st.sampled_from([e for e in elements if e.tag == tag]))
        parent = element.getparent()
        action = draw(st.sampled_from(["remove", "duplicate", "move", "rename", "attribute", "text"]))
        if action == "remove" and parent is not None:
            parent.remove(element)
        elif action == "duplicate" and parent is not None:
            parent.append(etree.fromstring(etree.tostring(element)))
        elif action == "move":
            target = draw(st.sampled_from(elements))
            if target is not element and element not in target.iterancestors():
                target.append(element)
                action += f" into {etree.QName(target).localname}"
        elif action == "rename":
            element.tag = etree.QName(etree.QName(element).namespace, draw(st.sampled_from(TAGS))).text
            action += f" to {etree.QName(element).localname}"
        elif action == "attribute":
            name, value = draw(st.sampled_from(ATTRIBUTES)), draw(ODD_VALUES)
            element.set(name, value)
            action += f" {name}={value!r}"
        else:
            element.text = draw(ODD_VALUES)
            action += f" {element.text!r}"
        done.append(f"{etree.QName(tag).localname} {action}")
    return Upload(etree.tostring(root, xml_declaration=True, encoding="utf-8"), "project XML: " + "; ".join(done))


@st.composite
def rezipped(draw: st.DrawFn, files: dict[str, Upload]) -> Upload:
    """The archive rebuilt with members dropped, renamed, recompressed or added."""
    out = []
    for name, data in files.items():
        fate = draw(weighted((6, st.just("keep")), (1, st.just("drop")), (1, st.just("rename"))))
        if fate == "rename":
            name = draw(st.sampled_from(["PROJECT.QDE", "other.qde", "a/project.qde", "../project.qde", "x:y", "s/"]))
        if fate != "drop":
            out.append((name, data, draw(COMPRESSIONS)))
    extra = st.tuples(
        st.sampled_from(["second.qde", "sources/new.txt", "sources/../../etc", "/abs", "sources/"]),
        st.binary(max_size=200) | st.just(Upload(b"\0" * 3_000_000, "zeros")),  # expands thousands of times
        COMPRESSIONS,
    )
    out += draw(st.lists(extra, max_size=2))
    return Upload(zipped(out), "archive of " + ", ".join(f"{name} ({method})" for name, _, method in out))


def uploads(archive: Upload) -> st.SearchStrategy[bytes]:
    """Upload bodies: random bytes, nothing, or `archive` (a valid export) as it is or damaged."""
    files = members(archive)
    headers = [m.start() for m in re.finditer(b"PK\x03\x04|PK\x01\x02", archive)]

    def with_project(xml: Upload) -> Upload:
        rebuilt = [(n, xml if n == "project.qde" else d, zipfile.ZIP_DEFLATED) for n, d in files.items()]
        return Upload(zipped(rebuilt), f"archive with {xml.what}")

    def flipped(flips: list[tuple[int, int]]) -> Upload:
        data = bytearray(archive)
        for at, bits in flips:
            data[at] ^= bits
        return Upload(data, f"archive with bits flipped {flips}")

    anywhere = st.tuples(st.integers(0, len(archive) - 1), st.integers(1, 255))
    in_a_header = st.tuples(st.sampled_from(headers), st.integers(4, 45), st.integers(1, 255)).map(
        lambda f: (f[0] + f[1], f[2])  # names, sizes, methods, flags, checksums, offsets
    )
    return weighted(
        (2, st.binary(max_size=2000)),
        (1, st.just(b"")),
        (1, st.just(archive)),
        (1, st.lists(anywhere, min_size=1, max_size=8).map(flipped)),
        (2, st.lists(in_a_header, min_size=1, max_size=3).map(flipped)),
        (1, st.integers(0, len(archive) - 1).map(lambda n: Upload(archive[:n], f"archive cut at {n}"))),
        (2, rezipped(files)),
        (4, mutated_xml(files["project.qde"]).map(with_project)),
        (1, mutated_xml(files["project.qde"]) | st.just(files["project.qde"])),
    )


USERS = weighted(
    (2, st.dictionaries(st.uuids().map(str), st.uuids().map(str) | st.text(max_size=10), max_size=3).map(json.dumps)),
    (1, st.text(max_size=30)),
    (1, st.recursive(st.none() | st.integers() | st.text(max_size=5), st.lists, max_leaves=5).map(json.dumps)),
    (1, st.dictionaries(st.text(max_size=10), st.integers() | st.none(), max_size=3).map(json.dumps)),
)
"""What the `users` field holds: file user GUIDs to member ids (made up), or the wrong thing."""


@st.composite
def forms(draw: st.DrawFn, body: bytes) -> dict[str, Any]:
    """httpx arguments sending `body`: as the multipart field `file` mostly (with a `users` field
    sometimes), else under another name, as a text field, twice, among too many fields, raw with
    a non-form content type, or as multipart with a boundary that is not there."""
    shape = draw(
        weighted(
            (8, st.just("file")),
            *((1, st.just(s)) for s in ("other name", "text", "twice", "many fields", "raw", "broken multipart")),
        )
    )
    upload = (draw(st.text(max_size=20)) or "f", body, draw(st.sampled_from(["application/zip", "text/xml", "x/y"])))
    fields = {"users": draw(USERS)} if draw(st.integers(0, 3)) == 0 else {}
    if shape == "file":
        return {"files": {"file": upload}, "data": fields}
    if shape == "other name":
        return {"files": {"upload": upload}, "data": fields}
    if shape == "text":
        return {"data": {**fields, "file": body.decode("latin-1")}}
    if shape == "twice":
        return {"files": [("file", upload), ("file", upload)]}
    if shape == "many fields":
        return {"files": {"file": upload}, "data": {f"f{i}": "x" for i in range(12)}}
    if shape == "raw":
        return {"content": body, "headers": {"Content-Type": draw(st.sampled_from(["application/zip", "text/plain"]))}}
    boundary = draw(st.sampled_from(["", "; boundary=", "; boundary=zz"]))
    return {"content": body, "headers": {"Content-Type": f"multipart/form-data{boundary}"}}


def test_generated_uploads_never_fail_internally(demo_server: Demo) -> None:
    ids = study_ids(demo_server)
    auth = {"Authorization": f"Bearer {demo_server.token}"}
    outcomes: Counter[str] = Counter()
    with httpx.Client(base_url=demo_server.url, timeout=120) as http:
        exported = http.get(f"/projects/{DEMO_PROJECT}/export.qdpx", headers=auth)
        assert exported.status_code == 200, exported.text
        archive = Upload(exported.content, "the demo's export")
        again = http.post(f"/projects/{DEMO_PROJECT}/import", headers=auth, files={"file": ("demo.qdpx", archive)})
        assert again.status_code == 200, again.text  # the export imports back as it is
        requests = st.tuples(
            project_path(ids, 8), authorization(demo_server.token, 16), uploads(archive).flatmap(forms)
        )

        @fuzz_settings(max(1, EXAMPLES // 3))
        @given(requests)
        def fuzz(request: tuple[str, dict[str, str], dict[str, Any]]) -> None:
            path, headers, form = request
            form = {**form, "headers": {**headers, **form.get("headers", {})}}
            response = http.post(f"{path}/import", **form)
            described = f"POST {path}/import {headers} {str(form)[:1000]}"
            if response.is_success:
                assert isinstance(response.json()["summary"], list), described
                outcomes["ok"] += 1
            else:
                outcomes[check_refusal(response, described)] += 1

        fuzz()
    print(f"fuzz uploads[{demo_server.adapter}]: {sum(outcomes.values())} requests, outcomes {dict(outcomes)}")


def test_bad_tokens_on_file_routes_are_refused_with_a_code(demo_server: Demo) -> None:
    """Made-up tokens on both routes: refused (401, then 429 once the address has failed too
    often), never served, always with a code."""
    ids = study_ids(demo_server)
    tokens = weighted(
        # what a header value may hold (visible ASCII and obs-text; DEL is not one, and a request
        # carrying it never reaches the app: the server's HTTP parser refuses it in plain text)
        (
            1,
            st.text(
                st.characters(min_codepoint=0x21, max_codepoint=0xFF, exclude_characters="\x7f"),
                min_size=1,
                max_size=60,
            ),
        ),
        (1, st.uuids().map(lambda u: f"tm_{u.hex}")),
    )
    routes = st.tuples(project_path(ids, 2), st.sampled_from([*(("GET", d) for d in DOWNLOADS), ("POST", "import")]))
    outcomes: Counter[str] = Counter()
    with httpx.Client(base_url=demo_server.url, timeout=60) as http:

        @fuzz_settings(BAD_TOKENS_EXAMPLES)
        @given(routes, tokens)
        def fuzz(route: tuple[str, tuple[str, str]], token: str) -> None:
            path, (method, kind) = route
            headers = {"Authorization": b"Bearer " + token.encode("latin-1")}
            response = http.request(
                method, f"{path}/{kind}", headers=headers, files={"file": ("f", b"x")} if method == "POST" else None
            )
            outcomes[check_refusal(response, f"{method} {path}/{kind} token {token!r}")] += 1

        fuzz()
    print(f"fuzz bad tokens[{demo_server.adapter}]: outcomes {dict(outcomes)}")
    assert outcomes["UNAUTHENTICATED"] > 0, outcomes
