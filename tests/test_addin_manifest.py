"""The manifest as the server serves it, checked against Microsoft's documented rules.

Office refuses a manifest that breaks these at install time, often with no more than "this
add-in could not be installed", so they are checked on what ``GET /manifest`` returns, not on
the template:

* the top-level elements of ``OfficeApp`` in the schema's order (TaskPaneApp);
* a resource id, and every ``resid`` that points at one, at most 32 characters; ids unique;
  every resid names a resource;
* ShortStrings (and DisplayName) at most 125 characters, LongStrings (and Description) 250,
  URLs 2048;
* https everywhere a URL appears;
* the requirement sets the manifest's features need: SharedRuntime 1.1 for a ``Runtime`` with
  ``lifetime="long"``, CustomFunctionsRuntime 1.1 for the functions;
* every icon a PNG of the size it is declared as (fetched from the server, header parsed).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from defusedxml import ElementTree

from tests import test_addin_server
from tests.test_addin_server import NS, XSI_TYPE

# The add-in server on a loopback port, started as test_addin_server starts it.


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with test_addin_server.running_server(tmp_path_factory.mktemp("addin-server")) as base:
        yield base


PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "localism.trust.example"}
PUBLIC = "https://localism.trust.example"
# https://learn.microsoft.com/office/dev/add-ins/develop/manifest-element-ordering
TASKPANE_ORDER = ["Id", "AlternateId", "Version", "ProviderName", "DefaultLocale", "DisplayName",
                  "Description", "IconUrl", "HighResolutionIconUrl", "SupportUrl", "AppDomains",
                  "Hosts", "Requirements", "DefaultSettings", "Permissions", "Dictionary",
                  "VersionOverrides"]
REQUIRED = {"Id", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description",
            "DefaultSettings", "Permissions"}
RIBBON_ICON_SIZES = {16, 20, 24, 32, 40, 48, 64, 80}
OFFICE = NS["o"]
BT = NS["bt"]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def manifest_problems(text: str) -> list[str]:
    """Every rule of the module docstring that ``text`` breaks (all but the icons' pixels)."""
    root = ElementTree.fromstring(text)
    problems: list[str] = []
    if root.tag != f"{{{OFFICE}}}OfficeApp" or root.get(XSI_TYPE) != "TaskPaneApp":
        return ["not a task pane OfficeApp"]

    # Element order and required elements.
    children = [_local(c.tag) for c in root]
    unknown = [c for c in children if c not in TASKPANE_ORDER]
    positions = [TASKPANE_ORDER.index(c) for c in children if c in TASKPANE_ORDER]
    if unknown:
        problems.append(f"unknown top-level elements {unknown}")
    if positions != sorted(positions) or len(set(children)) != len(children):
        problems.append(f"top-level elements out of the schema's order: {children}")
    if missing := REQUIRED - set(children):
        problems.append(f"missing required elements {sorted(missing)}")

    # Resource ids and resids.
    resources: dict[str, Any] = {}
    for kind in ("Images", "Urls", "ShortStrings", "LongStrings"):
        for element in root.iter(f"{{{BT}}}{kind}"):
            for resource in element:
                rid = resource.get("id", "")
                if rid in resources:
                    problems.append(f"resource id {rid!r} used twice")
                resources[rid] = (kind, resource)
    ids = [e.get("id") for e in root.iter() if e.get("id") is not None]
    for value in ids:
        if len(value) > 32:
            problems.append(f"id {value!r} is {len(value)} characters (32 at most)")
    controls = [e.get("id") for e in root.iter() if e.get("id") is not None
                and _local(e.tag) in ("CustomTab", "Group", "Control")]
    if len(set(controls)) != len(controls):
        problems.append(f"control ids repeat: {controls}")
    for element in root.iter():
        resid = element.get("resid")
        if resid is None:
            continue
        if len(resid) > 32:
            problems.append(f"resid {resid!r} is {len(resid)} characters (32 at most)")
        if resid not in resources:
            problems.append(f"resid {resid!r} names no resource")

    # String and URL lengths.
    limits = {"ShortStrings": 125, "LongStrings": 250, "Urls": 2048, "Images": 2048}
    for rid, (kind, resource) in resources.items():
        value = resource.get("DefaultValue") or ""
        if not value or len(value) > limits[kind]:
            problems.append(f"{kind} {rid!r} is {len(value)} characters ({limits[kind]} at most)")
    for tag, limit in (("DisplayName", 125), ("Description", 250)):
        value = root.find(f"o:{tag}", NS).get("DefaultValue") or ""
        if not value or len(value) > limit:
            problems.append(f"{tag} is {len(value)} characters ({limit} at most)")

    # https everywhere.
    for element in root.iter():
        for value in [*element.attrib.values(), element.text or ""]:
            value = value.strip()
            if "://" in value and not value.startswith("https://"):
                problems.append(f"not https: {_local(element.tag)} {value}")

    # Requirement sets for the features used.
    declared = {s.get("Name"): s.get("MinVersion") or "1.1"
                for s in root.iterfind("o:Requirements/o:Sets/o:Set", NS)}
    runtimes = list(root.iter(f"{{{NS['ov']}}}Runtime"))
    if runtimes:
        if declared.get("SharedRuntime") is None or \
                tuple(map(int, declared["SharedRuntime"].split("."))) < (1, 1):
            problems.append("a shared runtime needs the SharedRuntime 1.1 requirement set")
        if any(r.get("lifetime") != "long" for r in runtimes):
            problems.append("the shared runtime needs lifetime=\"long\"")
        shared = {r.get("resid") for r in runtimes}
        pages = {e.get("resid") for e in root.iter(f"{{{NS['ov']}}}FunctionFile")}
        pages |= {e.get("resid") for e in root.iterfind(".//ov:Page/ov:SourceLocation", NS)}
        if pages - shared:
            problems.append(f"function file or functions page outside the shared runtime: {pages}")
    points = [e for e in root.iter(f"{{{NS['ov']}}}ExtensionPoint")
              if e.get(XSI_TYPE) == "CustomFunctions"]
    if points and "CustomFunctionsRuntime" not in declared:
        problems.append("custom functions need the CustomFunctionsRuntime requirement set")

    # Ribbon icons: 16, 32 and 80 required; only the sizes Office knows.
    for icon in root.iter(f"{{{NS['ov']}}}Icon"):
        sizes = {int(i.get("size")) for i in icon}
        if not {16, 32, 80} <= sizes or not sizes <= RIBBON_ICON_SIZES:
            problems.append(f"icon sizes {sorted(sizes)}")
    return problems


def declared_icons(root: Any) -> dict[str, int]:
    """Each icon URL with the pixel size the manifest declares it as."""
    icons = {root.find("o:IconUrl", NS).get("DefaultValue"): 32,
             root.find("o:HighResolutionIconUrl", NS).get("DefaultValue"): 64}
    images = {i.get("id"): i.get("DefaultValue") for i in root.iter(f"{{{BT}}}Image")
              if i.get("id")}
    for use in root.iter(f"{{{BT}}}Image"):
        if use.get("resid"):
            url, size = images[use.get("resid")], int(use.get("size"))
            assert icons.setdefault(url, size) == size, (url, size)
    return icons


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", data[16:24])


# ---------------------------------------------------------------------------------------------


def test_the_served_manifest_follows_microsofts_rules(server):
    response = httpx.get(f"{server}/manifest", headers=PROXY, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in ("application/xml", "text/xml")
    assert manifest_problems(response.text) == []


def test_the_rules_catch_what_office_would_refuse(server):
    good = httpx.get(f"{server}/manifest", headers=PROXY, timeout=30).text
    assert manifest_problems(good) == []
    long_resid = good.replace('"Statement.Label"', '"LocalismDraftPositionStatement.Label"')
    assert "resid 'LocalismDraftPositionStatement.Label' is 36 characters (32 at most)" in \
        manifest_problems(long_resid)
    long_tip = good.replace('id="Statement.Tip" DefaultValue="', 'id="Statement.Tip" '
                            'DefaultValue="' + "x" * 250)
    assert any(p.startswith("LongStrings 'Statement.Tip'") for p in manifest_problems(long_tip))
    plain = good.replace("https://", "http://")
    assert any(p.startswith("not https") for p in manifest_problems(plain))
    swapped = good.replace("<Version>1.0.0.0</Version>", "").replace(
        "<DefaultLocale>", "<Version>1.0.0.0</Version><DefaultLocale>")
    assert any("order" in p for p in manifest_problems(swapped))
    no_sets = good.replace('<Set Name="SharedRuntime" MinVersion="1.1" />', "")
    assert any("SharedRuntime" in p for p in manifest_problems(no_sets))


def test_every_icon_is_a_png_of_its_declared_size_from_our_server(server):
    root = ElementTree.fromstring(httpx.get(f"{server}/manifest", timeout=30).text)
    icons = declared_icons(root)
    assert set(icons.values()) >= {16, 32, 64, 80}
    for url, size in icons.items():
        assert url.startswith(f"{server}/static/images/icons/localism-"), url
        response = httpx.get(url, timeout=30)
        assert response.status_code == 200, url
        assert response.headers["content-type"] == "image/png"
        assert png_size(response.content) == (size, size), url


def test_the_icons_on_disk_are_what_make_icons_draws(tmp_path):
    from xl_localism.addin import make_icons

    for made in make_icons.write_icons(tmp_path / "icons"):
        committed = (make_icons.FAVICON if made.name == "favicon.png"
                     else make_icons.ICONS / made.name)
        assert committed.read_bytes() == made.read_bytes(), made.name


def test_behind_a_proxy_the_manifest_names_the_public_host(server):
    root = ElementTree.fromstring(httpx.get(f"{server}/manifest", headers=PROXY,
                                            timeout=30).text)
    urls = [e.get("DefaultValue") for e in root.iter()
            if (e.get("DefaultValue") or "").startswith("http")]
    urls += [e.text for e in root.iter(f"{{{OFFICE}}}AppDomain")]
    assert len(urls) >= 12 and all(u == PUBLIC or u.startswith(f"{PUBLIC}/") for u in urls)
    # Only the client-side value of a header each proxy appends to; a host that is not a host
    # name is ignored rather than written into the manifest.
    chained = httpx.get(f"{server}/manifest", timeout=30, headers={
        "X-Forwarded-Proto": "https, http",
        "X-Forwarded-Host": "localism.trust.example:8443, 10.0.0.5"}).text
    assert 'DefaultValue="https://localism.trust.example:8443/taskpane.html"' in chained
    hostile = httpx.get(f"{server}/manifest", timeout=30, headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": 'evil"/><x y="'}).text
    assert "evil" not in hostile
    assert f'DefaultValue="https://{server.split("://")[1]}/taskpane.html"' in hostile


def test_on_plain_http_only_https_is_wrong_and_the_download_is_a_file(server):
    problems = manifest_problems(httpx.get(f"{server}/manifest", timeout=30).text)
    assert problems and all(p.startswith("not https") for p in problems)
    download = httpx.get(f"{server}/manifest/download", timeout=30)
    assert download.headers["content-type"].startswith("application/xml")
    assert download.headers["content-disposition"] == 'attachment; filename="localism-prod.xml"'
