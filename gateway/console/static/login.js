"use strict";
// Sign in with a JSON request (a cross-site form cannot send one), then open the console.
(function () {
  const reasons = {session_expired: "登录已过期，请重新登录", login_required: "请先登录"};
  const reason = new URLSearchParams(location.search).get("reason");
  const message = document.getElementById("login-message");
  if (reason && reasons[reason]) message.textContent = reasons[reason];
  document.getElementById("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    const resp = await fetch("/console/api/login", {
      method: "POST", headers: {"Content-Type": "application/json"}, credentials: "same-origin",
      body: JSON.stringify({username: document.getElementById("username").value,
                            password: document.getElementById("password").value}),
    });
    if (resp.ok) { location.href = "/console"; return; }
    const body = await resp.json().catch(() => ({}));
    message.textContent = (body.error && body.error.message) || "登录失败";
  });
})();
