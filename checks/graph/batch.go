package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"livedocs/checks"
)

// maxBatch is Graph's limit of requests in one $batch.
const maxBatch = 20

// step is one GET in a batch and, once sent, its outcome: a 2xx body is
// decoded into into, anything else sets err.
type step struct {
	name    string            // "GET /policies/authorizationPolicy", for messages
	url     string            // relative to the base URL, as the SDK built it
	headers map[string]string // the SDK's request headers
	into    any               // pointer the 2xx body is decoded into
	err     error
}

// newStep turns a request built by the SDK into a batch step. The URL is
// resolved once, so a retry sends exactly the same item.
func (s *Source) newStep(name string, info *abs.RequestInformation, into any) (*step, error) {
	u, err := info.GetUri()
	if err != nil {
		return nil, fmt.Errorf("build request %s: %w", name, err)
	}
	rel, ok := strings.CutPrefix(u.String(), s.prefix)
	if !ok || !strings.HasPrefix(rel, "/") {
		return nil, fmt.Errorf("build request %s: URL %s is not under %s", name, u, s.base)
	}
	st := &step{name: name, url: rel, into: into}
	if keys := info.Headers.ListKeys(); len(keys) > 0 {
		st.headers = make(map[string]string, len(keys))
		for _, k := range keys {
			st.headers[k] = strings.Join(info.Headers.Get(k), ",")
		}
	}
	return st, nil
}

// errorMappings decode every error answer as Graph's ODataError.
func errorMappings() abs.ErrorMappings {
	return abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}
}

// run sends the steps as few $batch requests as possible and fills in each
// step's value or err. Throttled answers are retried while the deadline
// allows.
func (s *Source) run(ctx context.Context, steps []*step) {
	todo := steps
	for attempt := 1; len(todo) > 0; attempt++ {
		var again []*step
		var wait time.Duration
		for start := 0; start < len(todo); start += maxBatch {
			chunk := todo[start:min(start+maxBatch, len(todo))]
			s.post(ctx, chunk)
			for _, st := range chunk {
				if d, ok := retryable(st.err); ok && attempt < s.maxAttempts {
					if d <= 0 {
						d = time.Duration(attempt) * 200 * time.Millisecond
					}
					wait = max(wait, d)
					again = append(again, st)
				}
			}
		}
		if len(again) == 0 {
			return
		}
		// Retry only if the retry can still be answered before the deadline:
		// allow the wait plus a small margin for the round trip.
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+100*time.Millisecond {
			return
		}
		if err := sleep(ctx, wait); err != nil {
			return
		}
		todo = again
	}
}

// retryable reports whether err is an answer worth retrying, and after how
// long Graph asked to wait.
func retryable(err error) (time.Duration, bool) {
	var ge *checks.GraphError
	if !errors.As(err, &ge) {
		return 0, false
	}
	switch ge.Status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return ge.RetryAfter, true
	}
	return 0, false
}

// batchItemRequest and batchItemResponse are one item of a JSON $batch
// request and answer. An item's ID is its step's index in the chunk, from 1.
type batchItemRequest struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
}

type batchItemResponse struct {
	ID      string            `json:"id"`
	Status  *int              `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// post sends one $batch and decodes every item into its step.
func (s *Source) post(ctx context.Context, chunk []*step) {
	items, err := s.send(ctx, chunk)
	for i, st := range chunk {
		st.err = err
		if err != nil {
			continue
		}
		var item *batchItemResponse
		id := strconv.Itoa(i + 1)
		for j := range items {
			if items[j].ID == id {
				item = &items[j]
				break
			}
		}
		st.err = decodeItem(item, st)
	}
}

// send posts the batch through the SDK's request adapter (authentication,
// middleware, error mappings) and returns the answer's items.
func (s *Source) send(ctx context.Context, chunk []*step) (items []batchItemResponse, err error) {
	defer func() {
		if r := recover(); r != nil {
			items, err = nil, fmt.Errorf("%w: batch answer: %v", checks.ErrMalformed, r)
		}
	}()
	reqs := make([]batchItemRequest, len(chunk))
	for i, st := range chunk {
		reqs[i] = batchItemRequest{ID: strconv.Itoa(i + 1), Method: http.MethodGet, URL: st.url, Headers: st.headers}
	}
	body, err := json.Marshal(struct {
		Requests []batchItemRequest `json:"requests"`
	}{reqs})
	if err != nil {
		return nil, fmt.Errorf("encode batch: %w", err)
	}
	info := abs.NewRequestInformation()
	info.Method = abs.POST
	info.UrlTemplate = "{+baseurl}/$batch"
	info.PathParameters["baseurl"] = s.base
	info.Headers.TryAdd("Accept", "application/json")
	info.SetStreamContentAndContentType(body, "application/json")
	got, err := s.adapter.SendPrimitive(ctx, info, "[]byte", errorMappings())
	if err != nil {
		return nil, wrapSendError(ctx, err, "POST /$batch")
	}
	raw, ok := got.([]byte)
	if !ok || len(raw) == 0 {
		return nil, fmt.Errorf("%w: empty $batch answer", checks.ErrMalformed)
	}
	var resp struct {
		Responses []batchItemResponse `json:"responses"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("%w: $batch answer: %v", checks.ErrMalformed, err)
	}
	return resp.Responses, nil
}

