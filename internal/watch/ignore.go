package watch

import (
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultIgnore is the Ignore function used when Options.Ignore is nil. By
// the path's last element it skips:
//
//	.*                      dot-files and dot-folders: .git, .idea, .vscode,
//	                        vim swap files (.x.md.swp, .x.md.swx), emacs
//	                        locks (.#x.md), gedit's .goutputstream-*, .DS_Store;
//	                        except .well-known, which a static folder may hold
//	*~                      vim and emacs backups
//	#*#                     emacs auto-saves
//	*.swp *.swo *.swx       vim swap files outside dot-names
//	4913, 5036, …           vim's probe files (4913 + k×123)
//	*___jb_tmp___           JetBrains "safe write" temporary files
//	*___jb_old___           JetBrains "safe write" previous versions
//	*.tmp                   temporary files of many tools
//	*.crswap                Chromium's swap files for in-browser editors
//	*.kate-swp              Kate swap files
//	~$*                     Office lock files
//	node_modules            (folders) theme build dependencies
func DefaultIgnore(path string, isDir bool) bool {
	name := filepath.Base(path)
	switch {
	case name == ".well-known":
		return false
	case strings.HasPrefix(name, "."),
		strings.HasSuffix(name, "~"),
		len(name) > 1 && name[0] == '#' && name[len(name)-1] == '#',
		strings.HasPrefix(name, "~$"),
		isDir && name == "node_modules":
		return true
	}
	switch filepath.Ext(name) {
	case ".swp", ".swo", ".swx", ".tmp", ".crswap", ".kate-swp":
		return true
	}
	return strings.HasSuffix(name, "___jb_tmp___") ||
		strings.HasSuffix(name, "___jb_old___") ||
		isVimProbe(name)
}

// isVimProbe reports whether name is one of the files vim creates to test
// whether it may create files in a folder: 4913, then 4913+123, ….
func isVimProbe(name string) bool {
	if name == "" || name[0] < '1' || name[0] > '9' {
		return false
	}
	n, err := strconv.Atoi(name)
	return err == nil && n >= 4913 && (n-4913)%123 == 0
}
