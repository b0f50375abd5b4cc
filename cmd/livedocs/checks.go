package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"livedocs/checks"
)

// checksCmd is `livedocs checks`: list the check IDs with what each reads
// from the tenant and the permissions it needs.
type checksCmd struct {
	stdout io.Writer // os.Stdout if nil
}

func (c *checksCmd) Run(ctx context.Context, args []string) error {
	stdout := c.stdout
	if stdout == nil {
		stdout = os.Stdout
	}
	fset := flag.NewFlagSet("checks", flag.ContinueOnError)
	asJSON := fset.Bool("json", false, "print the catalog as JSON")
	long := fset.Bool("v", false, "print each check's description, endpoints, permissions and roles")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError("%v", err)
	}
	cat := checks.Catalog()
	if fset.NArg() > 0 {
		var picked []checks.Check
		for _, id := range fset.Args() {
			ck, ok := checks.Lookup(id)
			if !ok {
				return usageError("unknown check ID %q", id)
			}
			picked = append(picked, ck)
		}
		cat, *long = picked, true
	}
	var b bytes.Buffer
	switch {
	case *asJSON:
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		if err := enc.Encode(cat); err != nil {
			return fmt.Errorf("encode catalog: %w", err)
		}
	case *long:
		for i, ck := range cat {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%s — %s\n  %s\n  reads:\n", ck.ID, ck.Title, ck.Description)
			for _, e := range ck.Endpoints {
				fmt.Fprintf(&b, "    %s\n", e)
			}
			fmt.Fprintf(&b, "  permissions: %s\n", strings.Join(ck.Permissions, ", "))
			if len(ck.Roles) > 0 {
				fmt.Fprintf(&b, "  a signed-in user also needs one of: %s\n", strings.Join(ck.Roles, ", "))
			}
			if ck.Licence != "" {
				fmt.Fprintf(&b, "  licence: %s\n", ck.Licence)
			}
			if ck.NeedsUser {
				b.WriteString("  about one user: unknown without a signed-in reader or --user\n")
			}
		}
	default:
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTITLE\tPERMISSIONS")
		for _, ck := range cat {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", ck.ID, ck.Title, strings.Join(ck.Permissions, ", "))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		b.WriteString("\nRun 'livedocs checks -v' or 'livedocs checks ID' for the endpoints each reads.\n")
	}
	if _, err := stdout.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write catalog: %w", err)
	}
	return nil
}
