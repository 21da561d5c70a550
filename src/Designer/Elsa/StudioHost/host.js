// Puts Elsa Studio's editor element on the page for the definition named in ?definition=, with a short-lived token
// of the signed-in user (minted by GET /api/designer/elsa-token from the session cookie) as its access token.
(async () => {
  const host = document.getElementById("editor-host");
  const definition = new URLSearchParams(location.search).get("definition");
  const fail = (message) => {
    host.id = "editor-error";
    host.setAttribute("role", "alert");
    host.textContent = message;
  };
  if (!definition) {
    fail("No definition: open this page as editor.html?definition=<module>.");
    return;
  }
  const response = await fetch("/api/designer/elsa-token", { credentials: "same-origin" });
  if (!response.ok) {
    fail(response.status === 401 ? "Sign in first." : `The editor's token was refused (${response.status}).`);
    return;
  }
  const { token, expiresInSeconds } = await response.json();
  const editor = document.createElement("elsa-workflow-definition-editor");
  editor.setAttribute("remote-endpoint", location.origin + "/elsa/api");
  editor.setAttribute("access-token", token);
  editor.setAttribute("definition-id", definition);
  host.appendChild(editor);
  // The token is short-lived: renew it before it runs out, for as long as the page is open.
  const renew = async () => {
    const next = await fetch("/api/designer/elsa-token", { credentials: "same-origin" });
    if (next.ok) editor.setAttribute("access-token", (await next.json()).token);
  };
  setInterval(renew, Math.max(30, expiresInSeconds / 2) * 1000);
})();
