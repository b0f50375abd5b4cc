package graph

import (
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
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"livedocs/checks"
)

// maxBatch is Graph's limit of requests in one $batch.
const maxBatch = 20

// step is one GET in a batch and, once sent, its answer.
type step struct {
	name  string // "GET /policies/authorizationPolicy", for messages
	info  *abs.RequestInformation
	ctor  absser.ParsableFactory
	value absser.Parsable
	err   error
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

// post sends one $batch and decodes every item into its step.
func (s *Source) post(ctx context.Context, chunk []*step) {
	resp, ids, err := s.send(ctx, chunk)
	for i, st := range chunk {
		if err != nil {
			st.value, st.err = nil, err
			continue
		}
		st.value, st.err = decodeItem(resp, ids[i], st)
	}
}

// send posts the batch. It returns the answer and each step's item ID.
func (s *Source) send(ctx context.Context, chunk []*step) (resp msgraphgocore.BatchResponse, ids []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			resp, ids, err = nil, nil, fmt.Errorf("%w: batch answer: %v", checks.ErrMalformed, r)
		}
	}()
	batch := msgraphgocore.NewBatchRequest(s.adapter)
	ids = make([]string, len(chunk))
	for i, st := range chunk {
		info, err := clone(st.info)
		if err != nil {
			return nil, nil, fmt.Errorf("add batch step %s: %w", st.name, err)
		}
		item, err := batch.AddBatchRequestStep(*info)
		if err != nil {
			return nil, nil, fmt.Errorf("add batch step %s: %w", st.name, err)
		}
		ids[i] = *item.GetId()
	}
	info := abs.NewRequestInformation()
	info.Method = abs.POST
	info.UrlTemplate = "{+baseurl}/$batch"
	info.PathParameters["baseurl"] = s.adapter.GetBaseUrl()
	info.Headers.TryAdd("Accept", "application/json")
	if err := info.SetContentFromParsable(ctx, s.adapter, "application/json", batch); err != nil {
		return nil, nil, fmt.Errorf("encode batch: %w", err)
	}
	got, err := s.adapter.Send(ctx, info, msgraphgocore.CreateBatchResponseDiscriminator, errorMappings())
	if err != nil {
		return nil, nil, wrapSendError(ctx, err, "POST /$batch")
	}
	br, ok := got.(msgraphgocore.BatchResponse)
	if !ok || br == nil {
		return nil, nil, fmt.Errorf("%w: empty $batch answer", checks.ErrMalformed)
	}
	return br, ids, nil
}

// clone copies a request for one batch. Adding a request to a batch
// resolves its URL in place and clears its path parameters, so the same
// RequestInformation cannot be added twice (as a retry would).
func clone(info *abs.RequestInformation) (*abs.RequestInformation, error) {
	u, err := info.GetUri()
	if err != nil {
		return nil, err
	}
	c := abs.NewRequestInformation()
	c.Method = info.Method
	c.SetUri(*u)
	c.Headers.AddAll(info.Headers)
	return c, nil
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

// decodeItem decodes one batch item. It never panics.
func decodeItem(resp msgraphgocore.BatchResponse, id string, st *step) (v absser.Parsable, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("%w: %s: %v", checks.ErrMalformed, st.name, r)
		}
	}()
	var item msgraphgocore.BatchItem
	for _, it := range resp.GetResponses() {
		if it != nil && it.GetId() != nil && *it.GetId() == id {
			item = it
			break
		}
	}
	if item == nil {
		return nil, fmt.Errorf("%w: %s", checks.ErrNoAnswer, st.name)
	}
	status := item.GetStatus()
	if status == nil {
		return nil, fmt.Errorf("%w: %s: item has no status", checks.ErrMalformed, st.name)
	}
	body := item.GetBody()
	if *status >= 400 {
		ge := &checks.GraphError{Status: int(*status), Request: st.name, RetryAfter: parseRetryAfter(header(item.GetHeaders(), "Retry-After"))}
		if body != nil {
			if raw, err := json.Marshal(body); err == nil {
				if oe, err := parse(raw, odataerrors.CreateODataErrorFromDiscriminatorValue); err == nil {
					if e, ok := oe.(*odataerrors.ODataError); ok {
						code := ge.Status
						*ge = *graphErrorFrom(e, code, st.name)
						ge.RetryAfter = parseRetryAfter(header(item.GetHeaders(), "Retry-After"))
					}
				}
			}
		}
		return nil, ge
	}
	if *status < 200 || *status >= 300 {
		return nil, &checks.GraphError{Status: int(*status), Request: st.name}
	}
	if body == nil {
		return nil, fmt.Errorf("%w: %s: empty body", checks.ErrMalformed, st.name)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", checks.ErrMalformed, st.name, err)
	}
	v, err = parse(raw, st.ctor)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", checks.ErrMalformed, st.name, err)
	}
	return v, nil
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
func header(h msgraphgocore.RequestHeader, name string) string {
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
