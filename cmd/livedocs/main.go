// Command livedocs builds a static help center from markdown articles,
// serves it for preview, searches it and evaluates live tenant checks.
//
// Each subcommand lives in its own file as a type with a Run method and its
// own flag.FlagSet; main only dispatches and maps errors to exit codes.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand.
type command interface {
	Run(ctx context.Context, args []string) error
}

// exitError carries a specific exit status; its message (if any) is printed.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// usageError marks a bad command line (exit status 2).
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func commands() map[string]func() command {
	return map[string]func() command{
		"build":  func() command { return &buildCmd{} },
		"serve":  func() command { return &serveCmd{} },
		"ids":    func() command { return &idsCmd{} },
		"search": func() command { return &searchCmd{} },
		"corpus": func() command { return &corpusCmd{} },
		"check":  func() command { return &checkCmd{} },
		"checks": func() command { return &checksCmd{} },
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	mk, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "livedocs: unknown command %q\n", args[0])
		printUsage(cmds)
		return 2
	}
	err := mk().Run(ctx, args[1:])
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(os.Stderr, "livedocs %s: %v\n", args[0], ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(os.Stderr, "livedocs %s: %v\n", args[0], err)
	return 1
}

func printUsage(cmds map[string]func() command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(os.Stderr, "usage: livedocs <command> [flags]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %s\n", n)
	}
	fmt.Fprintln(os.Stderr, "\nRun 'livedocs <command> -h' for a command's flags.")
}
