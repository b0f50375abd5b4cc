package watch

import (
	"errors"
	"fmt"
	"os"
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
		return "the per-user limit on inotify watches is reached" + current("max_user_watches") +
			"; raise it with: sudo sysctl fs.inotify.max_user_watches=524288" +
			" (add fs.inotify.max_user_watches=524288 to a file in /etc/sysctl.d/ to keep it)"
	case errors.Is(err, syscall.EMFILE):
		return "the per-user limit on inotify instances is reached" + current("max_user_instances") +
			", or the process's open-file limit (ulimit -n); raise the first with: sudo sysctl fs.inotify.max_user_instances=1024"
	case errors.Is(err, syscall.ENFILE):
		return "the system-wide limit on open files is reached (sysctl fs.file-max)"
	}
	return "the file system cannot be watched"
}

// current returns " (fs.inotify.NAME = N)" from /proc, or "" where that
// cannot be read (not Linux, or /proc not mounted).
func current(name string) string {
	b, err := os.ReadFile("/proc/sys/fs/inotify/" + name)
	if err != nil {
		return ""
	}
	return fmt.Sprintf(" (fs.inotify.%s = %s)", name, strings.TrimSpace(string(b)))
}
