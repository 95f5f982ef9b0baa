// /docs renders /openapi.json in the browser with a few lines of script (no
// external assets: the gateway often runs where the Internet is not), and /
// is a landing page until the web UI arrives.
#include "http/openapi.h"

namespace postern::http {

std::string_view docs_html() {
  return R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Postern API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}
main{max-width:980px;margin:0 auto;padding:24px 32px}
.op{background:#fff;border:1px solid #dde1e7;border-radius:8px;margin:12px 0}
.op summary{cursor:pointer;padding:10px 14px;display:flex;gap:12px;align-items:center}
.m{font:600 12px monospace;padding:3px 8px;border-radius:4px;color:#fff;min-width:54px;text-align:center}
.get{background:#2f6fdb}.post{background:#1f9d55}.delete{background:#d64545}.put{background:#c77d12}
.path{font-family:monospace;font-weight:600}.body{padding:0 16px 12px}
pre{background:#f0f2f5;padding:10px;border-radius:6px;overflow:auto;font-size:12px}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;font-size:13px}
</style></head>
<body><header><h1>Postern API</h1><div id="desc"></div></header><main id="ops">Loading /openapi.json…</main>
<script>
const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
fetch('/openapi.json').then(r => r.json()).then(doc => {
  document.getElementById('desc').textContent = doc.info.description;
  const resolve = o => o && o.$ref ? o.$ref.split('/').slice(1).reduce((a, k) => a[k], doc) : o;
  let html = '';
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const params = (op.parameters || []).map(resolve);
      html += `<details class="op"><summary><span class="m ${method}">${method.toUpperCase()}</span>` +
              `<span class="path">${esc(path)}</span><span>${esc(op.summary)}</span></summary><div class="body">` +
              `<p>${esc(op.description)}</p>`;
      if (params.length) html += '<table><tr><th>parameter</th><th>in</th><th>description</th></tr>' +
        params.map(p => `<tr><td>${esc(p.name)}</td><td>${esc(p.in)}</td><td>${esc(p.description)}</td></tr>`).join('') + '</table>';
      if (op.requestBody) for (const [type, c] of Object.entries(op.requestBody.content))
        html += `<h4>Request body: ${esc(type)}</h4><pre>${esc(JSON.stringify(resolve(c.schema), null, 2))}</pre>`;
      html += '<h4>Responses</h4><table>' + Object.entries(op.responses).map(([code, r]) =>
        `<tr><td>${code}</td><td>${esc(resolve(r).description)}</td></tr>`).join('') + '</table></div></details>';
    }
  }
  html += '<h3>Schemas</h3>' + Object.entries(doc.components.schemas).map(([n, s]) =>
    `<details class="op"><summary><span class="path">${esc(n)}</span></summary><div class="body"><pre>${esc(JSON.stringify(s, null, 2))}</pre></div></details>`).join('');
  document.getElementById('ops').innerHTML = html;
});
</script></body></html>
)html";
}

std::string_view index_html() {
  return R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Postern</title>
<style>body{font:15px/1.6 system-ui,sans-serif;max-width:720px;margin:60px auto;color:#1d2330}code{background:#f0f2f5;padding:2px 5px}</style>
</head><body><h1>Postern</h1>
<p>A failure-resistant email gateway. Send with <code>POST /v1/messages</code> or SMTP; read the
<a href="/docs">API documentation</a> (<a href="/openapi.json">OpenAPI</a>), <a href="/v1/messages">recent messages</a>,
<a href="/metrics">metrics</a>, <a href="/readyz">readiness</a>.</p></body></html>
)html";
}

}  // namespace postern::http
