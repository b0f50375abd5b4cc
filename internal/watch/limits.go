package watch

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// isLimit reports whether err means the operating system refuses more
// watches or notifier instances.
func isLimit(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}

// limitAdvice names the limit behind err and how to raise it.
func limitAdvice(err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		now, want := current("max_user_watches", 524288)
		return fmt.Sprintf("the per-user limit on inotify watches is reached%s; raise it with: "+
			"sudo sysctl fs.inotify.max_user_watches=%d (and put fs.inotify.max_user_watches=%[2]d "+
			"in a file in /etc/sysctl.d/ to keep it)", now, want)
	case errors.Is(err, syscall.EMFILE):
		now, want := current("max_user_instances", 1024)
		return fmt.Sprintf("the per-user limit on inotify instances%s or the process's open-file limit (ulimit -n) "+
			"is reached; raise the first with: sudo sysctl fs.inotify.max_user_instances=%d", now, want)
	case errors.Is(err, syscall.ENFILE):
		return "the system-wide limit on open files is reached (sysctl fs.file-max)"
	}
	return "the file system cannot be watched"
}

// current reads fs.inotify.NAME from /proc. It returns " (fs.inotify.NAME
// is N)", or "" where that cannot be read (not Linux, /proc not mounted), and
// the value to suggest: suggest, or twice the current value if that is more.
func current(name string, suggest int) (string, int) {
	b, err := os.ReadFile("/proc/sys/fs/inotify/" + name)
	if err != nil {
		return "", suggest
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return "", suggest
	}
	return fmt.Sprintf(" (fs.inotify.%s is %d)", name, n), max(suggest, 2*n)
}
