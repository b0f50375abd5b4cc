// Package server serves a built site from memory on loopback.
package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"livedocs/internal/render"
)

// Handler serves a file set.
type Handler struct {
	files render.Files
	etags map[string]string
	start time.Time
}

// New returns a handler serving files.
func New(files render.Files) *Handler {
	h := &Handler{files: files, etags: map[string]string{}, start: time.Now()}
	for p, b := range files {
		sum := sha256.Sum256(b)
		h.etags[p] = `"` + hex.EncodeToString(sum[:8]) + `"`
	}
	return h
}

// loopbackHost reports whether a Host header names this machine's loopback.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !loopbackHost(r.Host) {
		http.Error(w, "livedocs serves loopback host names only", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	if strings.HasSuffix(r.URL.Path, "/") && p != "/" {
		p += "/"
	}
	name := p
	if strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	body, ok := h.files[name]
	if !ok && path.Ext(name) == "" {
		if _, dir := h.files[name+"/index.html"]; dir {
			http.Redirect(w, r, p+"/", http.StatusMovedPermanently)
			return
		}
	}
	status := http.StatusOK
	if !ok {
		name, status = "/404.html", http.StatusNotFound
		body = h.files[name]
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = http.DetectContentType(body)
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if status == http.StatusOK {
		w.Header().Set("ETag", h.etags[name])
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, name, h.start, bytes.NewReader(body))
		return
	}
	w.WriteHeader(status)
	w.Write(body)
}
