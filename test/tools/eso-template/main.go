// Command eso-template renders ExternalSecret `spec.target.template.data` templates with
// External Secrets Operator's own template engine (engineVersion v2), so tests exercise what
// the controller would write into the Secret rather than a re-implementation of it.
//
// stdin:  {"templates": {"<key>": "<template>"}, "data": {"<key>": "<value fetched from the store>"}}
// stdout: {"data": {"<key>": "<rendered Secret data value>"}}
// On an engine error it prints the error on stderr and exits 1 (2 for bad input).
// `eso-template --version` prints the linked ESO and sprig modules as JSON.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"unicode/utf8"

	esv1 "github.com/external-secrets/external-secrets/apis/externalsecrets/v1"
	"github.com/external-secrets/external-secrets/pkg/template"
	corev1 "k8s.io/api/core/v1"
)

const (
	esoModule   = "github.com/external-secrets/external-secrets"
	sprigModule = "github.com/Masterminds/sprig/v3"
)

type request struct {
	Templates map[string]string `json:"templates"`
	Data      map[string]string `json:"data"`
}

type response struct {
	Data map[string]string `json:"data"`
}

// render does what ESO's reconciler does for `spec.target.template.data`
// (templating.Parser.MergeMap): every value is a template, executed in Values scope against
// the fetched data, into the Data of the target Secret. EngineForVersion(v2) is the
// controller's own lookup and returns pkg/template/v2.Execute.
func render(req request) (map[string]string, error) {
	execute, err := template.EngineForVersion(esv1.TemplateEngineV2)
	if err != nil {
		return nil, err
	}
	templates := make(map[string][]byte, len(req.Templates))
	for key, text := range req.Templates {
		templates[key] = []byte(text)
	}
	data := make(map[string][]byte, len(req.Data))
	for key, value := range req.Data {
		data[key] = []byte(value)
	}
	secret := &corev1.Secret{Data: map[string][]byte{}}
	if err := execute(templates, data, esv1.TemplateScopeValues, esv1.TemplateTargetData, secret); err != nil {
		return nil, err
	}
	rendered := make(map[string]string, len(secret.Data))
	keys := make([]string, 0, len(secret.Data))
	for key := range secret.Data {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		// JSON strings cannot carry arbitrary bytes: refuse rather than let encoding/json
		// replace them with U+FFFD and hand the caller something ESO would not have written.
		if !utf8.Valid(secret.Data[key]) {
			return nil, fmt.Errorf("rendered value at key %s is not valid UTF-8", key)
		}
		rendered[key] = string(secret.Data[key])
	}
	return rendered, nil
}

// linkedModules reports the ESO module and the sprig module actually linked into this
// binary (after replace directives), so callers can check which engine they are testing.
func linkedModules() map[string]string {
	linked := map[string]string{}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return linked
	}
	for _, dep := range info.Deps {
		switch dep.Path {
		case esoModule:
			linked["eso"] = dep.Version
		case sprigModule:
			if dep.Replace != nil {
				dep = dep.Replace
			}
			linked["sprig"] = dep.Path + "@" + dep.Version
		}
	}
	return linked
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		if err := json.NewEncoder(os.Stdout).Encode(linkedModules()); err != nil {
			os.Exit(1)
		}
		return
	}
	var req request
	decoder := json.NewDecoder(os.Stdin)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&req); err != nil {
		fmt.Fprintf(os.Stderr, "eso-template: invalid request: %v\n", err)
		os.Exit(2)
	}
	rendered, err := render(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(response{Data: rendered}); err != nil {
		fmt.Fprintf(os.Stderr, "eso-template: %v\n", err)
		os.Exit(1)
	}
}
