// Command snippets type-checks every Go snippet of the repository's
// documentation (README.md and docs/*.md), so that a snippet cannot drift
// from the API it shows. `make test` runs it:
//
//	cd internal/tools && go run ./snippets -repo ../..
//
// A snippet is a fenced block opened with ```go. One that starts with a
// package clause is checked as a file on its own. Any other is checked as
// the body of a function returning error (or, when it holds only
// declarations, as the declarations of a file), with the imports it names
// added (an `import` line at its top counts too) and the names the docs
// use without declaring them (ctx, client, appID, ...) declared by the
// prelude in this package. A name only one snippet uses is declared by an
// HTML comment right above the fence:
//
//	<!-- snippet-given: var myBackend struct{ OnEvent func(context.Context, *rtc.CallbackEvent) error } -->
//
// Unused variables and imports are allowed (a snippet shows a call, not a
// program); everything else the compiler would refuse is an error, reported
// at the Markdown file and line.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	repo := flag.String("repo", ".", "root of the repository")
	flag.Parse()
	files, err := DocFiles(*repo)
	if err != nil {
		fmt.Fprintln(os.Stderr, "snippets:", err)
		os.Exit(2)
	}
	n, problems, err := Check(*repo, files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "snippets:", err)
		os.Exit(2)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "snippets: %d problem(s) in %d Go snippets of %d files: fix the snippet (or the API) so that it compiles\n", len(problems), n, len(files))
		os.Exit(1)
	}
	fmt.Printf("snippets: %d Go snippets of %d files type-check\n", n, len(files))
}
