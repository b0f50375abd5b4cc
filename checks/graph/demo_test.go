package graph

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http"
	"testing"
)

// TestDemoBatchEncodings: the demo server, like Graph, takes a $batch body
// plain or gzip-compressed, and its answer is valid JSON carrying each
// item's ID, status and body.
func TestDemoBatchEncodings(t *testing.T) {
	d, err := StartDemo(context.Background(), "approved", DemoApp{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	batch := []byte(`{"requests":[` +
		`{"id":"a\"1","method":"GET","url":"/policies/adminConsentRequestPolicy"},` +
		`{"id":"2","method":"GET","url":"/users/nobody@contoso.example"}]}`)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	if _, err := zw.Write(batch); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		body     []byte
		encoding string
	}{
		{"plain", batch, ""},
		{"gzip", zipped.Bytes(), "gzip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, d.URL+"/$batch", bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+demoToken)
			req.Header.Set("Content-Type", "application/json")
			if tc.encoding != "" {
				req.Header.Set("Content-Encoding", tc.encoding)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			var got struct {
				Responses []struct {
					ID     string `json:"id"`
					Status int    `json:"status"`
					Body   struct {
						IsEnabled *bool `json:"isEnabled"`
						Error     struct {
							Code string `json:"code"`
						} `json:"error"`
					} `json:"body"`
				} `json:"responses"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatalf("decode answer: %v", err)
			}
			if len(got.Responses) != 2 {
				t.Fatalf("%d items, want 2", len(got.Responses))
			}
			first, second := got.Responses[0], got.Responses[1]
			if first.ID != `a"1` || first.Status != 200 || first.Body.IsEnabled == nil {
				t.Errorf("first item: %+v, want id a\"1, 200 and isEnabled", first)
			}
			if second.ID != "2" || second.Status != 404 || second.Body.Error.Code != "Request_ResourceNotFound" {
				t.Errorf("second item: %+v, want id 2, 404 Request_ResourceNotFound", second)
			}
		})
	}
}

func TestEqValue(t *testing.T) {
	tests := []struct {
		filter, prop, want string
		ok                 bool
	}{
		{"appId eq 'abc'", "appId", "abc", true},
		{"APPID EQ 'abc'", "appId", "abc", true},
		{"appId eq 'o''brien' and userId eq 'x'", "appId", "o'brien", true},
		{"appId eq 'a' and userPrincipalName eq 'o''b@c'", "userPrincipalName", "o'b@c", true},
		{"myappId eq 'abc' and appId eq 'def'", "appId", "def", true},
		{"myappId eq 'abc'", "appId", "", false},
		{"appId eq 'unterminated", "appId", "", false},
		{"appId eq ''''", "appId", "'", true},
		{"clientId eq 'x'", "appId", "", false},
	}
	for _, tc := range tests {
		got, ok := eqValue(tc.filter, tc.prop)
		if got != tc.want || ok != tc.ok {
			t.Errorf("eqValue(%q, %q) = %q, %v; want %q, %v", tc.filter, tc.prop, got, ok, tc.want, tc.ok)
		}
	}
}
