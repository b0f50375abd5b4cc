package service

import (
	"html/template"
	"net/http"
)

// pageData is the content of the small HTML pages /login and /callback
// answer with when they cannot simply redirect.
type pageData struct {
	Title   string
	Message string
	Return  string

	// The "your admin must approve the checker" page.
	Consent      bool
	ConsentURL   string
	Permissions  []string
	ClientID     string
	ErrorCode    string
	TriedAt      string
	TenantOrHint string
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.5rem;line-height:1.25}
code,textarea{font:14px/1.4 ui-monospace,monospace}
.box{border:1px solid #d0d7de;border-radius:6px;padding:1rem;margin:1.5rem 0;background:#f6f8fa}
textarea{width:100%;box-sizing:border-box;min-height:7rem}
a.button{display:inline-block;padding:.5rem 1rem;border-radius:6px;background:#0969da;color:#fff;text-decoration:none}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}.box{background:#161b22;border-color:#30363d}}
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
{{if .Consent}}
<div class="box">
<h2>What to send your admin</h2>
<p>An administrator (Global Administrator, Privileged Role Administrator, or Cloud Application Administrator for these permissions) can approve the checker for the whole organisation by opening this link and selecting <strong>Accept</strong>:</p>
<p><a href="{{.ConsentURL}}">{{.ConsentURL}}</a></p>
<p>The checker only reads; it never changes settings. It asks for these delegated Microsoft Graph permissions, and reads only what the signed-in person could read anyway:</p>
<ul>{{range .Permissions}}<li><code>{{.}}</code></li>{{end}}</ul>
<label for="details">Details to copy into your message:</label>
<textarea id="details" readonly>Please approve the help center's tenant checker for our organisation.
Admin consent link: {{.ConsentURL}}
Application (client) ID: {{.ClientID}}
Permissions (delegated, read-only): {{range $i, $p := .Permissions}}{{if $i}}, {{end}}{{$p}}{{end}}
Sign-in error: {{.ErrorCode}}
Time: {{.TriedAt}}{{with .TenantOrHint}}
Tenant: {{.}}{{end}}</textarea>
</div>
<p>Until then, every step of the article still reads as normal, and you can try the demo tenant to see what the checks show.</p>
{{end}}
{{with .Return}}<p><a class="button" href="{{.}}">Back to the article</a></p>{{end}}
</main>
</body>
</html>
`))

// page writes one of the service's HTML pages.
func (s *Service) page(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	if err := pageTemplate.Execute(w, d); err != nil {
		s.log.Warn("checks page: render failed", "err", err)
	}
}