// wrapSendError turns what the adapter returned into an error the checks
// package can word.
func wrapSendError(ctx context.Context, err error, name string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("send %s: %w", name, ctx.Err())
	}
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		ge := graphErrorFrom(oe, oe.GetStatusCode(), name)
		if h := oe.GetResponseHeaders(); h != nil {
			ge.RetryAfter = parseRetryAfter(strings.Join(h.Get("Retry-After"), ""))
		}
		return ge
	}
	var ae *abs.ApiError
	if errors.As(err, &ae) {
		ge := &checks.GraphError{Status: ae.ResponseStatusCode, Request: name}
		if ae.ResponseHeaders != nil {
			ge.RetryAfter = parseRetryAfter(strings.Join(ae.ResponseHeaders.Get("Retry-After"), ""))
		}
		return ge
	}
	var ue *url.Error
	var ne net.Error
	var ae2 *authError
	if errors.As(err, &ue) || errors.As(err, &ne) || errors.As(err, &ae2) {
		return fmt.Errorf("send %s: %w", name, err)
	}
	// Anything else came from decoding the answer.
	return fmt.Errorf("%w: %s: %v", checks.ErrMalformed, name, err)
}

// decodeItem decodes one batch item into st.into, or returns the item's
// error. It never panics.
func decodeItem(item *batchItemResponse, st *step) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: %v", checks.ErrMalformed, st.name, r)
		}
	}()
	if item == nil {
		return fmt.Errorf("%w: %s", checks.ErrNoAnswer, st.name)
	}
	if item.Status == nil {
		return fmt.Errorf("%w: %s: item has no status", checks.ErrMalformed, st.name)
	}
	status := *item.Status
	body := item.Body
	if isNull(body) {
		body = nil
	}
	if status >= 400 {
		ge := &checks.GraphError{Status: status, Request: st.name}
		// Error answers are rare: decode them with the SDK's own ODataError
		// model so Graph's code, message, request ID and date survive.
		if body != nil {
			if oe, err := parse(body, odataerrors.CreateODataErrorFromDiscriminatorValue); err == nil {
				if e, ok := oe.(*odataerrors.ODataError); ok {
					ge = graphErrorFrom(e, status, st.name)
				}
			}
		}
		ge.RetryAfter = parseRetryAfter(header(item.Headers, "Retry-After"))
		return ge
	}
	if status < 200 || status >= 300 {
		return &checks.GraphError{Status: status, Request: st.name}
	}
	if body == nil {
		return fmt.Errorf("%w: %s: empty body", checks.ErrMalformed, st.name)
	}
	if err := json.Unmarshal(body, st.into); err != nil {
		return fmt.Errorf("%w: %s: %v", checks.ErrMalformed, st.name, err)
	}
	return nil
}

// isNull reports whether raw is absent or the JSON null.
func isNull(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// parse decodes JSON with an SDK model constructor.
func parse(raw []byte, ctor absser.ParsableFactory) (absser.Parsable, error) {
	node, err := jsonserialization.NewJsonParseNode(raw)
	if err != nil {
		return nil, err
	}
	if node == nil {
		return nil, errors.New("no JSON value")
	}
	v, err := node.GetObjectValue(ctor)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, errors.New("no object")
	}
	return v, nil
}

func graphErrorFrom(e *odataerrors.ODataError, status int, name string) *checks.GraphError {
	ge := &checks.GraphError{Status: status, Request: name}
	if m := e.GetErrorEscaped(); m != nil {
		ge.Code = deref(m.GetCode())
		ge.Message = deref(m.GetMessage())
		if in := m.GetInnerError(); in != nil {
			ge.RequestID = deref(in.GetRequestId())
			if d := in.GetDate(); d != nil {
				ge.Date = d.UTC().Format(time.RFC3339)
			}
		}
	}
	return ge
}

// header looks a header up case-insensitively.
func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// parseRetryAfter reads Retry-After as seconds (Graph sends fractions such
// as 2.128) or an HTTP date. Unusable values give 0.
func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f <= 0 || f > 3600 {
			return 0
		}
		return time.Duration(f * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 && d <= time.Hour {
			return d
		}
	}
	return 0
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
