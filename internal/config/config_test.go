package config

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cfg, err := Parse("config.yaml", []byte("title: Help\nbase_url: https://x.example/help/\nchecks:\n  app_id: abc\n  scopes: [User.Read]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BaseURL != "https://x.example/help" || cfg.Checks.AppID != "abc" || cfg.ContentDir != "content" || !cfg.StrictLinks() {
		t.Errorf("cfg = %+v", cfg)
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"title: T\ncolour: red\n":         `config.yaml:2:1: unknown key "colour"`,
		"description: no title\n":         "config.yaml:1:1: title is required",
		"title: T\nlinks: sometimes\n":    `config.yaml:1:1: links must be "strict" or "warn", not "sometimes"`,
		"title: T\nbase_url: /relative\n": `config.yaml:1:1: base_url must be an absolute http(s) URL, not "/relative"`,
		"title: T\ntoc_min_headings: x\n": "config.yaml:2:1: cannot unmarshal !!str `x` into int",
	}
	for in, want := range cases {
		_, err := Parse("config.yaml", []byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", in, err, want)
		}
	}
}
