"""The Content-Security-Policy of the web app: the browser may load images, scripts, styles, fonts and frames from
the app itself only.

Why: documents are untrusted text. The answers and passages are escaped (`ui.conversation`), and this policy is
the second wall: even a construct that slipped through could not make the browser fetch a third-party image (a
tracking pixel sent with the app's address as Referer), run a foreign script or frame another site.
`'unsafe-inline'`/`'unsafe-eval'` for scripts stay because Gradio's own front end needs them (inline bootstrap,
`js_on_load` compiled with `new Function`); they allow no other host. Only HTML pages get the header: a PDF opened
from the viewer is shown by the browser's own viewer, which a page policy must not block.
"""

from __future__ import annotations

CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
       "frame-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'self'")


class ContentSecurityPolicy:
    """ASGI middleware adding `Content-Security-Policy` (and `Referrer-Policy: same-origin`) to HTML responses."""

    def __init__(self, app, policy: str = CSP):
        self.app = app
        self.policy = policy.encode("ascii")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    headers.append((b"content-security-policy", self.policy))
                headers.append((b"referrer-policy", b"same-origin"))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_policy)


def middleware() -> list:
    """The FastAPI `middleware=` list for `Blocks.launch(app_kwargs=...)`."""
    from starlette.middleware import Middleware

    return [Middleware(ContentSecurityPolicy)]
