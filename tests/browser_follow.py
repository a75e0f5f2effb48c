"""A stand-in for the user's browser, run as the `BROWSER` command by `login` tests.

Called with the authorization URL, it does what a person would: loads the consent page of
the test authorization server, presses Allow (or Deny), and follows the redirect to the
CLI's loopback listener, whose page it reads. It logs what it saw to the file named by
BROWSER_FOLLOW_LOG (one JSON object per line) so that tests can assert on it.

BROWSER_FOLLOW_MODE:
  approve       (default) allow, then follow the redirect
  deny          press Deny, then follow the redirect (error=access_denied)
  tamper-state  allow, but change `state` in the redirect before following it
  ignore        do nothing (the user walked away)
  redirect      follow the redirects of the URL itself (AgentCore's authorization URL, which
                sends the browser back to the return URL) and read the last page
  print         allow, but do not follow the redirect: print it to the log instead
                (what a user on an SSH host copies from the address bar)
"""

from __future__ import annotations

import json
import os
import re
import sys
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx


def log(entry: dict[str, object]) -> None:
    path = os.environ.get("BROWSER_FOLLOW_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")


def main(url: str) -> int:
    mode = os.environ.get("BROWSER_FOLLOW_MODE", "approve")
    log({"opened": url, "mode": mode})
    if mode == "ignore":
        return 0
    if mode == "redirect":
        with httpx.Client(timeout=10, follow_redirects=True) as client:
            final = client.get(url)
        log({"callback_url": str(final.url), "callback_status": final.status_code, "callback_page": final.text})
        return 0
    with httpx.Client(timeout=10, follow_redirects=False) as client:
        page = client.get(url)
        if page.status_code != 200:
            log({"consent_status": page.status_code, "consent_body": page.text[:200]})
            return 0
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert action, page.text
        target = urljoin(url, action.group(1).replace("&amp;", "&"))
        decision = client.post(target, data={"confirm": "no" if mode == "deny" else "yes"})
        redirect = decision.headers.get("location", "")
        if mode == "tamper-state":
            parts = urlsplit(redirect)
            query = [(k, "forged-state" if k == "state" else v) for k, v in parse_qsl(parts.query)]
            redirect = urlunsplit(parts._replace(query=urlencode(query)))
        if mode == "print":
            log({"redirect": redirect})
            return 0
        final = client.get(redirect)
        log({"callback_status": final.status_code, "callback_page": final.text})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
