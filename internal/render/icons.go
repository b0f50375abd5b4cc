package render

import "html/template"

// icons are small inline SVGs (24×24, stroke-based) drawn for this theme.
var icons = map[string]string{
	"book":     `<path d="M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2z"/><path d="M4 21V5"/>`,
	"doc":      `<path d="M7 3h7l5 5v13H7z"/><path d="M14 3v5h5"/>`,
	"mail":     `<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3 7 9 6 9-6"/>`,
	"calendar": `<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>`,
	"shield":   `<path d="M12 3 4 6v6c0 5 3.5 8 8 9 4.5-1 8-4 8-9V6z"/>`,
	"key":      `<circle cx="8" cy="15" r="4"/><path d="m11 12 9-9M17 6l3 3"/>`,
	"settings": `<circle cx="12" cy="12" r="3"/><path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1 7 17M17 7l2.1-2.1"/>`,
	"user":     `<circle cx="12" cy="8" r="4"/><path d="M4 21c1-4 4-6 8-6s7 2 8 6"/>`,
	"help":     `<circle cx="12" cy="12" r="9"/><path d="M9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7M12 17h.01"/>`,
}

// icon returns an inline SVG for name; unknown names give the help icon.
func icon(name string) template.HTML {
	body, ok := icons[name]
	if !ok {
		body = icons["help"]
	}
	return template.HTML(`<svg class="icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">` + body + `</svg>`)
}
