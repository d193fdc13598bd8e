"""A client for `coupon serve`, written with Python's standard library only.

It keeps the service's promise on the caller's side: every money-moving request carries an
Idempotency-Key, and a retry (a dropped connection, a 409 while the first is in flight, a
5xx) is sent again under the SAME key, never a new one. An answer of 202 means the outcome is
in doubt: the service settles it with the vendor, and `wait_settled` reads it until it is
`issued` or `not_issued`.

    client = CouponClient("http://127.0.0.1:8080", api_key)
    issue = client.issue({"vendor": "...", "product": "...", "to": "010-1234-5678"}, key="order-1234")
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid


class Problem(Exception):
    """An RFC 9457 problem document answered by the service."""

    def __init__(self, status, document):
        self.status = status
        self.document = document
        super().__init__(f"{status} {document.get('kind')}: {document.get('detail')}")

    @property
    def kind(self):
        return self.document.get("kind")

    @property
    def retryable(self):
        return bool(self.document.get("retryable"))


class Answer:
    """A successful answer: its status, body, and whether it was replayed from an idempotency key."""

    def __init__(self, status, body, replayed):
        self.status = status
        self.body = body
        self.replayed = replayed

    def __repr__(self):
        return f"Answer({self.status}, replayed={self.replayed}, {self.body!r})"


class CouponClient:
    def __init__(self, base_url, api_key, timeout=30.0, attempts=5):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.attempts = attempts

    # -- transport ---------------------------------------------------------------------------

    def _send(self, method, path, body=None, headers=None, content_type="application/json"):
        data = None
        all_headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
            all_headers["Content-Type"] = content_type
        all_headers.update(headers or {})
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
                return response.status, dict(response.headers), raw
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def request(self, method, path, body=None, key=None, content_type="application/json"):
        """Sends a request; money-moving ones (`key` given) are retried under the same key."""
        headers = {"Idempotency-Key": key} if key is not None else {}
        attempts = self.attempts if key is not None or method == "GET" else 1
        for attempt in range(attempts):
            try:
                status, response_headers, raw = self._send(method, path, body, headers, content_type)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                # The request may have arrived: only the same key may go again.
                if attempt + 1 == attempts:
                    raise
                time.sleep(0.2 * (attempt + 1))
                continue
            text = raw.decode("utf-8") if raw else ""
            content = response_headers.get("Content-Type", response_headers.get("content-type", ""))
            if status >= 400:
                document = json.loads(text) if text and "json" in content else {"detail": text}
                problem = Problem(status, document)
                if problem.retryable and attempt + 1 < attempts:
                    time.sleep(float(response_headers.get("Retry-After", response_headers.get("retry-after", 1))))
                    continue
                raise problem
            replayed = response_headers.get("Idempotent-Replayed", response_headers.get("idempotent-replayed")) == "true"
            body_out = json.loads(text) if text and "json" in content else text
            return Answer(status, body_out, replayed)
        raise RuntimeError("unreachable")

    # -- issues ------------------------------------------------------------------------------

    def issue(self, body, key=None):
        """Issues one coupon under `key` (a fresh one when not given: keep it to retry)."""
        return self.request("POST", "/v1/issues", body, key=key or str(uuid.uuid4()))

    def get_issue(self, key):
        return self.request("GET", f"/v1/issues/{urllib.request.quote(key, safe='')}").body

    def wait_settled(self, key, timeout=30.0):
        """Reads an issue until its outcome is known (`issued` or `not_issued`)."""
        deadline = time.monotonic() + timeout
        while True:
            issue = self.get_issue(key)
            if issue["state"] not in ("unknown", "in_flight"):
                return issue
            if time.monotonic() > deadline:
                raise TimeoutError(f"issue {key} still {issue['state']} after {timeout} s")
            time.sleep(0.2)

    def cancel(self, issue_key, key=None):
        quoted = urllib.request.quote(issue_key, safe="")
        return self.request("POST", f"/v1/issues/{quoted}/cancel", key=key or str(uuid.uuid4()))

    def resend(self, issue_key, key=None):
        quoted = urllib.request.quote(issue_key, safe="")
        return self.request("POST", f"/v1/issues/{quoted}/resend", key=key or str(uuid.uuid4()))

    # -- reads -------------------------------------------------------------------------------

    def vendors(self):
        return self.request("GET", "/v1/vendors").body

    def products(self, vendor, **filters):
        query = urllib.parse.urlencode({k: v for k, v in filters.items() if v is not None})
        return self.request("GET", f"/v1/vendors/{vendor}/products" + (f"?{query}" if query else "")).body

    # -- campaigns ---------------------------------------------------------------------------

    def create_campaign(self, name, vendor, csv_bytes, **options):
        """Uploads a CSV as a campaign (multipart/form-data), with `coupon campaign create`'s options."""
        boundary = "coupon-" + uuid.uuid4().hex
        parts = []
        fields = {"name": name, "vendor": vendor}
        fields.update({k: ("true" if v is True else "false" if v is False else str(v)) for k, v in options.items()})
        for field, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'.encode("utf-8")
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="campaign.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n".encode("utf-8")
            + csv_bytes
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode("utf-8"))
        return self.request(
            "POST", "/v1/campaigns", b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}"
        ).body

    def run_campaign(self, name, options=None):
        return self.request("POST", f"/v1/campaigns/{name}/run", options or {}).body

    def campaign(self, name):
        return self.request("GET", f"/v1/campaigns/{name}").body

