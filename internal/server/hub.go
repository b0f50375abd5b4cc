package server

import "sync"

// Event is one server-sent event: a name and its data (JSON, one line).
type Event struct {
	Name string
	Data []byte
}

// Hub fans live-reload events out to the connected browsers. It is a value:
// each Server has its own. Sends never block: a client whose buffer is full
// is dropped (its channel closed, so its handler ends and the browser's
// EventSource reconnects and catches up).
type Hub struct {
	buffer  int
	mu      sync.Mutex
	clients map[*Client]struct{}
	closed  bool
}

// Client is one connected browser.
type Client struct {
	Path string // the page it shows, as a file path ("/a/b/index.html")
	ch   chan Event
}

// Events returns the client's event channel; it is closed when the client
// is dropped or the hub closes.
func (c *Client) Events() <-chan Event { return c.ch }

// NewHub returns a hub whose clients buffer up to buffer events.
func NewHub(buffer int) *Hub {
	if buffer < 1 {
		buffer = 1
	}
	return &Hub{buffer: buffer, clients: map[*Client]struct{}{}}
}

// Subscribe adds a client showing path. It returns nil after Close.
func (h *Hub) Subscribe(path string) *Client {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	c := &Client{Path: path, ch: make(chan Event, h.buffer)}
	h.clients[c] = struct{}{}
	return c
}

// Unsubscribe removes c; it is safe to call for a dropped client.
func (h *Hub) Unsubscribe(c *Client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(c)
}

func (h *Hub) drop(c *Client) {
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		close(c.ch)
	}
}

// Send queues ev for every client for which to returns true (every client
// when to is nil) and reports how many got it and how many were dropped.
func (h *Hub) Send(ev Event, to func(*Client) bool) (sent, dropped int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		if to != nil && !to(c) {
			continue
		}
		select {
		case c.ch <- ev:
			sent++
		default:
			h.drop(c)
			dropped++
		}
	}
	return sent, dropped
}

// Len returns the number of connected clients.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// Close drops every client and refuses new ones.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.clients {
		h.drop(c)
	}
}
