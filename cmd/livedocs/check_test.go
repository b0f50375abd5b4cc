package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// runCheck runs `livedocs check` in-process against the demo tenant.
func runCheck(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := &checkCmd{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	err := c.Run(context.Background(), append([]string{"--root", "../.."}, args...))
	return out.String(), errOut.String(), err
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exitError); ok {
		return ee.code
	}
	return -1
}

func TestCheckDemoScenarios(t *testing.T) {
	page := "../../content/connecting-accounts/microsoft-365/microsoft-365-admin-approval.md"
	want := map[string]map[string]string{
		"blocked":    {"admin-consent-workflow": "pending", "blocked-signins": "pending", "admin-consent-granted": "pending"},
		"requested":  {"admin-consent-workflow": "done", "consent-request-sent": "done"},
		"approved":   {"admin-consent-granted": "done", "users-assigned": "done"},
		"partial":    {"admin-consent-granted": "pending", "users-assigned": "pending"},
		"unlicensed": {"blocked-signins": "unknown"},
	}
	for scenario, states := range want {
		t.Run(scenario, func(t *testing.T) {
			out, stderr, err := runCheck(t, "--demo", scenario, "--page", page, "--json")
			if code := exitCode(err); code != 0 && code != 1 {
				t.Fatalf("exit %d (%v)\n%s", code, err, stderr)
			}
			var rep struct {
				Demo   bool `json:"demo"`
				Checks []struct {
					ID, State, Evidence, Reason string
				} `json:"checks"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("bad JSON: %v\n%s", err, out)
			}
			if !rep.Demo {
				t.Error(`"demo" is not true for the demo tenant`)
			}
			if len(rep.Checks) != 7 {
				t.Errorf("got %d checks, want the article's 7", len(rep.Checks))
			}
			got := map[string]string{}
			for _, c := range rep.Checks {
				got[c.ID] = c.State
				if c.State == "unknown" && c.Reason == "" {
					t.Errorf("%s is unknown without a reason", c.ID)
				}
				if c.State != "unknown" && c.Evidence == "" {
					t.Errorf("%s is %s without evidence", c.ID, c.State)
				}
			}
			for id, st := range states {
				if got[id] != st {
					t.Errorf("%s = %q, want %q", id, got[id], st)
				}
			}
		})
	}
}

func TestCheckUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--demo", "no-such-scenario"},
		{"--check", "no-such-check", "--demo", "blocked"},
		{}, // neither --tenant nor --demo
	} {
		_, _, err := runCheck(t, args...)
		if code := exitCode(err); code != 2 {
			t.Errorf("check %v: exit %d (%v), want 2", args, code, err)
		}
	}
}

func TestCheckTableSaysDemo(t *testing.T) {
	out, _, err := runCheck(t, "--demo", "approved", "--check", "admin-consent-granted")
	if exitCode(err) != 0 {
		t.Fatalf("exit %d: %v\n%s", exitCode(err), err, out)
	}
	if !strings.Contains(strings.ToLower(out), "demo") || !strings.Contains(out, "admin-consent-granted") {
		t.Errorf("table output:\n%s", out)
	}
}
