package server

import (
	"html/template"
	"net/http"
	"time"

	"livedocs/internal/watch"
)

// Status is what /__livedocs/status shows.
type Status struct {
	Root     string
	Watch    watch.Status
	Rebuilds []Rebuild // newest first
}

// Rebuild records one handled batch of changes.
type Rebuild struct {
	At       time.Time
	Trigger  []string // changed paths, relative to the project (cut to 20)
	More     int      // further changed paths not listed
	Kind     string   // "content", "theme", "css", "config", "rescan", "start"
	Duration time.Duration
	Load     time.Duration
	Render   time.Duration
	Full     bool
	Rendered int
	Reused   int
	Changed  int // served files that changed
	Problems int // errors when the build failed
}

// SetStatus installs the function the status page reads (Live does this).
func (s *Server) SetStatus(f func() Status) { s.status.Store(&f) }

var statusPage = template.Must(template.New("status").Funcs(template.FuncMap{
	"ms": func(d time.Duration) string { return d.Round(100 * time.Microsecond).String() },
	"clock": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.Format("15:04:05.000")
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>livedocs serve: status</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:24px;color:#1b1b1f;background:#fff}
table{border-collapse:collapse;margin:8px 0 24px}td,th{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top}
code{font:13px ui-monospace,monospace}.bad{color:#b71c1c;font-weight:600}.warn{color:#8a5300;font-weight:600}
@media (prefers-color-scheme: dark){body{background:#17171a;color:#eee}td,th{border-color:#333}}
</style></head><body>
<h1>livedocs serve</h1>
<p>Project <code>{{.S.Root}}</code> · build {{.Build}} · {{.Files}} files served · {{.Clients}} browser(s) connected</p>
{{with .Problems}}<h2 class="bad">The last build failed ({{len .}} problem(s)); the previous good build is served</h2>
<ul>{{range .}}<li><code>{{.Text}}</code>{{with .Source}}<br><code>{{.}}</code>{{end}}</li>{{end}}</ul>{{end}}
<h2>Watching</h2>
<p>Mode: <strong>{{.S.Watch.Mode}}</strong>{{with .S.Watch.Reason}} <span class="warn">({{.}})</span>{{end}} ·
{{.S.Watch.Dirs}} folders, {{.S.Watch.Files}} files, {{.S.Watch.Watches}} OS watches · {{.S.Watch.Batches}} batches, the last at {{clock .S.Watch.LastBatch}}</p>
<ul>{{range .S.Watch.Roots}}<li><code>{{.}}</code></li>{{end}}</ul>
<h2>Last rebuilds</h2>
<table><tr><th>At</th><th>Kind</th><th>Total</th><th>Load + check</th><th>Render</th><th>Pages rendered / reused</th><th>Files changed</th><th>Result</th><th>Trigger</th></tr>
{{range .S.Rebuilds}}<tr><td>{{clock .At}}</td><td>{{.Kind}}</td><td>{{ms .Duration}}</td><td>{{ms .Load}}</td><td>{{ms .Render}}</td>
<td>{{.Rendered}} / {{.Reused}}{{if .Full}} (full){{end}}</td><td>{{.Changed}}</td>
<td>{{if .Problems}}<span class="bad">{{.Problems}} problem(s)</span>{{else}}ok{{end}}</td>
<td>{{range .Trigger}}<code>{{.}}</code><br>{{end}}{{if .More}}and {{.More}} more{{end}}</td></tr>
{{else}}<tr><td colspan="9">none yet</td></tr>{{end}}</table>
<h2>Last file events</h2>
<table><tr><th>At</th><th>Op</th><th>Path</th><th>Note</th></tr>
{{range .Events}}<tr><td>{{clock .At}}</td><td>{{.Op}}</td><td><code>{{.Path}}</code></td><td>{{.Note}}</td></tr>
{{else}}<tr><td colspan="4">none yet</td></tr>{{end}}</table>
</body></html>
`))

func (s *Server) serveStatus(w http.ResponseWriter, r *http.Request) {
	var st Status
	if f := s.status.Load(); f != nil {
		st = (*f)()
	}
	// Newest events first.
	ev := make([]watch.Event, len(st.Watch.Events))
	for i, e := range st.Watch.Events {
		ev[len(ev)-1-i] = e
	}
	data := struct {
		S        Status
		Events   []watch.Event
		Build    uint64
		Files    int
		Clients  int
		Problems []Problem
	}{st, ev, s.Build(), len(s.Files()), s.hub.Len(), s.Problems()}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := statusPage.Execute(w, data); err != nil {
		http.Error(w, "status: "+err.Error(), http.StatusInternalServerError)
	}
}
