"""`GET /` serves the web page, and everything it loads comes from the package itself:
no CDN, no build step. (The page's behaviour is tested in a real browser: tests/e2e.)"""

from __future__ import annotations

import re

from api.settings import Settings
from api.webpage import STATIC
from tests.support import serve_in_process

IMPORT = re.compile(r"""^import .* from "([^"]+)";$""", re.MULTILINE)


async def test_the_page_and_everything_it_loads_are_served_from_the_package(settings: Settings) -> None:
    async with serve_in_process(settings) as api:
        page = await api.http.get("/", headers={"Authorization": ""})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert "/static/main.js" in assets and "/static/vendor/cytoscape.min.js" in assets
        modules = [f"/static/{path.name}" for path in STATIC.glob("*.js")]
        for module in modules:
            for imported in IMPORT.findall((STATIC / module.removeprefix("/static/")).read_text()):
                assert imported.startswith("./"), f"{module} imports {imported} from outside the package"
        for url in [a for a in assets if not a.startswith("data:")] + modules:
            assert url.startswith("/static/"), url
            served = await api.http.get(url)
            assert served.status_code == 200 and served.content, url
        assert (await api.http.get("/static/missing.js")).status_code == 404


def test_every_vendored_file_has_its_licence_beside_it() -> None:
    files = [p for p in (STATIC / "vendor").iterdir() if p.suffix in (".js", ".css")]
    vendored = sorted({p.name.split(".")[0] for p in files})
    assert vendored == ["cose-base", "cytoscape", "cytoscape-fcose", "graphiql", "layout-base", "react", "react-dom"]
    for name in vendored:
        assert "Permission is hereby granted, free of charge" in (STATIC / "vendor" / f"{name}.LICENSE").read_text()
