// Package config decodes config.yaml into a typed Config.
//
// Keys (all optional except title):
//
//	title               site name shown in the header and page titles
//	description         one line for the home page and meta description
//	base_url            absolute URL the site is published at (sitemap, canonical links, search results)
//	language            BCP 47 language tag of the content (default "en")
//	theme               folder with theme files overriding themes/default, file by file
//	submit_request_url  target of the "Submit a request" link on articles
//	links               "strict" (default): broken internal links and images fail the build;
//	                    "warn": they are reported as warnings (for importing existing docs)
//	content_dir         content folder (default "content")
//	output_dir          build output folder (default "public")
//	ledger              URL ledger file, committed with the content (default "content/urls.ledger")
//	toc_min_headings    headings an article needs before it gets a table of contents (default 3)
//	ignore_front_matter front-matter keys to drop without error (patterns such as "ms.*"), for imported docs
//	checks              live checks: app_id, app_name, scopes, graph_url, authority, service_url
//
// Unknown keys are errors that name the line.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is the decoded config.yaml.
type Config struct {
	Title            string `yaml:"title"`
	Description      string `yaml:"description"`
	BaseURL          string `yaml:"base_url"`
	Language         string `yaml:"language"`
	Theme            string `yaml:"theme"`
	SubmitRequestURL string `yaml:"submit_request_url"`
	Links            string `yaml:"links"`
	ContentDir       string `yaml:"content_dir"`
	OutputDir        string `yaml:"output_dir"`
	Ledger           string `yaml:"ledger"`
	TOCMinHeadings   int    `yaml:"toc_min_headings"`
	Checks           Checks `yaml:"checks"`
	// IgnoreKeys lists front-matter keys to drop without error
	// (path.Match patterns such as "ms.*"), for imported documentation.
	IgnoreKeys []string `yaml:"ignore_front_matter"`
}

// Checks configures the live checks app.
type Checks struct {
	AppID     string   `yaml:"app_id"`
	AppName   string   `yaml:"app_name"`
	Scopes    []string `yaml:"scopes"`
	GraphURL  string   `yaml:"graph_url"`
	Authority string   `yaml:"authority"`
	// ServiceURL is where pages find the live-checks service ("/__checks"
	// when `livedocs serve --checks-only` runs behind the same host). Empty:
	// built pages show steps without live states and make no requests;
	// `livedocs serve` always sets it for its own preview service.
	ServiceURL string `yaml:"service_url"`
}

// StrictLinks reports whether broken links fail the build.
func (c *Config) StrictLinks() bool { return c.Links != "warn" }

// Default returns the configuration used when config.yaml sets nothing.
func Default() Config {
	return Config{
		Language:       "en",
		Links:          "strict",
		ContentDir:     "content",
		OutputDir:      "public",
		Ledger:         "content/urls.ledger",
		TOCMinHeadings: 3,
		Checks: Checks{
			GraphURL:  "https://graph.microsoft.com/v1.0",
			Authority: "https://login.microsoftonline.com/organizations",
		},
	}
}

// Load reads and decodes the file at path.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes config data; name is used in error messages.
func Parse(name string, data []byte) (Config, error) {
	cfg := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("%s", yamlError(name, err))
	}
	var problems []string
	if strings.TrimSpace(cfg.Title) == "" {
		problems = append(problems, name+":1:1: title is required")
	}
	if cfg.Links != "strict" && cfg.Links != "warn" {
		problems = append(problems, fmt.Sprintf("%s:1:1: links must be \"strict\" or \"warn\", not %q", name, cfg.Links))
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, fmt.Sprintf("%s:1:1: base_url must be an absolute http(s) URL, not %q", name, cfg.BaseURL))
		}
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if len(problems) > 0 {
		return Config{}, errors.New(strings.Join(problems, "\n"))
	}
	return cfg, nil
}

// yamlError turns yaml's "line N: msg" errors into "name:N:1: msg" lines.
func yamlError(name string, err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var lines []string
		for _, e := range te.Errors {
			lines = append(lines, posPrefix(name, e))
		}
		return strings.Join(lines, "\n")
	}
	return posPrefix(name, err.Error())
}

var unknownKeyRE = regexp.MustCompile(`field (.+) not found in type \S+`)

func posPrefix(name, msg string) string {
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = unknownKeyRE.ReplaceAllString(msg, `unknown key "$1"`)
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		rest := msg[strings.Index(msg, ":")+1:]
		return fmt.Sprintf("%s:%d:1: %s", name, line, strings.TrimSpace(rest))
	}
	return fmt.Sprintf("%s:1:1: %s", name, msg)
}
