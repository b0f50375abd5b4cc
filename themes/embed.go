// Package themes embeds the default theme, so livedocs can build a site
// that has no themes/default folder of its own.
package themes

import (
	"embed"
	"io/fs"
)

//go:embed default
var embedded embed.FS

// Default returns the built-in default theme (templates/ and static/).
func Default() fs.FS {
	sub, err := fs.Sub(embedded, "default")
	if err != nil {
		panic(err) // the folder is embedded at compile time
	}
	return sub
}
