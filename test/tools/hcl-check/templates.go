package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	hcl2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// part is one piece of a template: literal text, a plain traversal (a reference), or any other expression.
type part struct {
	Kind      string `json:"kind"`
	Text      string `json:"text,omitempty"`
	Traversal string `json:"traversal,omitempty"`
	Source    string `json:"source,omitempty"`
}

// report is how the engine reads one string: its parts, and its value when it evaluates
// with no variables and no functions (an empty evaluation context).
type report struct {
	Parts []part  `json:"parts"`
	Value *string `json:"value,omitempty"`
	Error string  `json:"error,omitempty"`
}

// readTemplates parses each string with hclsyntax.ParseTemplate, the parser the JSON syntax
// uses for every string it reads as an expression, and evaluates it with an empty context.
func readTemplates(input []byte, output io.Writer) error {
	var templates []string
	if err := json.Unmarshal(input, &templates); err != nil {
		return fmt.Errorf("stdin must be a JSON array of strings: %w", err)
	}
	reports := make([]report, 0, len(templates))
	for _, template := range templates {
		reports = append(reports, readTemplate(template))
	}
	return json.NewEncoder(output).Encode(reports)
}

func readTemplate(template string) report {
	source := []byte(template)
	expression, diagnostics := hclsyntax.ParseTemplate(source, "string", hcl2.InitialPos)
	if diagnostics.HasErrors() {
		return report{Parts: []part{}, Error: diagnostics.Error()}
	}
	result := report{Parts: parts(expression, source)}
	value, diagnostics := expression.Value(&hcl2.EvalContext{})
	switch {
	case diagnostics.HasErrors():
		result.Error = diagnostics.Error()
	case !value.IsWhollyKnown() || value.IsNull() || value.Type() != cty.String:
		result.Error = fmt.Sprintf("evaluates to %s, not a known string", value.GoString())
	default:
		text := value.AsString()
		result.Value = &text
	}
	return result
}

// parts splits the template at its top level only: a quoted template nested in an
// interpolation is one expression, not more parts.
func parts(expression hclsyntax.Expression, source []byte) []part {
	switch typed := expression.(type) {
	case *hclsyntax.TemplateExpr:
		found := []part{}
		for _, inner := range typed.Parts {
			found = append(found, piece(inner, source))
		}
		return found
	case *hclsyntax.TemplateWrapExpr:
		return []part{piece(typed.Wrapped, source)}
	}
	return []part{piece(expression, source)}
}

func piece(expression hclsyntax.Expression, source []byte) part {
	switch typed := expression.(type) {
	case *hclsyntax.LiteralValueExpr:
		if typed.Val.Type() == cty.String && typed.Val.IsKnown() && !typed.Val.IsNull() {
			return part{Kind: "literal", Text: typed.Val.AsString()}
		}
	case *hclsyntax.ScopeTraversalExpr:
		return part{Kind: "reference", Traversal: traversalText(typed.Traversal)}
	}
	r := expression.Range()
	return part{Kind: "expression", Source: string(source[r.Start.Byte:r.End.Byte])}
}

func traversalText(traversal hcl2.Traversal) string {
	var text strings.Builder
	for _, step := range traversal {
		switch typed := step.(type) {
		case hcl2.TraverseRoot:
			text.WriteString(typed.Name)
		case hcl2.TraverseAttr:
			text.WriteString("." + typed.Name)
		case hcl2.TraverseIndex:
			if typed.Key.Type() == cty.String {
				text.WriteString(fmt.Sprintf("[%q]", typed.Key.AsString()))
			} else {
				text.WriteString("[" + typed.Key.AsBigFloat().Text('f', -1) + "]")
			}
		default:
			text.WriteString(fmt.Sprintf("<%T>", step))
		}
	}
	return text.String()
}
