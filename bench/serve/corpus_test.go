package serve

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// writeCorpus writes a help center of n articles under root: config.yaml,
// content/ with 20 categories of 10 sections each, and themes/default with
// a copy of the repository's default theme plus a stylesheet.
func writeCorpus(root string, n int) error {
	rng := rand.New(rand.NewPCG(1, 2))
	files := map[string]string{
		"config.yaml":       "title: Bench Help\nbase_url: http://127.0.0.1:8080\nlinks: strict\n",
		"content/_index.md": "---\ntitle: Bench\ndescription: A synthetic help center.\n---\n",
	}
	const cats, secs = 20, 10
	per := (n + cats*secs - 1) / (cats * secs)
	tags := []string{"sync", "mail", "calendar", "admin", "billing", "security", "mobile", "desktop", "import", "export", "sso", "dns"}
	id := 10000
	count := 0
	for c := 0; c < cats && count < n; c++ {
		cdir := fmt.Sprintf("content/cat-%02d", c)
		files[cdir+"/_index.md"] = fmt.Sprintf("---\ntitle: Category %02d\nweight: %d\n---\n", c, c)
		for s := 0; s < secs && count < n; s++ {
			sdir := fmt.Sprintf("%s/sec-%02d", cdir, s)
			files[sdir+"/_index.md"] = fmt.Sprintf("---\ntitle: Section %02d\nweight: %d\n---\n", s, s)
			for a := 0; a < per && count < n; a++ {
				id++
				count++
				var b strings.Builder
				fmt.Fprintf(&b, "---\ntitle: Article %d about things\nid: \"%d\"\nsummary: How to do thing %d.\nweight: %d\ntags: [%s, %s]\n---\n\n",
					id, id, id, a, tags[rng.IntN(len(tags))], tags[rng.IntN(len(tags))])
				fmt.Fprintf(&b, "Intro paragraph for article %d. It explains the setting and why it matters.\n\n", id)
				b.WriteString("## Before you start\n\nCheck that you are signed in as an administrator. Some options are off by default.\n\n")
				b.WriteString("## Do it\n\n1. Open **Settings > Accounts**.\n2. Select **Add account**.\n3. Wait for **Up to date**.\n\n")
				if a > 0 {
					fmt.Fprintf(&b, "See also [the previous article](a-%03d.md#do-it).\n\n", a-1)
				}
				b.WriteString("## Troubleshooting\n\n| Message | Cause |\n|---|---|\n| **Failed** | Wrong password |\n| **Timeout** | Firewall |\n\n")
				b.WriteString("```bash\necho hello\n```\n")
				files[fmt.Sprintf("%s/a-%03d.md", sdir, a)] = b.String()
			}
		}
	}
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			return err
		}
	}
	return nil
}
