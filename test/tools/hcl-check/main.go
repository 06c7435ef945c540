// Command hcl-check runs HashiCorp's HCL parsers on stdin.
//
// Without arguments it parses an HCL (version 1) document with the parser OpenBao's server
// configuration is read with, and prints it as JSON: labelled blocks become nested objects,
// repeated blocks lists. It exits non-zero with the parser's message on a syntax error.
//
// With the argument "templates" it reads a JSON array of strings and reads each one as
// Terraform reads a string of its JSON syntax (see templates.go).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/hcl"
)

func main() {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(os.Args) > 1 && os.Args[1] == "templates" {
		if err := readTemplates(input, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	// Parse first: it reports positions, which Unmarshal does not.
	if _, err := hcl.ParseBytes(input); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var document map[string]interface{}
	if err := hcl.Unmarshal(input, &document); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := json.NewEncoder(os.Stdout).Encode(document); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
