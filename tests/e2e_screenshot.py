"""Refresh docs/screenshot.png: the app on a temporary copy of the seed outline, one question
answered by the local model, its first citation panel open.

    .venv/bin/python tests/e2e_screenshot.py [--question "..."] [--out docs/screenshot.png]

The machinery is tests/e2e_browser.py's. The repo's index/ is copied when it exists (it names the
seed the same way, so it is up to date); otherwise the app builds one on its first start.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import REPO_ROOT, SEED_OUTLINE  # noqa: E402
from e2e_browser import SEED_NAME, ChatDriver, chromium_page, running_app  # noqa: E402

QUESTION = "How can I share resources such as transit gateways across AWS accounts?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshot.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="branchwise-shot-") as folder:
        work = Path(folder)
        (work / "seeds").mkdir()
        (work / "shots").mkdir()
        shutil.copy(SEED_OUTLINE, work / SEED_NAME)
        if (REPO_ROOT / "index").is_dir():
            shutil.copytree(REPO_ROOT / "index", work / "index")
        with (
            running_app(work, work / "seeds", work / "index") as url,
            chromium_page(1280, 1100) as page,
        ):
            app = ChatDriver(page, work / "shots")
            app.open(url)
            answer = app.ask(args.question)
            app.open_panel(answer.get_by_test_id("stExpander").first)
            page.get_by_test_id("stChatMessage").first.evaluate(
                "m => m.scrollIntoView({block: 'start'})"
            )
            page.wait_for_timeout(500)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
